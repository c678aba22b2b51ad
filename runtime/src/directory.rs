//! How the pallets see each other. Each pallet states what it needs as a small trait; here the
//! hospitals pallet answers for hospitals, doctors and authorisations, the KGC pallet for keys
//! and epochs, and the records pallet for records.

use crate::{AccountId, Runtime};
use medchain_types::{CompressedG1, Epoch, HospitalDirectory, RecordId};
use polkadot_sdk::frame_support::traits::Contains;

type Hospitals = pallet_hospitals::Pallet<Runtime>;
type Kgc = pallet_kgc::Pallet<Runtime>;
type Records = pallet_records::Pallet<Runtime>;

/// Hospitals, their doctors and their authorisations, from the hospitals pallet.
pub struct Directory;

impl HospitalDirectory<AccountId> for Directory {
    fn is_hospital(who: &AccountId) -> bool {
        Hospitals::is_hospital(who)
    }

    fn hospital_of(doctor: &AccountId) -> Option<AccountId> {
        Hospitals::hospital_of(doctor)
    }

    fn authorizes(from: &AccountId, to: &AccountId) -> bool {
        Hospitals::authorizes(from, to)
    }
}

/// The current epoch and doctors' keys and revocation status, from the KGC pallet.
pub struct KeyAuthority;

impl pallet_hospitals::traits::DoctorKeys<AccountId> for KeyAuthority {
    fn holds_unrevoked_key(doctor: &AccountId) -> bool {
        Kgc::holds_unrevoked_key(doctor)
    }

    #[cfg(feature = "runtime-benchmarks")]
    fn revoked_for_benchmark(doctor: &AccountId) {
        crate::benchmarks::Accounts::revoke_with_full_list(doctor);
    }
}

impl pallet_records::traits::KeyAuthority<AccountId> for KeyAuthority {
    fn current_epoch() -> Epoch {
        pallet_kgc::CurrentEpoch::<Runtime>::get()
    }

    fn is_active_at(doctor: &AccountId, epoch: Epoch) -> bool {
        Kgc::is_active_at(doctor, epoch)
    }
}

/// The KGC account: it signs transactions without being a hospital or a doctor.
pub struct KgcAccount;

impl Contains<AccountId> for KgcAccount {
    fn contains(who: &AccountId) -> bool {
        pallet_kgc::KgcAccount::<Runtime>::get().as_ref() == Some(who)
    }
}

/// Records' holders, patients' keys and assignments, from the records pallet.
pub struct RecordDirectory;

impl pallet_results::traits::RecordDirectory<AccountId> for RecordDirectory {
    fn holder(record: RecordId) -> Option<(AccountId, CompressedG1)> {
        pallet_records::Records::<Runtime>::get(record).map(|r| (r.hospital, r.patient_key))
    }

    fn assigned_doctor(record: RecordId) -> Option<AccountId> {
        Records::assigned_doctor(record)
    }
}
