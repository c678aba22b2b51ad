//! Weights of the KGC pallet's calls.
//!
//! The benchmarks that measure them are in `benchmarking.rs`. Until they are generated on
//! reference hardware (see the runtime's README for the command), these are the storage accesses
//! each call makes, priced with the runtime's `DbWeight`, plus execution time estimated from the
//! work: `KUNodes` over `r` revocations of a depth-`d` tree touches at most `r * (d + 1)` nodes.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::Weight};

/// Weight functions needed by the KGC pallet.
pub trait WeightInfo {
    fn set_kgc() -> Weight;
    fn assign_leaf() -> Weight;
    fn revoke(r: u32) -> Weight;
    fn publish_update_key(r: u32) -> Weight;
}

/// Weights for the KGC pallet, priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
    /// Writes: KgcAccount.
    fn set_kgc() -> Weight {
        Weight::from_parts(10_000_000, 1_500).saturating_add(T::DbWeight::get().writes(1))
    }
    /// Reads: KgcAccount, TreeDepth, the doctor directory, LeafOf, NextLeaf.
    /// Writes: NextLeaf, LeafOf.
    fn assign_leaf() -> Weight {
        Weight::from_parts(20_000_000, 3_500)
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Reads: KgcAccount, LeafOf, CurrentEpoch, Revocations (`r` entries of 16 bytes).
    /// Writes: Revocations, StaleUpdateKey.
    fn revoke(r: u32) -> Weight {
        Weight::from_parts(20_000_000, 3_500)
            .saturating_add(Weight::from_parts(20_000, 16).saturating_mul(r.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Reads: KgcAccount, CurrentEpoch, TreeDepth, Revocations. Writes: UpdateKeys, StaleUpdateKey,
    /// CurrentEpoch. Execution: `KUNodes` over `r` entries, and hashing and storing the key,
    /// whose node set (so its size) that list determines: about `r * d` nodes of 200 bytes.
    fn publish_update_key(r: u32) -> Weight {
        Weight::from_parts(30_000_000, 4_000)
            .saturating_add(Weight::from_parts(2_000_000, 4_000).saturating_mul(r.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(3))
    }
}

/// For tests: no weight.
impl WeightInfo for () {
    fn set_kgc() -> Weight {
        Weight::zero()
    }
    fn assign_leaf() -> Weight {
        Weight::zero()
    }
    fn revoke(_: u32) -> Weight {
        Weight::zero()
    }
    fn publish_update_key(_: u32) -> Weight {
        Weight::zero()
    }
}
