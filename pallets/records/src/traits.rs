//! What the records pallet asks of the rest of the runtime.
//!
//! Hospitals, doctors and authorisations come from [`medchain_types::HospitalDirectory`], which
//! the results and KGC pallets ask too.

use medchain_types::Epoch;

/// The key generation centre's state (the KGC pallet in the runtime).
pub trait KeyAuthority<AccountId> {
    /// The current epoch: new capsules must be made under it.
    fn current_epoch() -> Epoch;
    /// Whether `doctor` holds a tree leaf that is not revoked at `epoch`.
    fn is_active_at(doctor: &AccountId, epoch: Epoch) -> bool;
}

/// Puts what a benchmark needs into the runtime's registries, so that every benchmark runs its
/// call's worst case instead of failing the caller checks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// A registered hospital, a distinct one for each `n`.
    fn hospital(n: u32) -> AccountId;
    /// A doctor of `hospital` holding an unrevoked key, a distinct one for each `n`.
    fn doctor(hospital: &AccountId, n: u32) -> AccountId;
    /// Makes `from` authorise `to` now.
    fn authorize(from: &AccountId, to: &AccountId);
}
