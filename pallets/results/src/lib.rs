//! # Results pallet
//!
//! What happens after a record is opened (`SPEC.md`, steps 10-11):
//!
//! - **Access log**: a hospital's node records every access it serves: a payload fetch or a
//!   pre-decryption for one of its own doctors, and a payload of one of its own records served
//!   over the transfer protocol to another hospital's node. Only the serving hospital logs its
//!   own accesses, at most [`Config::MaxAccessesPerHospital`] per block: each hospital has its
//!   own share of the log, so that none can crowd another's entries out of a block. The log is
//!   kept whatever the access was: judging it against authorisations, assignments and
//!   revocations is the auditor's job, and a refused log entry would hide an access rather than
//!   prevent it.
//! - **Reports**: the doctor assigned to a record submits the report sealed to the patient's key
//!   (hashed ElGamal): its payload address and hash and the ElGamal ephemeral `R`.
//! - **Disputes**: the patient's hospital publishes `S = R^x` with a Chaum-Pedersen proof; the
//!   runtime verifies it ([`medchain_crypto::dleq`]) and records the verdict, after which anyone
//!   can read exactly what the doctor sent. A forged proof is rejected and nothing is stored.

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
pub use types::{Access, AccessKind, Dispute, Report};
pub use weights::WeightInfo;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
    use super::*;
    use codec::Decode;
    use medchain_crypto::{
        dleq::{self, Disclosure, Proof},
        elgamal::PublicKey,
        encoding::G1Point,
    };
    use medchain_types::{CompressedG1, HospitalDirectory, RecordId, ReportId};
    use polkadot_sdk::{
        frame_support::pallet_prelude::*,
        frame_system::{self, pallet_prelude::*},
    };
    use traits::RecordDirectory;

    /// The layout of this pallet's storage. Version 2 is the layout defined here (version 1
    /// kept one access log per block, [`migrations::v2`]); a change to any stored type bumps it
    /// and comes with its migration.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Hospitals and their doctors.
        type Hospitals: HospitalDirectory<Self::AccountId>;

        /// Records: holder, patient key, assignment.
        type Records: RecordDirectory<Self::AccountId>;

        /// Most accesses one hospital logs in one block. A share per hospital, not one for the
        /// block: a hospital that floods the log fills only its own.
        #[pallet::constant]
        type MaxAccessesPerHospital: Get<u32>;

        /// Largest sealed report, in bytes.
        #[pallet::constant]
        type MaxReportSize: Get<u64>;

        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;

        /// Registers the accounts the benchmarks use.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: traits::BenchmarkHelper<Self::AccountId>;
    }

    /// The accesses each hospital logged in each block.
    #[pallet::storage]
    pub type Accesses<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        BlockNumberFor<T>,
        Blake2_128Concat,
        T::AccountId,
        BoundedVec<Access<T>, T::MaxAccessesPerHospital>,
        ValueQuery,
    >;

    /// Every report.
    #[pallet::storage]
    pub type Reports<T: Config> = StorageMap<_, Twox64Concat, ReportId, Report<T>>;

    /// The id the next report gets.
    #[pallet::storage]
    pub type NextReportId<T: Config> = StorageValue<_, ReportId, ValueQuery>;

    /// The report on each record (one per record: its assigned doctor's).
    #[pallet::storage]
    pub type ReportOf<T: Config> = StorageMap<_, Twox64Concat, RecordId, ReportId>;

    /// Each report by the address of its sealed payload: what the doctor's hospital's node
    /// asks when the record's holder fetches that payload from it.
    #[pallet::storage]
    pub type ReportByPayload<T: Config> = StorageMap<_, Identity, [u8; 32], ReportId>;

    /// Settled disputes, by report.
    #[pallet::storage]
    pub type Disputes<T: Config> = StorageMap<_, Twox64Concat, ReportId, Dispute<T>>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// `hospital`'s node served `record` to `doctor`.
        AccessLogged {
            record: RecordId,
            hospital: T::AccountId,
            doctor: T::AccountId,
            kind: AccessKind,
        },
        /// `holder`'s node served the sealed payload of its record `record` to `to`'s node.
        PayloadTransferred {
            record: RecordId,
            holder: T::AccountId,
            to: T::AccountId,
        },
        /// `doctor` of `hospital` reported on `record`.
        ReportSubmitted {
            id: ReportId,
            record: RecordId,
            doctor: T::AccountId,
            hospital: T::AccountId,
            payload_hash: [u8; 32],
            ephemeral: CompressedG1,
        },
        /// The patient disclosed report `report`'s key with a valid proof: anyone can read it.
        ReportDisclosed {
            report: ReportId,
            filed_by: T::AccountId,
            shared: CompressedG1,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// Only a registered hospital may do this.
        NotAHospital,
        /// The doctor does not work for this hospital (or for any).
        NotDoctorOfHospital,
        /// No record has this id.
        UnknownRecord,
        /// This hospital's share of this block's access log is full; log it in the next block.
        TooManyAccesses,
        /// Only the record's holder serves its payload to other hospitals' nodes.
        NotRecordHolder,
        /// Only the doctor assigned to the record may report on it.
        NotAssigned,
        /// The record already has its report, or a report with the same payload exists.
        ReportExists,
        /// The report is empty or larger than `MaxReportSize`.
        BadReportSize,
        /// A point that is not a valid compressed G1 element.
        InvalidPoint,
        /// No report has this id.
        UnknownReport,
        /// Only the hospital holding the patient's record may dispute its report.
        NotPatientsHospital,
        /// The report was already disputed.
        AlreadyDisputed,
        /// The disclosure's proof does not verify: it is forged or for another key.
        InvalidProof,
        /// Every report id has been given out.
        ReportIdsExhausted,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn integrity_test() {
            assert!(
                T::MaxAccessesPerHospital::get() > 0,
                "MaxAccessesPerHospital must let a node log an access"
            );
            assert!(
                T::MaxReportSize::get() > 0,
                "MaxReportSize must admit a report"
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
        /// Logs an access this hospital's node served to one of its doctors: a payload fetch or
        /// a pre-decryption of `record`.
        ///
        /// The origin must be a registered hospital, the doctor's. The entry is kept whatever
        /// the access was (the auditor judges it). Charged for a full share of the block's log;
        /// the entries the share did not hold yet are refunded.
        ///
        /// Emits [`Event::AccessLogged`]. Errors: `NotAHospital`, `NotDoctorOfHospital`,
        /// `UnknownRecord`, `TooManyAccesses` (log it in the next block).
        ///
        /// ## Complexity
        /// `O(a)` for the `a` accesses the hospital already logged in the block.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::log_access(T::MaxAccessesPerHospital::get()))]
        pub fn log_access(
            origin: OriginFor<T>,
            record: RecordId,
            doctor: T::AccountId,
            kind: AccessKind,
        ) -> DispatchResultWithPostInfo {
            let hospital = ensure_signed(origin)?;
            ensure!(
                T::Hospitals::is_hospital(&hospital),
                Error::<T>::NotAHospital
            );
            ensure!(
                T::Hospitals::hospital_of(&doctor).as_ref() == Some(&hospital),
                Error::<T>::NotDoctorOfHospital
            );
            ensure!(
                T::Records::holder(record).is_some(),
                Error::<T>::UnknownRecord
            );
            let access = Access::ToDoctor {
                record,
                doctor: doctor.clone(),
                kind,
            };
            let earlier = Self::append(&hospital, access)?;
            Self::deposit_event(Event::AccessLogged {
                record,
                hospital,
                doctor,
                kind,
            });
            Ok(Some(T::WeightInfo::log_access(earlier)).into())
        }

        /// Logs that this hospital's node served the sealed payload of its record `record` over
        /// the transfer protocol to hospital `to`'s node.
        ///
        /// The origin must be the record's holder: only the holder serves a record's payload
        /// to other nodes. `to` must be a registered hospital. The entry is kept whatever the
        /// access was (the auditor judges it). Its reads and write are `log_access`'s (the
        /// origin, the other party, the record, the hospital's share of the log), so it is
        /// charged and refunded by that call's measured weight.
        ///
        /// Emits [`Event::PayloadTransferred`]. Errors: `NotAHospital`, `UnknownRecord`,
        /// `NotRecordHolder`, `TooManyAccesses` (log it in the next block).
        ///
        /// ## Complexity
        /// `O(a)` for the `a` accesses the hospital already logged in the block.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::log_access(T::MaxAccessesPerHospital::get()))]
        pub fn log_transfer(
            origin: OriginFor<T>,
            record: RecordId,
            to: T::AccountId,
        ) -> DispatchResultWithPostInfo {
            let holder = ensure_signed(origin)?;
            ensure!(
                T::Hospitals::is_hospital(&holder) && T::Hospitals::is_hospital(&to),
                Error::<T>::NotAHospital
            );
            let (held_by, _) = T::Records::holder(record).ok_or(Error::<T>::UnknownRecord)?;
            ensure!(held_by == holder, Error::<T>::NotRecordHolder);
            let access = Access::ToNode {
                record,
                hospital: to.clone(),
            };
            let earlier = Self::append(&holder, access)?;
            Self::deposit_event(Event::PayloadTransferred { record, holder, to });
            Ok(Some(T::WeightInfo::log_access(earlier)).into())
        }

        /// Submits the assigned doctor's report on `record`, sealed to the patient's key: the
        /// sealed payload's SHA-256 and size (the doctor's hospital holds it) and the ElGamal
        /// ephemeral `R`.
        ///
        /// The origin must be the doctor the record's consultation assigned. Emits
        /// [`Event::ReportSubmitted`]. Errors: `NotDoctorOfHospital`, `UnknownRecord`,
        /// `NotAssigned`, `ReportExists`, `BadReportSize`, `InvalidPoint`, `ReportIdsExhausted`.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::submit_report())]
        pub fn submit_report(
            origin: OriginFor<T>,
            record: RecordId,
            payload_hash: [u8; 32],
            payload_size: u64,
            ephemeral: CompressedG1,
        ) -> DispatchResult {
            let doctor = ensure_signed(origin)?;
            let hospital =
                T::Hospitals::hospital_of(&doctor).ok_or(Error::<T>::NotDoctorOfHospital)?;
            let (_, patient_key) = T::Records::holder(record).ok_or(Error::<T>::UnknownRecord)?;
            ensure!(
                T::Records::assigned_doctor(record).as_ref() == Some(&doctor),
                Error::<T>::NotAssigned
            );
            ensure!(
                !ReportOf::<T>::contains_key(record)
                    && !ReportByPayload::<T>::contains_key(payload_hash),
                Error::<T>::ReportExists
            );
            ensure!(
                payload_size > 0 && payload_size <= T::MaxReportSize::get(),
                Error::<T>::BadReportSize
            );
            G1Point::decompress(&ephemeral).map_err(|_| Error::<T>::InvalidPoint)?;
            let id = NextReportId::<T>::get();
            NextReportId::<T>::put(id.next().ok_or(Error::<T>::ReportIdsExhausted)?);
            ReportOf::<T>::insert(record, id);
            ReportByPayload::<T>::insert(payload_hash, id);
            Reports::<T>::insert(
                id,
                Report {
                    record,
                    doctor: doctor.clone(),
                    hospital: hospital.clone(),
                    payload_hash,
                    payload_size,
                    ephemeral,
                    patient_key,
                    submitted_at: frame_system::Pallet::<T>::block_number(),
                },
            );
            Self::deposit_event(Event::ReportSubmitted {
                id,
                record,
                doctor,
                hospital,
                payload_hash,
                ephemeral,
            });
            Ok(())
        }

        /// Files the patient's dispute of `report`: the disclosed `S = R^x` and its
        /// Chaum-Pedersen proof against the patient's key. Once it verifies, anyone can read what
        /// the doctor sent; a forged proof stores nothing.
        ///
        /// The origin must be the hospital holding the patient's record. Emits
        /// [`Event::ReportDisclosed`]. Errors: `UnknownReport`, `UnknownRecord`,
        /// `NotPatientsHospital`, `AlreadyDisputed`, `InvalidPoint`, `InvalidProof`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::dispute())]
        pub fn dispute(
            origin: OriginFor<T>,
            report: ReportId,
            shared: CompressedG1,
            proof: [u8; 64],
        ) -> DispatchResult {
            let filed_by = ensure_signed(origin)?;
            let held = Reports::<T>::get(report).ok_or(Error::<T>::UnknownReport)?;
            let (holder, _) = T::Records::holder(held.record).ok_or(Error::<T>::UnknownRecord)?;
            ensure!(holder == filed_by, Error::<T>::NotPatientsHospital);
            ensure!(
                !Disputes::<T>::contains_key(report),
                Error::<T>::AlreadyDisputed
            );
            let point =
                |compressed| G1Point::decompress(compressed).map_err(|_| Error::<T>::InvalidPoint);
            let patient =
                PublicKey::decompress(&held.patient_key).map_err(|_| Error::<T>::InvalidPoint)?;
            let ephemeral = point(&held.ephemeral)?;
            let disclosure = Disclosure {
                shared: point(&shared)?,
                proof: Proof::decode(&mut &proof[..]).map_err(|_| Error::<T>::InvalidProof)?,
            };
            dleq::verify(&patient, &ephemeral, &disclosure)
                .map_err(|_| Error::<T>::InvalidProof)?;
            Disputes::<T>::insert(
                report,
                Dispute {
                    shared,
                    filed_by: filed_by.clone(),
                    decided_at: frame_system::Pallet::<T>::block_number(),
                },
            );
            Self::deposit_event(Event::ReportDisclosed {
                report,
                filed_by,
                shared,
            });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Appends `access` to `hospital`'s share of this block's log; how many entries the
        /// share held before it.
        fn append(hospital: &T::AccountId, access: Access<T>) -> Result<u32, Error<T>> {
            let block = frame_system::Pallet::<T>::block_number();
            Accesses::<T>::try_mutate(block, hospital, |log| {
                log.try_push(access).map(|()| log.len() as u32 - 1)
            })
            .map_err(|_| Error::<T>::TooManyAccesses)
        }

        /// The results' invariants, checked by `try-runtime` and after every unit test: every
        /// report has an id below `NextReportId` and is found both by its record and by its
        /// payload, and nothing else is; a dispute is on a report.
        #[cfg(any(feature = "try-runtime", test))]
        pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            let next = NextReportId::<T>::get();
            let mut reports = 0usize;
            for (id, report) in Reports::<T>::iter() {
                ensure!(id < next, "a report id at or beyond NextReportId");
                ensure!(
                    ReportOf::<T>::get(report.record) == Some(id),
                    "a report is not its record's report"
                );
                ensure!(
                    ReportByPayload::<T>::get(report.payload_hash) == Some(id),
                    "a report is not found by its payload"
                );
                reports += 1;
            }
            ensure!(
                ReportOf::<T>::iter().count() == reports
                    && ReportByPayload::<T>::iter().count() == reports,
                "a record or a payload names a report that does not name it"
            );
            for report in Disputes::<T>::iter_keys() {
                ensure!(Reports::<T>::contains_key(report), "a dispute of no report");
            }
            Ok(())
        }

        /// The report on `record`, if its assigned doctor submitted one.
        pub fn report_on(record: RecordId) -> Option<(ReportId, Report<T>)> {
            let id = ReportOf::<T>::get(record)?;
            Reports::<T>::get(id).map(|report| (id, report))
        }

        /// The report whose sealed payload is `payload_hash`.
        pub fn report_by_payload(payload_hash: &[u8; 32]) -> Option<(ReportId, Report<T>)> {
            let id = ReportByPayload::<T>::get(payload_hash)?;
            Reports::<T>::get(id).map(|report| (id, report))
        }

        /// The shared point `S` the patient disclosed for `report`, if it was disputed.
        pub fn disclosure(report: ReportId) -> Option<CompressedG1> {
            Disputes::<T>::get(report).map(|dispute| dispute.shared)
        }
    }
}
