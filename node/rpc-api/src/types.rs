//! Request bodies and answers.

use codec::{Decode, Encode};

use crate::Request;
use medchain_types::{CompressedG1, RecordId};
use polkadot_sdk::{sp_core::Bytes, sp_runtime::AccountId32};
use serde::{Deserialize, Serialize};

/// `uploadPayload`: a patient's sealed record, as their client made it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Upload {
    /// The sealed payload `CT_HD`, SCALE-encoded (`medchain_crypto::aead::SealedPayload`).
    pub payload: Vec<u8>,
    /// The key capsule `CT_Sym`, SCALE-encoded (`medchain_crypto::abe::Capsule`), made under the
    /// chain's current epoch.
    pub capsule: Vec<u8>,
    /// The keywords' digests (`medchain_crypto::hash::keyword_digest`). The digests are
    /// unkeyed: the hospital that builds the index can test guesses of the words against them.
    pub keywords: Vec<[u8; 32]>,
    /// The patient's encryption key (compressed G1): reports are sealed to it.
    pub patient_key: CompressedG1,
}

/// `search`: a doctor's interests, as digests.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Search {
    /// `{H(q)}` (`medchain_crypto::hash::keyword_digest`).
    pub interests: Vec<[u8; 32]>,
}

/// `preDecrypt`: the record whose capsule a doctor of this hospital asks to be pre-decrypted.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PreDecrypt {
    /// The record.
    pub record: RecordId,
}

/// `fetchPayload`: the record whose sealed payload a doctor of this hospital fetches.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FetchPayload {
    /// The record.
    pub record: RecordId,
}

/// `fetchReport`: the record whose sealed report is asked for.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FetchReport {
    /// The record.
    pub record: RecordId,
}

/// `deliverAttributeKey`: a doctor's attribute key sealed to their registered key, from the KGC.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AttributeKeyDelivery {
    /// The doctor it was issued to.
    pub doctor: AccountId32,
    /// `medchain_crypto::abe::SealedAttributeKey`, SCALE-encoded.
    pub sealed: Vec<u8>,
}

/// `fetchAttributeKey`: the signer's own sealed attribute key; the body says nothing more.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AttributeKeyRequest;

/// `registerTransformationKey`: a doctor's transformation key for one epoch.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TransformationKeyUpload {
    /// `medchain_crypto::abe::TransformationKey`, SCALE-encoded.
    pub key: Vec<u8>,
}

/// `claim`: a doctor of this hospital claims a record in consultation with their interests; the
/// node counts how many the record's index holds and submits the claim as the hospital.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ClaimRequest {
    /// The record in consultation.
    pub record: RecordId,
    /// `{H(q)}` of the doctor's interests.
    pub interests: Vec<[u8; 32]>,
}

/// `storeReport`: the assigned doctor's report, sealed to the patient's key, for their
/// hospital's node to keep and serve to the record's holder.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ReportUpload {
    /// The record reported on.
    pub record: RecordId,
    /// `medchain_crypto::elgamal::Ciphertext`, SCALE-encoded.
    pub sealed: Vec<u8>,
}

/// `dispute`: the patient's disclosure of the report key on one of this hospital's records
/// (`medchain_crypto::dleq::disclose`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct DisputeRequest {
    /// The record whose report is disputed.
    pub record: RecordId,
    /// `S = R^x`, compressed G1.
    pub shared: CompressedG1,
    /// The Chaum-Pedersen proof, SCALE-encoded.
    pub proof: [u8; 64],
}

/// The answer to `claim`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claimed {
    /// How many of the doctor's interests the record's index holds.
    pub matched: u32,
    /// Hash of the `submit_claim` transaction the node submitted.
    pub transaction: Bytes,
}

/// The answer to `uploadPayload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
    /// The hospital that stores the payload and publishes the record (the node's).
    pub hospital: AccountId32,
    /// SHA-256 of the stored payload: its address in the hospital's store.
    pub payload_hash: Bytes,
    /// Hash of the `publish_record` transaction the node submitted.
    pub transaction: Bytes,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    /// The record.
    pub record: RecordId,
    /// The hospital holding it.
    pub hospital: AccountId32,
    /// How many of the doctor's interests its index contains.
    pub matched: u32,
}

/// Names each body's method once.
macro_rules! requests {
    ($($body:ty => $method:literal,)*) => {$(
        impl Request for $body {
            const METHOD: &'static str = $method;
        }
    )*};
}

requests! {
    Upload => "uploadPayload",
    Search => "search",
    PreDecrypt => "preDecrypt",
    FetchPayload => "fetchPayload",
    AttributeKeyDelivery => "deliverAttributeKey",
    AttributeKeyRequest => "fetchAttributeKey",
    TransformationKeyUpload => "registerTransformationKey",
    ClaimRequest => "claim",
    ReportUpload => "storeReport",
    FetchReport => "fetchReport",
    DisputeRequest => "dispute",
}
