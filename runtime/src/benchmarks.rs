//! What the FRAME benchmarks run on: the pallets to measure, and the accounts, hospitals,
//! doctors and records their worst cases need, written straight into the pallets' storage.

use crate::{AccountId, Runtime, RuntimeOrigin};
use alloc::vec::Vec;
use codec::Encode;
use medchain_types::{CompressedG1, Epoch, LeafIndex, RecordId, Revocation};
use polkadot_sdk::{
    frame_benchmarking::account,
    frame_support::{traits::Get, BoundedVec},
    frame_system,
};

polkadot_sdk::frame_benchmarking::define_benchmarks!(
    [pallet_hospitals, Hospitals]
    [pallet_kgc, Kgc]
    [pallet_records, Records]
    [pallet_results, Results]
);

/// Registers benchmark accounts in the hospitals, KGC and records pallets.
pub struct Accounts;

impl Accounts {
    fn hospital(n: u32) -> AccountId {
        pallet_hospitals::benchmarking::hospital::<Runtime>("hospital", n)
    }

    /// Doctor `n` of `hospital`: a distinct account for each hospital.
    fn doctor(hospital: &AccountId, n: u32) -> AccountId {
        let hospital_seed = u32::from_le_bytes(
            hospital.encode()[..4]
                .try_into()
                .expect("an account id is longer than 4 bytes"),
        );
        let doctor: AccountId = account("doctor", n, hospital_seed);
        if !pallet_hospitals::Pallet::<Runtime>::is_doctor_of(&doctor, hospital) {
            pallet_hospitals::Pallet::<Runtime>::add_doctor(
                RuntimeOrigin::signed(hospital.clone()),
                doctor.clone(),
            )
            .expect("a registered hospital adds a new doctor");
        }
        doctor
    }

    /// Gives `doctor` the next tree leaf, as the KGC would.
    fn give_leaf(doctor: &AccountId) -> LeafIndex {
        let leaf = pallet_kgc::NextLeaf::<Runtime>::mutate(|next| {
            let leaf = *next;
            *next = leaf.next().expect("benchmarks hand out few leaves");
            leaf
        });
        pallet_kgc::LeafOf::<Runtime>::insert(doctor, leaf);
        leaf
    }

    /// Gives `doctor` a leaf and revokes it last in a full revocation list, so that finding the
    /// doctor's revocation reads and scans the whole list.
    pub(crate) fn revoke_with_full_list(doctor: &AccountId) {
        let leaf = Self::give_leaf(doctor);
        let max: u32 = <Runtime as pallet_kgc::Config>::MaxRevocations::get();
        let epoch = Epoch::new(1);
        let others = (0..u64::from(max.saturating_sub(1))).map(|i| Revocation {
            // Leaves no doctor holds: past the ones handed out.
            leaf: LeafIndex::new(leaf.get() + 1 + i),
            epoch,
        });
        let list: Vec<_> = others
            .chain(core::iter::once(Revocation { leaf, epoch }))
            .collect();
        pallet_kgc::Revocations::<Runtime>::put(
            BoundedVec::try_from(list).expect("MaxRevocations entries fit"),
        );
        pallet_kgc::CurrentEpoch::<Runtime>::put(epoch);
    }
}

impl pallet_kgc::BenchmarkHelper<AccountId> for Accounts {
    fn doctor(n: u32) -> AccountId {
        Self::doctor(&Self::hospital(0), n)
    }
}

impl pallet_records::traits::BenchmarkHelper<AccountId> for Accounts {
    fn hospital(n: u32) -> AccountId {
        Self::hospital(n)
    }

    fn doctor(hospital: &AccountId, n: u32) -> AccountId {
        let doctor = Self::doctor(hospital, n);
        if !pallet_kgc::LeafOf::<Runtime>::contains_key(&doctor) {
            Self::give_leaf(&doctor);
        }
        doctor
    }

    fn authorize(from: &AccountId, to: &AccountId) {
        pallet_hospitals::Pallet::<Runtime>::authorize(
            RuntimeOrigin::signed(from.clone()),
            to.clone(),
            u32::MAX,
            Default::default(),
        )
        .expect("a registered hospital authorises another");
    }
}

impl pallet_results::traits::BenchmarkHelper<AccountId> for Accounts {
    fn hospital(n: u32) -> AccountId {
        Self::hospital(n)
    }

    fn doctor(hospital: &AccountId, n: u32) -> AccountId {
        Self::doctor(hospital, n)
    }

    fn record(hospital: &AccountId, patient_key: CompressedG1, doctor: &AccountId) -> RecordId {
        let id = pallet_records::NextRecordId::<Runtime>::mutate(|next| {
            let id = *next;
            *next = id.next().expect("a benchmark gives out few record ids");
            id
        });
        let now = frame_system::Pallet::<Runtime>::block_number();
        pallet_records::Records::<Runtime>::insert(
            id,
            pallet_records::Record {
                hospital: hospital.clone(),
                index: BoundedVec::new(),
                capsule: BoundedVec::new(),
                payload_hash: [0; 32],
                payload_size: 1,
                patient_key,
                epoch: Epoch::new(0),
                published_at: now,
                withdrawn: false,
            },
        );
        let claim = pallet_records::Claim {
            doctor: doctor.clone(),
            hospital: pallet_hospitals::Pallet::<Runtime>::hospital_of(doctor)
                .expect("benchmark doctors belong to a hospital"),
            matched: 1,
        };
        pallet_records::Consultations::<Runtime>::insert(
            id,
            pallet_records::Consultation {
                closes_at: now,
                claims: BoundedVec::new(),
                assigned: Some(claim),
                closed: true,
            },
        );
        id
    }
}
