//! # Records pallet
//!
//! The on-chain half of a medical record (`SPEC.md`, steps 4 and 6-9):
//!
//! - **Publication**: a hospital publishes a record it holds: keyword index, key capsule
//!   `CT_Sym` (made under the *current* epoch, or doctors revoked since could open it), payload
//!   SHA-256, size and address (the holding hospital and the hash). Every size is bounded by a
//!   runtime constant and every violation is a named error with nothing stored. The runtime
//!   checks structure only (decodability, the capsule's rows against its policy, lengths); group
//!   elements are validated by the nodes that use them, which keeps publication cheap.
//! - **Withdrawal**: the patient, through their hospital, withdraws a record. It becomes a
//!   tombstone (index and capsule cleared) and [`Event::RecordWithdrawn`] tells the holding
//!   hospital's node to delete the payload.
//! - **Consultations**: the record's hospital opens one; hospitals authorised by it (now, not
//!   expired) submit their doctors' claims with the number of interests matched; when the window
//!   closes, `on_initialize` assigns the doctor with the most matched interests, ties to the
//!   earliest claim, closing at most [`Config::MaxClosingPerBlock`] consultations per block, of
//!   which one hospital's are at most [`Config::MaxClosingPerHospital`]: no hospital can take
//!   the block's slots from the others.

#![cfg_attr(not(feature = "std"), no_std)]
// FRAME's `CloneNoBound` and event derives call `.clone()` on `Copy` fields with the field's span,
// which the lint then blames on this crate.
#![allow(clippy::clone_on_copy)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod traits;
mod types;
pub mod weights;

pub use pallet::*;
pub use types::{Claim, Consultation, Record};
pub use weights::WeightInfo;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use codec::DecodeAll;
    use medchain_crypto::{abe::CapsuleShape, elgamal, index::Index};
    use medchain_types::{CompressedG1, Epoch, HospitalDirectory, RecordId};
    use polkadot_sdk::{
        frame_support::pallet_prelude::*,
        frame_system::{self, pallet_prelude::*},
        sp_runtime::traits::{Saturating, Zero},
    };
    use traits::KeyAuthority;

    /// The layout of this pallet's storage. Version 2 is the layout defined here (version 1
    /// listed closing consultations without their holders, [`migrations::v2`]); a change to any
    /// stored type bumps it and comes with its migration.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Hospitals, doctors and authorisations.
        type Hospitals: HospitalDirectory<Self::AccountId>;

        /// The current epoch and doctors' revocation status.
        type Keys: KeyAuthority<Self::AccountId>;

        /// Longest encoded keyword index, in bytes.
        #[pallet::constant]
        type MaxIndexLen: Get<u32>;

        /// Longest encoded key capsule, in bytes.
        #[pallet::constant]
        type MaxCapsuleLen: Get<u32>;

        /// Largest payload a record may point to, in bytes.
        #[pallet::constant]
        type MaxPayloadSize: Get<u64>;

        /// Blocks a consultation stays open for claims.
        #[pallet::constant]
        type ConsultationWindow: Get<BlockNumberFor<Self>>;

        /// Most claims on one consultation.
        #[pallet::constant]
        type MaxClaims: Get<u32>;

        /// Most consultations closing in one block (bounds `on_initialize`).
        #[pallet::constant]
        type MaxClosingPerBlock: Get<u32>;

        /// Most of one hospital's consultations closing in one block. The runtime makes
        /// `MaxClosingPerBlock` at least this many for every hospital it admits, so that each
        /// always has its share.
        #[pallet::constant]
        type MaxClosingPerHospital: Get<u32>;

        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;

        /// Registers the accounts the benchmarks use.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: traits::BenchmarkHelper<Self::AccountId>;
    }

    /// Every record, tombstones included.
    #[pallet::storage]
    pub type Records<T: Config> = StorageMap<_, Twox64Concat, RecordId, Record<T>>;

    /// The id the next record gets.
    #[pallet::storage]
    pub type NextRecordId<T: Config> = StorageValue<_, RecordId, ValueQuery>;

    /// Records by holding hospital, numbered 0, 1, ... in publication order, so that one page of
    /// a hospital's records is a range of reads.
    #[pallet::storage]
    pub type RecordsOf<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u64, RecordId>;

    /// How many records each hospital has published.
    #[pallet::storage]
    pub type RecordCount<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

    /// Consultations by record.
    #[pallet::storage]
    pub type Consultations<T: Config> = StorageMap<_, Twox64Concat, RecordId, Consultation<T>>;

    /// Consultations closing in each block, each with its record's holder (who has at most
    /// `MaxClosingPerHospital` of them in one block).
    #[pallet::storage]
    pub type ClosingAt<T: Config> = StorageMap<
        _,
        Twox64Concat,
        BlockNumberFor<T>,
        BoundedVec<(RecordId, T::AccountId), T::MaxClosingPerBlock>,
        ValueQuery,
    >;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// `hospital` published record `id`: everything an auditor needs to follow it.
        RecordPublished {
            id: RecordId,
            hospital: T::AccountId,
            payload_hash: [u8; 32],
            payload_size: u64,
            epoch: Epoch,
            policy: Vec<u8>,
        },
        /// Record `id` was withdrawn; `hospital` must delete the payload `payload_hash`.
        RecordWithdrawn {
            id: RecordId,
            hospital: T::AccountId,
            payload_hash: [u8; 32],
        },
        /// A consultation on `record` is open for claims until `closes_at`.
        ConsultationOpened {
            record: RecordId,
            closes_at: BlockNumberFor<T>,
        },
        /// `hospital` claimed `record` for `doctor`, who matched `matched` interests.
        ClaimSubmitted {
            record: RecordId,
            doctor: T::AccountId,
            hospital: T::AccountId,
            matched: u32,
        },
        /// `record` was assigned to `doctor` of `hospital`.
        ConsultationAssigned {
            record: RecordId,
            doctor: T::AccountId,
            hospital: T::AccountId,
            matched: u32,
        },
        /// The window on `record` closed without claims.
        ConsultationLapsed { record: RecordId },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// Only a registered hospital may do this.
        NotAHospital,
        /// The keyword index is larger than `MaxIndexLen`.
        IndexTooLarge,
        /// The patient's key is not a valid compressed G1 point, or is the identity.
        InvalidPatientKey,
        /// The keyword index does not decode.
        UndecodableIndex,
        /// The key capsule is larger than `MaxCapsuleLen`.
        CapsuleTooLarge,
        /// The key capsule does not decode, or its rows do not match its policy.
        MalformedCapsule,
        /// The capsule was made under another epoch than the current one.
        StaleEpoch,
        /// The payload is empty or larger than `MaxPayloadSize`.
        BadPayloadSize,
        /// No record has this id.
        UnknownRecord,
        /// Only the hospital holding the record may do this.
        NotRecordHolder,
        /// The record was withdrawn.
        RecordWithdrawn,
        /// A consultation on this record is already open or was held.
        ConsultationExists,
        /// No consultation on this record.
        NoConsultation,
        /// The consultation's window has closed.
        ConsultationClosed,
        /// Too many consultations already close in that block.
        ClosingBlockFull,
        /// This hospital already has `MaxClosingPerHospital` consultations closing in that
        /// block; open this one in the next block.
        HospitalClosingFull,
        /// The doctor does not work for the claiming hospital.
        NotDoctorOfHospital,
        /// The record's hospital does not authorise the claiming hospital (or no longer does).
        NotAuthorized,
        /// The doctor is revoked for the current epoch or holds no key.
        DoctorNotActive,
        /// The matched-interest count is zero or above the trapdoor limit.
        BadMatchCount,
        /// This doctor already claimed this record.
        DuplicateClaim,
        /// The consultation has `MaxClaims` claims.
        TooManyClaims,
        /// Every record id has been given out.
        RecordIdsExhausted,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            let closing = ClosingAt::<T>::take(now);
            let count = closing.len() as u32;
            closing
                .into_iter()
                .for_each(|(record, _)| Self::close(record));
            T::WeightInfo::on_initialize(count)
        }

        fn integrity_test() {
            assert!(
                T::MaxPayloadSize::get() > 0,
                "MaxPayloadSize must admit a payload"
            );
            assert!(
                T::ConsultationWindow::get() > Zero::zero(),
                "ConsultationWindow must leave a block for claims"
            );
            assert!(T::MaxClaims::get() > 0, "MaxClaims must admit a claim");
            assert!(
                T::MaxClosingPerHospital::get() > 0,
                "MaxClosingPerHospital must let a hospital's consultation close"
            );
            assert!(
                T::MaxClosingPerBlock::get() >= T::MaxClosingPerHospital::get(),
                "MaxClosingPerBlock must hold a hospital's share"
            );
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(
            _: BlockNumberFor<T>,
        ) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Publishes a record whose sealed payload this hospital holds: its keyword `index`,
        /// its key `capsule` `CT_Sym`, the sealed payload's SHA-256 and size, and the patient's
        /// key that reports on it are sealed to.
        ///
        /// The origin must be a registered hospital, which becomes the record's holder. The
        /// capsule must be made under the current epoch: one made earlier could be opened by
        /// doctors revoked since. Nothing is stored unless every check passes.
        ///
        /// Emits [`Event::RecordPublished`]. Errors: `NotAHospital`, `IndexTooLarge`,
        /// `UndecodableIndex`, `CapsuleTooLarge`, `MalformedCapsule`, `StaleEpoch`,
        /// `BadPayloadSize`, `InvalidPatientKey`, `RecordIdsExhausted`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::publish_record(index.len() as u32, capsule.len() as u32))]
        pub fn publish_record(
            origin: OriginFor<T>,
            index: Vec<u8>,
            capsule: Vec<u8>,
            payload_hash: [u8; 32],
            payload_size: u64,
            patient_key: CompressedG1,
        ) -> DispatchResult {
            let hospital = Self::ensure_hospital(origin)?;
            let index: BoundedVec<u8, T::MaxIndexLen> =
                index.try_into().map_err(|_| Error::<T>::IndexTooLarge)?;
            Index::decode_all(&mut &index[..]).map_err(|_| Error::<T>::UndecodableIndex)?;
            let capsule: BoundedVec<u8, T::MaxCapsuleLen> = capsule
                .try_into()
                .map_err(|_| Error::<T>::CapsuleTooLarge)?;
            let shape = CapsuleShape::check(&capsule).map_err(|_| Error::<T>::MalformedCapsule)?;
            ensure!(
                shape.epoch == T::Keys::current_epoch(),
                Error::<T>::StaleEpoch
            );
            ensure!(
                payload_size > 0 && payload_size <= T::MaxPayloadSize::get(),
                Error::<T>::BadPayloadSize
            );
            // An ElGamal key is never the identity: a report sealed to it would be readable by
            // anyone.
            elgamal::PublicKey::decompress(&patient_key)
                .map_err(|_| Error::<T>::InvalidPatientKey)?;
            let id = NextRecordId::<T>::get();
            NextRecordId::<T>::put(id.next().ok_or(Error::<T>::RecordIdsExhausted)?);
            let position = RecordCount::<T>::mutate(&hospital, |count| {
                let position = *count;
                *count = count.saturating_add(1);
                position
            });
            RecordsOf::<T>::insert(&hospital, position, id);
            Records::<T>::insert(
                id,
                Record {
                    hospital: hospital.clone(),
                    index,
                    capsule,
                    payload_hash,
                    payload_size,
                    patient_key,
                    epoch: shape.epoch,
                    published_at: frame_system::Pallet::<T>::block_number(),
                    withdrawn: false,
                },
            );
            Self::deposit_event(Event::RecordPublished {
                id,
                hospital,
                payload_hash,
                payload_size,
                epoch: shape.epoch,
                policy: shape.policy.as_bytes().to_vec(),
            });
            Ok(())
        }

        /// Withdraws a record at the patient's request: it becomes a tombstone, its index and
        /// capsule cleared, and the holder's node deletes the payload.
        ///
        /// The origin must be the record's holding hospital. Emits [`Event::RecordWithdrawn`].
        /// Errors: `NotAHospital`, `UnknownRecord`, `NotRecordHolder`, `RecordWithdrawn`.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::withdraw_record())]
        pub fn withdraw_record(origin: OriginFor<T>, id: RecordId) -> DispatchResult {
            let hospital = Self::ensure_hospital(origin)?;
            Records::<T>::try_mutate(id, |slot| {
                let record = slot.as_mut().ok_or(Error::<T>::UnknownRecord)?;
                ensure!(record.hospital == hospital, Error::<T>::NotRecordHolder);
                ensure!(!record.withdrawn, Error::<T>::RecordWithdrawn);
                record.withdrawn = true;
                record.index = BoundedVec::new();
                record.capsule = BoundedVec::new();
                Self::deposit_event(Event::RecordWithdrawn {
                    id,
                    hospital: hospital.clone(),
                    payload_hash: record.payload_hash,
                });
                Ok(())
            })
        }

        /// Opens a consultation on one of this hospital's records: hospitals it authorises may
        /// claim it for their doctors for [`Config::ConsultationWindow`] blocks.
        ///
        /// The origin must be the record's holding hospital, with fewer than
        /// `MaxClosingPerHospital` consultations closing in the same block. Emits
        /// [`Event::ConsultationOpened`]. Errors: `NotAHospital`, `UnknownRecord`,
        /// `NotRecordHolder`, `RecordWithdrawn`, `ConsultationExists`, `HospitalClosingFull`,
        /// `ClosingBlockFull` (either: retry in the next block).
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::open_consultation())]
        pub fn open_consultation(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
            let hospital = Self::ensure_hospital(origin)?;
            let held = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
            ensure!(held.hospital == hospital, Error::<T>::NotRecordHolder);
            ensure!(!held.withdrawn, Error::<T>::RecordWithdrawn);
            ensure!(
                !Consultations::<T>::contains_key(record),
                Error::<T>::ConsultationExists
            );
            let closes_at = frame_system::Pallet::<T>::block_number()
                .saturating_add(T::ConsultationWindow::get());
            ClosingAt::<T>::try_mutate(closes_at, |list| {
                let own = list
                    .iter()
                    .filter(|(_, holder)| *holder == hospital)
                    .count();
                ensure!(
                    own < T::MaxClosingPerHospital::get() as usize,
                    Error::<T>::HospitalClosingFull
                );
                list.try_push((record, hospital.clone()))
                    .map_err(|_| Error::<T>::ClosingBlockFull)
            })?;
            Consultations::<T>::insert(
                record,
                Consultation {
                    closes_at,
                    claims: BoundedVec::new(),
                    assigned: None,
                    closed: false,
                },
            );
            Self::deposit_event(Event::ConsultationOpened { record, closes_at });
            Ok(())
        }

        /// Claims a record in consultation for one of this hospital's doctors, who matched
        /// `matched` of its interests against the record's index.
        ///
        /// The origin must be a registered hospital: the record's holder, or one the holder
        /// authorises now. The doctor must be its own and hold a key active in the current
        /// epoch. Charged for a consultation with `MaxClaims` claims; the claims it did not
        /// hold are refunded.
        ///
        /// Emits [`Event::ClaimSubmitted`]. Errors: `NotAHospital`, `NotDoctorOfHospital`,
        /// `BadMatchCount`, `UnknownRecord`, `RecordWithdrawn`, `NotAuthorized`,
        /// `DoctorNotActive`, `NoConsultation`, `ConsultationClosed`, `DuplicateClaim`,
        /// `TooManyClaims`.
        ///
        /// ## Complexity
        /// `O(c)` for the `c` claims already made.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::submit_claim(T::MaxClaims::get()))]
        pub fn submit_claim(
            origin: OriginFor<T>,
            record: RecordId,
            doctor: T::AccountId,
            matched: u32,
        ) -> DispatchResultWithPostInfo {
            let hospital = Self::ensure_hospital(origin)?;
            ensure!(
                T::Hospitals::is_doctor_of(&doctor, &hospital),
                Error::<T>::NotDoctorOfHospital
            );
            ensure!(
                matched > 0 && matched as usize <= medchain_crypto::index::MAX_INTERESTS,
                Error::<T>::BadMatchCount
            );
            let held = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
            ensure!(!held.withdrawn, Error::<T>::RecordWithdrawn);
            ensure!(
                held.hospital == hospital || T::Hospitals::authorizes(&held.hospital, &hospital),
                Error::<T>::NotAuthorized
            );
            ensure!(
                T::Keys::is_active_at(&doctor, T::Keys::current_epoch()),
                Error::<T>::DoctorNotActive
            );
            let earlier = Consultations::<T>::try_mutate(record, |slot| {
                let consultation = slot.as_mut().ok_or(Error::<T>::NoConsultation)?;
                ensure!(
                    !consultation.closed
                        && frame_system::Pallet::<T>::block_number() < consultation.closes_at,
                    Error::<T>::ConsultationClosed
                );
                ensure!(
                    consultation.claims.iter().all(|c| c.doctor != doctor),
                    Error::<T>::DuplicateClaim
                );
                consultation
                    .claims
                    .try_push(Claim {
                        doctor: doctor.clone(),
                        hospital: hospital.clone(),
                        matched,
                    })
                    .map_err(|_| Error::<T>::TooManyClaims)?;
                Ok::<_, DispatchError>(consultation.claims.len() as u32 - 1)
            })?;
            Self::deposit_event(Event::ClaimSubmitted {
                record,
                doctor,
                hospital,
                matched,
            });
            Ok(Some(T::WeightInfo::submit_claim(earlier)).into())
        }
    }

    impl<T: Config> Pallet<T> {
        fn ensure_hospital(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
            let who = ensure_signed(origin)?;
            ensure!(T::Hospitals::is_hospital(&who), Error::<T>::NotAHospital);
            Ok(who)
        }

        /// Closes the consultation on `record` and assigns it.
        fn close(record: RecordId) {
            Consultations::<T>::mutate(record, |slot| {
                let Some(consultation) = slot.as_mut() else {
                    return;
                };
                consultation.closed = true;
                consultation.assigned = consultation.winner().cloned();
                match &consultation.assigned {
                    Some(claim) => Self::deposit_event(Event::ConsultationAssigned {
                        record,
                        doctor: claim.doctor.clone(),
                        hospital: claim.hospital.clone(),
                        matched: claim.matched,
                    }),
                    None => Self::deposit_event(Event::ConsultationLapsed { record }),
                }
            });
        }

        /// The records' invariants, checked by `try-runtime` and after every unit test:
        ///
        /// - every record has an id below `NextRecordId` and sits at one position of its
        ///   holder's list, whose positions are `0..RecordCount`; a tombstone keeps no index or
        ///   capsule;
        /// - a consultation is on a record; an open one is listed to close at its `closes_at`,
        ///   a closed one nowhere; its claims name distinct doctors and the assignment is the
        ///   winning claim.
        #[cfg(any(feature = "try-runtime", test))]
        pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            let next = NextRecordId::<T>::get();
            let mut records = 0u64;
            for (id, record) in Records::<T>::iter() {
                ensure!(id < next, "a record id at or beyond NextRecordId");
                ensure!(
                    !record.withdrawn || (record.index.is_empty() && record.capsule.is_empty()),
                    "a withdrawn record keeps its index or capsule"
                );
                records += 1;
            }
            let mut listed = 0u64;
            for (hospital, count) in RecordCount::<T>::iter() {
                for position in 0..count {
                    let id = RecordsOf::<T>::get(&hospital, position)
                        .ok_or("a position of a hospital's record list is empty")?;
                    ensure!(
                        Records::<T>::get(id).is_some_and(|record| record.hospital == hospital),
                        "a hospital's record list names a record it does not hold"
                    );
                }
                listed += count;
            }
            ensure!(
                listed == records && RecordsOf::<T>::iter().count() as u64 == records,
                "a record is missing from its holder's list, or listed twice"
            );
            let mut closing = 0usize;
            for (at, list) in ClosingAt::<T>::iter() {
                for (record, holder) in &list {
                    ensure!(
                        Consultations::<T>::get(record)
                            .is_some_and(|c| !c.closed && c.closes_at == at),
                        "a block closes a consultation that is not open until it"
                    );
                    ensure!(
                        Records::<T>::get(record).is_some_and(|r| r.hospital == *holder),
                        "a closing consultation is listed under another hospital"
                    );
                }
                closing += list.len();
            }
            let mut open = 0usize;
            for (record, consultation) in Consultations::<T>::iter() {
                ensure!(
                    Records::<T>::contains_key(record),
                    "a consultation on no record"
                );
                let mut doctors = alloc::collections::BTreeSet::new();
                ensure!(
                    consultation
                        .claims
                        .iter()
                        .all(|claim| doctors.insert(&claim.doctor)),
                    "a doctor claimed a record twice"
                );
                if consultation.closed {
                    ensure!(
                        consultation.assigned.as_ref() == consultation.winner(),
                        "a closed consultation is not assigned to its winning claim"
                    );
                } else {
                    ensure!(
                        consultation.assigned.is_none(),
                        "an open consultation is assigned"
                    );
                    open += 1;
                }
            }
            ensure!(
                open == closing,
                "an open consultation is not listed to close, or listed twice"
            );
            Ok(())
        }

        /// One page of `hospital`'s records: positions `start ..` in publication order, at most
        /// `limit` of them (tombstones included, so positions stay stable).
        pub fn records_of(
            hospital: &T::AccountId,
            start: u64,
            limit: u32,
        ) -> Vec<(RecordId, Record<T>)> {
            let end = RecordCount::<T>::get(hospital).min(start.saturating_add(limit.into()));
            (start..end)
                .filter_map(|position| RecordsOf::<T>::get(hospital, position))
                .filter_map(|id| Records::<T>::get(id).map(|record| (id, record)))
                .collect()
        }

        /// The doctor assigned to `record`, if its consultation closed with one.
        pub fn assigned_doctor(record: RecordId) -> Option<T::AccountId> {
            Consultations::<T>::get(record)
                .and_then(|c| c.assigned)
                .map(|claim| claim.doctor)
        }
    }
}
