//! A runtime with only System and Results; hospitals 1-3 with doctors `10h + n`, and records
//! 0-9 held by hospital 1 with a real patient key, assigned to doctor 21.

use crate::{self as pallet_results, traits};
use ark_std::rand::{rngs::StdRng, SeedableRng};

use medchain_crypto::elgamal::SecretKey;
use medchain_types::{CompressedG1, HospitalDirectory, RecordId};
use polkadot_sdk::{
    frame_support::{
        derive_impl,
        traits::{ConstU32, ConstU64},
    },
    frame_system, sp_io,
    sp_runtime::BuildStorage,
};
use std::sync::OnceLock;

type Block = frame_system::mocking::MockBlock<Test>;

polkadot_sdk::frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Results: pallet_results,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

pub const H1: u64 = 1;
pub const H2: u64 = 2;
pub const H3: u64 = 3;
pub const NOT_A_HOSPITAL: u64 = 4;
pub const D11: u64 = 11;
/// Doctor of hospital 2, assigned to every record.
pub const D21: u64 = 21;
pub const D22: u64 = 22;
/// Records 0-9 exist.
pub const RECORD: RecordId = RecordId::new(0);
pub const UNKNOWN_RECORD: RecordId = RecordId::new(10);

/// The patient's ElGamal key.
pub fn patient() -> &'static SecretKey {
    static KEY: OnceLock<SecretKey> = OnceLock::new();
    KEY.get_or_init(|| SecretKey::generate(&mut StdRng::seed_from_u64(9)))
}

pub fn patient_key() -> CompressedG1 {
    patient().public_key().compress()
}

pub struct Directory;
impl HospitalDirectory<u64> for Directory {
    fn is_hospital(who: &u64) -> bool {
        (1..=3).contains(who)
    }
    fn hospital_of(doctor: &u64) -> Option<u64> {
        (10..40).contains(doctor).then_some(doctor / 10)
    }
    /// Nobody authorises anybody: the results pallet does not ask.
    fn authorizes(_from: &u64, _to: &u64) -> bool {
        false
    }
}

pub struct RecordTable;
impl traits::RecordDirectory<u64> for RecordTable {
    fn holder(record: RecordId) -> Option<(u64, CompressedG1)> {
        if let Some((hospital, key, _)) = planted(record) {
            return Some((hospital, key));
        }
        (record < UNKNOWN_RECORD).then(|| (H1, patient_key()))
    }
    fn assigned_doctor(record: RecordId) -> Option<u64> {
        if let Some((_, _, doctor)) = planted(record) {
            return Some(doctor);
        }
        (record < UNKNOWN_RECORD).then_some(D21)
    }
}

thread_local! {
    /// Records the benchmarks plant from 100 on: holder, patient key, assigned doctor.
    static PLANTED: core::cell::RefCell<Vec<(u64, CompressedG1, u64)>> =
        const { core::cell::RefCell::new(Vec::new()) };
}

fn planted(record: RecordId) -> Option<(u64, CompressedG1, u64)> {
    let index = usize::try_from(record.get().checked_sub(100)?).ok()?;
    PLANTED.with(|p| p.borrow().get(index).copied())
}

#[cfg(feature = "runtime-benchmarks")]
impl traits::BenchmarkHelper<u64> for RecordTable {
    fn hospital(n: u32) -> u64 {
        1 + u64::from(n % 3)
    }
    fn doctor(hospital: &u64, n: u32) -> u64 {
        hospital * 10 + 1 + u64::from(n % 9)
    }
    fn record(hospital: &u64, patient_key: CompressedG1, doctor: &u64) -> RecordId {
        PLANTED.with(|p| {
            let mut planted = p.borrow_mut();
            planted.push((*hospital, patient_key, *doctor));
            RecordId::new(100 + planted.len() as u64 - 1)
        })
    }
}

impl pallet_results::Config for Test {
    type Hospitals = Directory;
    type Records = RecordTable;
    type MaxAccessesPerHospital = ConstU32<2>;
    type MaxReportSize = ConstU64<4096>;
    // The measured weights, so that the tests see what a call charges and refunds.
    type WeightInfo = pallet_results::weights::SubstrateWeight<Test>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = RecordTable;
}

/// A test's externalities: every `execute_with` ends by checking the pallet's invariants.
pub struct TestExt(sp_io::TestExternalities);

impl TestExt {
    /// Runs `test`, then the pallet's try-state checks on the storage it left.
    pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
        self.0.execute_with(|| {
            let result = test();
            Results::do_try_state().expect("the results' invariants hold");
            result
        })
    }
}

/// Block 1, no reports.
pub fn new_test_ext() -> TestExt {
    let storage = RuntimeGenesisConfig::default()
        .build_storage()
        .expect("valid mock genesis");
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(1));
    TestExt(ext)
}
