//! A runtime with only System and Hospitals, whose registries record what they are told.

use crate::{self as pallet_hospitals, traits};
use core::cell::RefCell;
use medchain_types::CompressedG1;
use polkadot_sdk::{
    frame_support::{
        derive_impl, parameter_types,
        traits::{ChangeMembers, ConstU32, Contains},
    },
    frame_system::{self, EnsureRoot},
    sp_io,
    sp_runtime::{BuildStorage, DispatchError, DispatchResult, Perbill},
};
use std::collections::BTreeSet;

type Block = frame_system::mocking::MockBlock<Test>;

polkadot_sdk::frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Hospitals: pallet_hospitals,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type BaseCallFilter = AllButRemarkWithEvent;
}

/// The test chain's call filter: every call but `system.remark_with_event`, so that the tests
/// see what the members-only extension does with a call the chain excludes.
pub struct AllButRemarkWithEvent;

impl Contains<RuntimeCall> for AllButRemarkWithEvent {
    fn contains(call: &RuntimeCall) -> bool {
        !matches!(
            call,
            RuntimeCall::System(frame_system::Call::remark_with_event { .. })
        )
    }
}

/// The founding hospitals of every test.
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
/// Accounts that are not members.
pub const DAVE: u64 = 4;
pub const EVE: u64 = 5;

/// Not a hospital or a doctor, but allowed to sign (the runtime's KGC).
pub const KGC: u64 = 7;

/// Session keys the key registry refuses, to test that its failure aborts an admission.
pub const REFUSED_KEYS: u64 = 666;

parameter_types! {
    pub const MaxHospitals: u32 = 4;
    pub const BlockShare: Perbill = Perbill::from_percent(10);
}

/// Every registry call the pallet made, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registered {
    Keys(u64, u64),
    KeysRemoved(u64),
    Peer(u64, Vec<u8>),
    PeerRemoved(u64, Vec<u8>),
    Council(Vec<u64>),
}

thread_local! {
    static LOG: RefCell<Vec<Registered>> = const { RefCell::new(Vec::new()) };
    /// Doctors holding an issued, unrevoked attribute key.
    static KEYED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
}

/// The KGC issues `doctor` an attribute key.
pub fn issue_key(doctor: u64) {
    KEYED.with(|keyed| keyed.borrow_mut().insert(doctor));
}

/// The KGC revokes `doctor`'s attribute key.
pub fn revoke_key(doctor: u64) {
    KEYED.with(|keyed| keyed.borrow_mut().remove(&doctor));
}

fn record(entry: Registered) {
    LOG.with(|log| log.borrow_mut().push(entry));
}

/// Takes what the registries were told since the last call.
pub fn registered() -> Vec<Registered> {
    LOG.with(|log| log.take())
}

pub struct Recorder;

impl traits::KeyRegistry<u64, u64> for Recorder {
    fn register(who: &u64, keys: u64) -> DispatchResult {
        if keys == REFUSED_KEYS {
            return Err(DispatchError::Other("duplicated key"));
        }
        record(Registered::Keys(*who, keys));
        Ok(())
    }
    fn unregister(who: &u64) -> DispatchResult {
        record(Registered::KeysRemoved(*who));
        Ok(())
    }
}

impl traits::PeerRegistry<u64> for Recorder {
    fn authorize(owner: &u64, peer_id: &[u8]) -> DispatchResult {
        record(Registered::Peer(*owner, peer_id.to_vec()));
        Ok(())
    }
    fn revoke(owner: &u64, peer_id: &[u8]) -> DispatchResult {
        record(Registered::PeerRemoved(*owner, peer_id.to_vec()));
        Ok(())
    }
}

impl ChangeMembers<u64> for Recorder {
    fn change_members_sorted(_incoming: &[u64], _outgoing: &[u64], sorted_new: &[u64]) {
        record(Registered::Council(sorted_new.to_vec()));
    }
}

/// Doctors' keys, as [`issue_key`] and [`revoke_key`] set them.
pub struct Keys;

impl traits::DoctorKeys<u64> for Keys {
    fn holds_unrevoked_key(doctor: &u64) -> bool {
        KEYED.with(|keyed| keyed.borrow().contains(doctor))
    }
}

/// The other member: [`KGC`].
pub struct Kgc;

impl Contains<u64> for Kgc {
    fn contains(who: &u64) -> bool {
        *who == KGC
    }
}

impl pallet_hospitals::Config for Test {
    type AdmissionOrigin = EnsureRoot<u64>;
    type Keys = u64;
    type KeyRegistry = Recorder;
    type PeerRegistry = Recorder;
    type MembershipChanged = Recorder;
    type DoctorKeys = Keys;
    type MaxHospitals = MaxHospitals;
    type MaxDoctorsPerHospital = ConstU32<2>;
    type MaxNameLen = ConstU32<16>;
    type MaxPeerIdLen = ConstU32<38>;
    type MaxSearchKeyLen = ConstU32<64>;
    type OtherMembers = Kgc;
    type MaxPendingPerAccount = ConstU32<4>;
    type BlockSharePerAccount = BlockShare;
    // The measured weights, so that the tests see what a call charges and refunds.
    type WeightInfo = pallet_hospitals::weights::SubstrateWeight<Test>;
}

/// A distinct, well-formed peer id for each account.
pub fn peer_id(who: u64) -> Vec<u8> {
    let mut id = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
    id.extend([who as u8; 32]);
    id
}

/// A distinct, valid encryption key for each account.
pub fn encryption_key(who: u64) -> CompressedG1 {
    medchain_crypto::elgamal::SecretKey::derive(&who.to_le_bytes())
        .public_key()
        .compress()
}

/// A test's externalities: every `execute_with` ends by checking the pallet's invariants.
pub struct TestExt(sp_io::TestExternalities);

impl TestExt {
    /// Runs `test`, then the pallet's try-state checks on the storage it left.
    pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
        self.0.execute_with(|| {
            let result = test();
            Hospitals::do_try_state().expect("the registry's invariants hold");
            result
        })
    }
}

/// Alice, Bob and Charlie are the founding hospitals; the chain is at block 1.
pub fn new_test_ext() -> TestExt {
    let hospitals = [ALICE, BOB, CHARLIE]
        .into_iter()
        .map(|who| {
            let name = format!("hospital {who}").into_bytes();
            (
                who,
                name,
                peer_id(who),
                encryption_key(who).as_bytes().to_vec(),
            )
        })
        .collect();
    let storage = RuntimeGenesisConfig {
        system: Default::default(),
        hospitals: pallet_hospitals::GenesisConfig { hospitals },
    }
    .build_storage()
    .expect("the mock genesis is valid");
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        System::set_block_number(1);
        registered();
    });
    TestExt(ext)
}
