//! Weights of the records pallet's calls.
//!
//! The benchmarks that measure them are in `benchmarking.rs`. Until they are generated on
//! reference hardware (see the runtime's README for the command), these are the storage accesses
//! each call makes, priced with the runtime's `DbWeight`, plus an execution estimate that grows
//! with the bytes decoded and stored.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::Weight};

/// Weight functions needed by the records pallet.
pub trait WeightInfo {
    fn publish_record(i: u32, c: u32) -> Weight;
    fn withdraw_record() -> Weight;
    fn open_consultation() -> Weight;
    fn submit_claim(c: u32) -> Weight;
    fn on_initialize(n: u32) -> Weight;
}

/// Weights for the records pallet, priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
    /// Reads: the hospital directory, the KGC's epoch, NextRecordId, RecordCount.
    /// Writes: NextRecordId, RecordCount, RecordsOf, Records (`i + c` bytes).
    fn publish_record(i: u32, c: u32) -> Weight {
        Weight::from_parts(40_000_000, 4_000)
            .saturating_add(Weight::from_parts(3_000, 1).saturating_mul((i + c).into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Reads: the hospital directory, Records. Writes: Records.
    fn withdraw_record() -> Weight {
        Weight::from_parts(25_000_000, 20_000)
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Reads: the hospital directory, Records, Consultations, ClosingAt.
    /// Writes: ClosingAt, Consultations.
    fn open_consultation() -> Weight {
        Weight::from_parts(25_000_000, 20_000)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Reads: the hospital directory (3), the KGC (2), Records, Consultations (`c` claims).
    /// Writes: Consultations.
    fn submit_claim(c: u32) -> Weight {
        Weight::from_parts(30_000_000, 20_000)
            .saturating_add(Weight::from_parts(200_000, 100).saturating_mul(c.into()))
            .saturating_add(T::DbWeight::get().reads(7))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Reads: ClosingAt, one Consultations per closing record (`n`). Writes: the same.
    fn on_initialize(n: u32) -> Weight {
        Weight::from_parts(5_000_000, 1_000)
            .saturating_add(Weight::from_parts(15_000_000, 5_000).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(1 + u64::from(n)))
            .saturating_add(T::DbWeight::get().writes(1 + u64::from(n)))
    }
}

/// For tests: no weight.
impl WeightInfo for () {
    fn publish_record(_: u32, _: u32) -> Weight {
        Weight::zero()
    }
    fn withdraw_record() -> Weight {
        Weight::zero()
    }
    fn open_consultation() -> Weight {
        Weight::zero()
    }
    fn submit_claim(_: u32) -> Weight {
        Weight::zero()
    }
    fn on_initialize(_: u32) -> Weight {
        Weight::zero()
    }
}
