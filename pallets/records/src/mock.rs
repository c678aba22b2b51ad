//! A runtime with only System and Records; hospitals, doctors, authorisations and the KGC are
//! thread-local tables the tests set.

use crate::{self as pallet_records, traits};
use core::cell::RefCell;
use medchain_types::{Epoch, HospitalDirectory};
use polkadot_sdk::{
    frame_support::{
        derive_impl, parameter_types,
        traits::{ConstU32, ConstU64, Hooks},
    },
    frame_system, sp_io,
    sp_runtime::BuildStorage,
};
use std::collections::BTreeSet;

type Block = frame_system::mocking::MockBlock<Test>;

polkadot_sdk::frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Records: pallet_records,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

/// Hospitals 1-3; 4 is not one.
pub const H1: u64 = 1;
pub const H2: u64 = 2;
pub const H3: u64 = 3;
pub const NOT_A_HOSPITAL: u64 = 4;
/// Doctors of H2 (21, 22, 23), of H3 (31), and of H1 (11).
pub const D21: u64 = 21;
pub const D22: u64 = 22;
pub const D23: u64 = 23;
pub const D31: u64 = 31;
pub const D11: u64 = 11;
pub const WINDOW: u64 = 5;

thread_local! {
    /// `(from, to)` authorisations in force.
    static GRANTS: RefCell<BTreeSet<(u64, u64)>> = const { RefCell::new(BTreeSet::new()) };
    /// Revoked doctors.
    static REVOKED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
    static EPOCH: RefCell<Epoch> = const { RefCell::new(Epoch::new(3)) };
}

pub fn grant(from: u64, to: u64) {
    GRANTS.with(|g| g.borrow_mut().insert((from, to)));
}
pub fn withdraw(from: u64, to: u64) {
    GRANTS.with(|g| g.borrow_mut().remove(&(from, to)));
}
pub fn revoke(doctor: u64) {
    REVOKED.with(|r| r.borrow_mut().insert(doctor));
}
pub fn set_epoch(epoch: u64) {
    EPOCH.with(|e| *e.borrow_mut() = Epoch::new(epoch));
}
pub fn epoch() -> Epoch {
    EPOCH.with(|e| *e.borrow())
}

pub struct Directory;
/// Hospitals 1 to 3; doctor `d` works for hospital `d / 10`.
impl HospitalDirectory<u64> for Directory {
    fn is_hospital(who: &u64) -> bool {
        (1..=3).contains(who)
    }
    fn hospital_of(doctor: &u64) -> Option<u64> {
        (*doctor >= 10).then_some(doctor / 10)
    }
    fn authorizes(from: &u64, to: &u64) -> bool {
        GRANTS.with(|g| g.borrow().contains(&(*from, *to)))
    }
}

pub struct Kgc;
impl traits::KeyAuthority<u64> for Kgc {
    fn current_epoch() -> Epoch {
        epoch()
    }
    fn is_active_at(doctor: &u64, _epoch: Epoch) -> bool {
        REVOKED.with(|r| !r.borrow().contains(doctor))
    }
}

parameter_types! {
    pub const MaxPayloadSize: u64 = 1 << 20;
}

impl pallet_records::Config for Test {
    type Hospitals = Directory;
    type Keys = Kgc;
    type MaxIndexLen = ConstU32<2048>;
    type MaxCapsuleLen = ConstU32<4096>;
    type MaxPayloadSize = MaxPayloadSize;
    type ConsultationWindow = ConstU64<WINDOW>;
    type MaxClaims = ConstU32<3>;
    type MaxClosingPerBlock = ConstU32<2>;
    type MaxClosingPerHospital = ConstU32<1>;
    // The measured weights, so that the tests see what a call charges and refunds.
    type WeightInfo = pallet_records::weights::SubstrateWeight<Test>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = Directory;
}

#[cfg(feature = "runtime-benchmarks")]
impl traits::BenchmarkHelper<u64> for Directory {
    fn hospital(n: u32) -> u64 {
        [H1, H2, H3][n as usize % 3]
    }
    fn doctor(hospital: &u64, n: u32) -> u64 {
        hospital * 10 + 1 + u64::from(n)
    }
    fn authorize(from: &u64, to: &u64) {
        grant(*from, *to);
    }
}

/// A test's externalities: every `execute_with` ends by checking the pallet's invariants.
pub struct TestExt(sp_io::TestExternalities);

impl TestExt {
    /// Runs `test`, then the pallet's try-state checks on the storage it left.
    pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
        self.0.execute_with(|| {
            let result = test();
            Records::do_try_state().expect("the records' invariants hold");
            result
        })
    }

    /// The externalities without the checks: benchmarks write their worst case straight into
    /// storage, not a state the calls would reach.
    #[cfg(feature = "runtime-benchmarks")]
    pub fn unchecked(self) -> sp_io::TestExternalities {
        self.0
    }
}

/// Block 1, nobody authorised, epoch 3.
pub fn new_test_ext() -> TestExt {
    let storage = RuntimeGenesisConfig::default()
        .build_storage()
        .expect("valid mock genesis");
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(1));
    TestExt(ext)
}

/// Runs blocks up to `n`, with the pallet's `on_initialize`.
pub fn run_to(n: u64) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::set_block_number(next);
        Records::on_initialize(next);
    }
}
