//! Weights of the hospitals pallet's calls.
//!
//! The benchmarks that measure them are in `benchmarking.rs`, and run as tests with
//! `SKIP_WASM_BUILD=1 cargo test --release -p pallet-hospitals --features runtime-benchmarks`.
//! The numbers below are NOT yet generated on reference hardware: they are the storage accesses
//! each call makes (counted from the code, worst case) priced with the runtime's `DbWeight`, plus
//! a conservative execution time. Generating them needs the runtime to expose the
//! `frame_benchmarking::Benchmark` runtime API (not done yet) and a `runtime-benchmarks` build of
//! it, then `frame-omni-bencher v1 benchmark pallet --runtime <that wasm> --pallet
//! pallet_hospitals --extrinsic '*' --output pallets/hospitals/src/weights.rs`.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::Weight};

/// Weight functions needed by the hospitals pallet.
pub trait WeightInfo {
    fn admit_hospital() -> Weight;
    fn remove_hospital(d: u32) -> Weight;
    fn authorize(k: u32) -> Weight;
    fn withdraw() -> Weight;
    fn add_doctor() -> Weight;
    fn remove_doctor() -> Weight;
}

/// Weights for the hospitals pallet, priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
    /// Reads: Hospitals, DoctorOf, CounterForHospitals, PeerOwners, System.Account, the key and
    /// peer registries (4). Writes: Hospitals, CounterForHospitals, PeerOwners, ValidatorsChanged,
    /// System.Account, the registries (4), the council (2).
    fn admit_hospital() -> Weight {
        Weight::from_parts(60_000_000, 8_000)
            .saturating_add(T::DbWeight::get().reads(9))
            .saturating_add(T::DbWeight::get().writes(11))
    }
    /// Reads: Hospitals, CounterForHospitals, Doctors, every hospital (MaxHospitals), the
    /// registries (4). Writes: the same plus one DoctorOf per doctor (`d`).
    fn remove_hospital(d: u32) -> Weight {
        Weight::from_parts(80_000_000, 12_000)
            .saturating_add(Weight::from_parts(2_000_000, 2_600).saturating_mul(d.into()))
            .saturating_add(T::DbWeight::get().reads(40))
            .saturating_add(T::DbWeight::get().writes(40))
            .saturating_add(T::DbWeight::get().writes(d.into()))
    }
    /// Reads: Hospitals (2). Writes: Authorizations (a `k`-byte search key).
    fn authorize(k: u32) -> Weight {
        Weight::from_parts(25_000_000, 6_000)
            .saturating_add(Weight::from_parts(1_000, 1).saturating_mul(k.into()))
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Reads: Hospitals, Authorizations. Writes: Authorizations.
    fn withdraw() -> Weight {
        Weight::from_parts(20_000_000, 6_000)
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Reads: Hospitals (2), DoctorOf, Doctors, System.Account. Writes: Doctors, DoctorOf,
    /// System.Account.
    fn add_doctor() -> Weight {
        Weight::from_parts(30_000_000, 40_000)
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    /// Reads: Hospitals, DoctorOf, Doctors. Writes: DoctorOf, Doctors.
    fn remove_doctor() -> Weight {
        Weight::from_parts(30_000_000, 40_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
}

/// For tests: every call weighs nothing.
impl WeightInfo for () {
    fn admit_hospital() -> Weight {
        Weight::zero()
    }
    fn remove_hospital(_d: u32) -> Weight {
        Weight::zero()
    }
    fn authorize(_k: u32) -> Weight {
        Weight::zero()
    }
    fn withdraw() -> Weight {
        Weight::zero()
    }
    fn add_doctor() -> Weight {
        Weight::zero()
    }
    fn remove_doctor() -> Weight {
        Weight::zero()
    }
}
