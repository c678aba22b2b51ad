//! MedChain's JSON-RPC interface: the `medchain_` methods a hospital's node serves beside the
//! standard Substrate ones, shared by the node (server) and its clients (the CLI, the tests).
//!
//! Every request is a [`SignedRequest`]: the caller (a doctor, a patient or the KGC) signs the
//! method name, the node it is for (its hospital and chain, [`Audience`], which the node proves
//! with `identify`), a timestamp and the SCALE-encoded body with their account key, and sends
//! the whole as one hex string. The node checks the signature and the audience, refuses
//! requests outside a short time window and requests it has already served (replay), then
//! checks on-chain what the signer may do.

mod auth;
mod identity;
mod types;

pub use auth::{Audience, AuthError, Request, SignedRequest, FRESHNESS_MS};
pub use identity::{Challenge, NodeIdentity};
pub use types::*;

/// The JSON-RPC error code of `preDecrypt` when this hospital holds no transformation key of the
/// doctor for the record's epoch: the doctor's client derives one from the epoch's update key
/// and registers it (`registerTransformationKey`), then asks again.
pub const NEEDS_TRANSFORMATION_KEY: i32 = 4009;

use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use polkadot_sdk::sp_core::Bytes;

/// The `medchain_` methods. Each but `identify` takes a hex-encoded [`SignedRequest`] of the
/// body named.
#[rpc(client, server, namespace = "medchain")]
pub trait MedchainApi {
    /// The hospital this node serves, on which chain, signed over the caller's fresh 32-byte
    /// challenge ([`NodeIdentity`]): whom the caller's requests are to name.
    #[method(name = "identify")]
    async fn identify(&self, challenge: Bytes) -> RpcResult<NodeIdentity>;

    /// A patient hands their hospital a sealed record ([`Upload`]): the node stores the payload,
    /// builds the keyword index with its search key and publishes the record on-chain.
    #[method(name = "uploadPayload")]
    async fn upload_payload(&self, request: Bytes) -> RpcResult<Uploaded>;

    /// A doctor of this hospital searches ([`Search`]) the records of every hospital that
    /// authorises it, and its own.
    #[method(name = "search")]
    async fn search(&self, request: Bytes) -> RpcResult<Vec<Hit>>;

    /// A doctor of this hospital asks for a record's capsule pre-decrypted with the
    /// transformation key they registered for its epoch ([`PreDecrypt`]): `SemiCT`, which
    /// only their own `zseed` finishes. Without one, the error code is
    /// [`NEEDS_TRANSFORMATION_KEY`].
    #[method(name = "preDecrypt")]
    async fn pre_decrypt(&self, request: Bytes) -> RpcResult<Bytes>;

    /// A doctor of this hospital fetches a record's sealed payload ([`FetchPayload`]), from
    /// this node's store or from the holding hospital's node.
    #[method(name = "fetchPayload")]
    async fn fetch_payload(&self, request: Bytes) -> RpcResult<Bytes>;

    /// The KGC hands this hospital the attribute key it issued to one of its doctors, sealed to
    /// the doctor's registered key ([`AttributeKeyDelivery`]). The node keeps it for the doctor
    /// to fetch; it cannot open it. Its hash must be the one `kgc.issue_key` recorded.
    #[method(name = "deliverAttributeKey")]
    async fn deliver_attribute_key(&self, request: Bytes) -> RpcResult<()>;

    /// A doctor of this hospital fetches the sealed attribute key the KGC delivered for them
    /// ([`AttributeKeyRequest`]): SCALE-encoded `medchain_crypto::abe::SealedAttributeKey`.
    #[method(name = "fetchAttributeKey")]
    async fn fetch_attribute_key(&self, request: Bytes) -> RpcResult<Bytes>;

    /// A doctor of this hospital registers their transformation key for one epoch
    /// ([`TransformationKeyUpload`]), which the node caches and pre-decrypts with.
    #[method(name = "registerTransformationKey")]
    async fn register_transformation_key(&self, request: Bytes) -> RpcResult<()>;

    /// A doctor of this hospital claims a record in consultation ([`ClaimRequest`]): the node
    /// counts the matched interests and submits `records.submit_claim` as the hospital.
    #[method(name = "claim")]
    async fn claim(&self, request: Bytes) -> RpcResult<Claimed>;

    /// The doctor assigned to a record hands their hospital's node the sealed report
    /// ([`ReportUpload`]); the node keeps it and answers its SHA-256, which the doctor then
    /// names in `results.submit_report`.
    #[method(name = "storeReport")]
    async fn store_report(&self, request: Bytes) -> RpcResult<Bytes>;

    /// The sealed report on one of this hospital's records ([`FetchReport`]), from this
    /// node's store or fetched from the doctor's hospital's node: what the patient opens. Any
    /// signer may ask; only the patient's key opens it.
    #[method(name = "fetchReport")]
    async fn fetch_report(&self, request: Bytes) -> RpcResult<Bytes>;

    /// The patient disputes the report on one of this hospital's records ([`DisputeRequest`]):
    /// the node checks the proof and files `results.dispute` as the record's holder; the hash of
    /// that transaction.
    #[method(name = "dispute")]
    async fn dispute(&self, request: Bytes) -> RpcResult<Bytes>;
}
