//! Weights of the results pallet's calls.
//!
//! Not yet measured by FRAME benchmarks (they need a record directory that can plant a record
//! with a known patient key; see the issue notes). Until then, these are the storage accesses
//! each call makes, priced with the runtime's `DbWeight`, plus an execution estimate; `dispute`
//! is dominated by the proof check: four G1 scalar multiplications and three point decodings.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::Weight};

/// Weight functions needed by the results pallet.
pub trait WeightInfo {
    fn log_access(a: u32) -> Weight;
    fn submit_report() -> Weight;
    fn dispute() -> Weight;
}

/// Weights for the results pallet, priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
    /// Reads: the hospital directory (2), the record directory, Accesses (`a` entries).
    /// Writes: Accesses.
    fn log_access(a: u32) -> Weight {
        Weight::from_parts(25_000_000, 4_000)
            .saturating_add(Weight::from_parts(50_000, 90).saturating_mul(a.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Reads: the directories (3), ReportOf, NextReportId. Writes: NextReportId, ReportOf,
    /// Reports. Execution: one point decoding with its subgroup check.
    fn submit_report() -> Weight {
        Weight::from_parts(150_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    /// Reads: Reports, the record directory, Disputes. Writes: Disputes. Execution: the proof.
    fn dispute() -> Weight {
        Weight::from_parts(900_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(1))
    }
}

/// For tests: no weight.
impl WeightInfo for () {
    fn log_access(_: u32) -> Weight {
        Weight::zero()
    }
    fn submit_report() -> Weight {
        Weight::zero()
    }
    fn dispute() -> Weight {
        Weight::zero()
    }
}
