//! What the results pallet asks of the rest of the runtime.
//!
//! Hospitals and doctors come from [`medchain_types::HospitalDirectory`], which the records and
//! KGC pallets ask too.

use medchain_types::{CompressedG1, RecordId};

/// What the results pallet needs to know about a record (the records pallet in the runtime).
pub trait RecordDirectory<AccountId> {
    /// The hospital holding record `record`, with the patient's 48-byte encryption key, if the
    /// record exists.
    fn holder(record: RecordId) -> Option<(AccountId, CompressedG1)>;
    /// The doctor assigned to `record` by its consultation, if any.
    fn assigned_doctor(record: RecordId) -> Option<AccountId>;
}

/// Puts what a benchmark needs into the runtime's registries, so that every benchmark runs its
/// call's worst case instead of failing the caller checks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// A registered hospital, a distinct one for each `n`.
    fn hospital(n: u32) -> AccountId;
    /// A doctor of `hospital`, a distinct one for each `n`.
    fn doctor(hospital: &AccountId, n: u32) -> AccountId;
    /// A record held by `hospital` for the patient whose key is `patient_key`, assigned to
    /// `doctor`.
    fn record(hospital: &AccountId, patient_key: CompressedG1, doctor: &AccountId) -> RecordId;
}
