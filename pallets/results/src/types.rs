//! What the results pallet stores: accesses, reports and disputes.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use medchain_types::{CompressedG1, RecordId};
use polkadot_sdk::{
    frame_support::{CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
    frame_system::pallet_prelude::BlockNumberFor,
};
use scale_info::TypeInfo;

/// What a hospital's node served.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum AccessKind {
    /// The sealed payload was fetched (locally or from the holding hospital).
    PayloadFetch,
    /// The capsule was pre-decrypted for the doctor.
    PreDecryption,
}

/// One logged access: what the logging hospital's node served, and to whom.
#[derive(
    Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub enum Access<T: Config> {
    /// Served to one of the hospital's own doctors, through its RPC.
    ToDoctor {
        /// The record accessed.
        record: RecordId,
        /// The doctor it was served to.
        doctor: T::AccountId,
        /// What was served.
        kind: AccessKind,
    },
    /// The sealed payload of one of the hospital's records, served over the transfer protocol
    /// to another hospital's node (which logs, in turn, which of its doctors it serves).
    ToNode {
        /// The record whose payload was served.
        record: RecordId,
        /// The hospital whose node fetched it.
        hospital: T::AccountId,
    },
}

/// A diagnosis report, encrypted to the patient (`CRYPTO.md` section 4).
#[derive(
    Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Report<T: Config> {
    /// The record it reports on.
    pub record: RecordId,
    /// The assigned doctor who wrote it.
    pub doctor: T::AccountId,
    /// The doctor's hospital, which holds the sealed report (with `payload_hash`, its address).
    pub hospital: T::AccountId,
    /// SHA-256 of the sealed report.
    pub payload_hash: [u8; 32],
    /// Size of the sealed report in bytes.
    pub payload_size: u64,
    /// The ElGamal ephemeral `R = g1^k` (compressed G1).
    pub ephemeral: CompressedG1,
    /// The patient's key it was encrypted to (from the record).
    pub patient_key: CompressedG1,
    /// Block of submission.
    pub submitted_at: BlockNumberFor<T>,
}

/// A settled dispute: the patient disclosed `S = R^x` with a proof the runtime verified, so
/// anyone can derive the report key and read exactly what the doctor sent.
#[derive(
    Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Dispute<T: Config> {
    /// The disclosed shared point `S` (compressed G1).
    pub shared: CompressedG1,
    /// The hospital that filed it for the patient.
    pub filed_by: T::AccountId,
    /// Block of the verdict.
    pub decided_at: BlockNumberFor<T>,
}
