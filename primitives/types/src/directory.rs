//! What the pallets ask of the hospitals registry, stated once.
//!
//! The records, results and KGC pallets each need a few facts about hospitals and doctors; one
//! trait for all of them means one implementation in the runtime (the hospitals pallet answers)
//! and one meaning of "a doctor of this hospital" everywhere.

/// The hospitals registry: which accounts are hospitals, whose doctors are whose, and who
/// authorises whom.
pub trait HospitalDirectory<AccountId: PartialEq> {
    /// Whether `who` is a registered hospital.
    fn is_hospital(who: &AccountId) -> bool;

    /// The hospital `doctor` works for, if `doctor` is a doctor.
    fn hospital_of(doctor: &AccountId) -> Option<AccountId>;

    /// Whether `from` authorises `to` to search its records now (granted and not expired).
    fn authorizes(from: &AccountId, to: &AccountId) -> bool;

    /// Whether `who` is a doctor of any hospital.
    fn is_doctor(who: &AccountId) -> bool {
        Self::hospital_of(who).is_some()
    }

    /// Whether `doctor` works for `hospital`.
    fn is_doctor_of(doctor: &AccountId, hospital: &AccountId) -> bool {
        Self::hospital_of(doctor).as_ref() == Some(hospital)
    }
}
