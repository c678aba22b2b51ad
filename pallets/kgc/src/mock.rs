//! A runtime with only System and Kgc, a real KGC set-up (depth 3) and a doctor directory in
//! which accounts 10 and up are doctors.

use crate as pallet_kgc;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use codec::Encode;
use medchain_crypto::{
    abe::{self, KeyTables, MasterSecretKey, PublicParams},
    elgamal,
    tree::{Epoch, Revocation},
};
use medchain_types::CompressedG1;
use medchain_types::HospitalDirectory;
use polkadot_sdk::{
    frame_support::{derive_impl, traits::ConstU32},
    frame_system::{self, EnsureRoot},
    sp_io,
    sp_runtime::BuildStorage,
};
use std::sync::OnceLock;

type Block = frame_system::mocking::MockBlock<Test>;

polkadot_sdk::frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Kgc: pallet_kgc,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

pub const KGC: u64 = 1;
pub const HOSPITAL: u64 = 2;
/// Doctors are 10 and up.
pub const DOCTOR_A: u64 = 10;
pub const DOCTOR_B: u64 = 11;
pub const DEPTH: u8 = 3;

pub struct Directory;
/// One hospital, [`HOSPITAL`], whose doctors are 10 to 999 (the benchmarks' from 100); it
/// authorises nobody. Other accounts, such as the benchmarks' new KGC, are no members.
impl HospitalDirectory<u64> for Directory {
    fn is_hospital(who: &u64) -> bool {
        *who == HOSPITAL
    }
    fn hospital_of(doctor: &u64) -> Option<u64> {
        (10..1_000).contains(doctor).then_some(HOSPITAL)
    }
    fn authorizes(_from: &u64, _to: &u64) -> bool {
        false
    }
}

impl pallet_kgc::Config for Test {
    type AdminOrigin = EnsureRoot<u64>;
    type Hospitals = Directory;
    type MaxParamsLen = ConstU32<2048>;
    type MaxRevocations = ConstU32<4>;
    type MaxUpdateKeyLen = ConstU32<8192>;
    type WeightInfo = ();
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = Directory;
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_kgc::BenchmarkHelper<u64> for Directory {
    fn doctor(n: u32) -> u64 {
        100 + u64::from(n)
    }
}

/// The KGC's secrets, generated once per test binary.
pub struct Setup {
    pub pp: PublicParams,
    pub msk: MasterSecretKey,
    pub tables: KeyTables,
}

pub fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let (pp, msk) = abe::setup(DEPTH, &mut rng()).expect("valid depth");
        Setup {
            tables: KeyTables::new(&pp),
            pp,
            msk,
        }
    })
}

pub fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

/// An honest update key for `epoch` and `revocations`, encoded.
pub fn update_key(epoch: Epoch, revocations: &[Revocation]) -> Vec<u8> {
    let s = setup();
    abe::upd_keygen(&s.pp, &s.tables, &s.msk, epoch, revocations, &mut rng())
        .expect("valid revocations")
        .encode()
}

/// `who`'s valid encryption key `pk_D`, a distinct one for each account.
pub fn encryption_key(who: u64) -> CompressedG1 {
    elgamal::SecretKey::derive(&who.to_le_bytes())
        .public_key()
        .compress()
}

/// KGC account 1, the set-up's `pp`, epoch 0's key; block 1.
pub fn new_test_ext() -> TestExt {
    ext_with(pallet_kgc::GenesisConfig {
        kgc: Some(KGC),
        params: setup().pp.encode(),
        initial_update_key: update_key(Epoch::new(0), &[]),
    })
}

/// KGC account 1 before Setup: no `pp`, no tree; block 1.
pub fn new_test_ext_without_params() -> TestExt {
    ext_with(pallet_kgc::GenesisConfig {
        kgc: Some(KGC),
        params: Vec::new(),
        initial_update_key: Vec::new(),
    })
}

/// A test's externalities: every `execute_with` ends by checking the pallet's invariants.
pub struct TestExt(sp_io::TestExternalities);

impl TestExt {
    /// Runs `test`, then the pallet's try-state checks on the storage it left.
    pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
        self.0.execute_with(|| {
            let result = test();
            Kgc::do_try_state().expect("the key authority's invariants hold");
            result
        })
    }

    /// The externalities without the checks, for benchmarks and tests that write a state
    /// straight into storage that the calls would never reach.
    pub fn unchecked(self) -> sp_io::TestExternalities {
        self.0
    }
}

/// The chain with `kgc` as the KGC pallet's genesis; block 1.
pub fn ext_with(kgc: pallet_kgc::GenesisConfig<Test>) -> TestExt {
    let storage = RuntimeGenesisConfig {
        system: Default::default(),
        kgc,
    }
    .build_storage()
    .expect("the mock genesis is valid");
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(1));
    TestExt(ext)
}
