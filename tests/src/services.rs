//! Calling a hospital node's `medchain_` methods as a doctor, patient or the KGC would, through
//! `medchain-client`: each request SCALE-encoded, signed with the caller's account key and
//! timestamped.

use crate::rpc::{block_on, Rpc};
use codec::Encode;
use medchain_client::Service;
use medchain_crypto::{
    abe::{self, Capsule, EncryptionTables},
    aead::{self, SealedPayload},
    elgamal,
    hash::keyword_digest,
    CryptoRngCore,
};
use medchain_rpc_api::Upload;
use medchain_types::Epoch;
use polkadot_sdk::sp_core::{sr25519, Pair};

/// Sends `body` signed by `signer` to its `medchain_` method on `node`; a refusal as its text
/// (the node's message, as a caller sees it).
pub fn call<S: Service>(node: &Rpc, signer: &sr25519::Pair, body: S) -> Result<S::Answer, String> {
    block_on(node.client().request(signer, body)).map_err(|e| e.to_string())
}

/// What a patient's client keeps of an upload.
pub struct Uploaded {
    /// The ABE capsule that wraps the payload key.
    pub capsule: Capsule,
    /// The sealed payload, as stored by the hospital.
    pub sealed: SealedPayload,
    /// The hospital's receipt.
    pub receipt: medchain_rpc_api::Uploaded,
}

/// Seals `payload` under `policy` for KGC epoch `epoch`, as a patient's client does: the
/// `uploadPayload` request, the capsule and the sealed payload.
pub fn seal_upload(
    patient: &sr25519::Pair,
    tables: &EncryptionTables,
    (policy, epoch): (&str, Epoch),
    keywords: &[&str],
    payload: &[u8],
    rng: &mut impl CryptoRngCore,
) -> (Upload, Capsule, SealedPayload) {
    let (capsule, payload_key) =
        abe::encapsulate(tables, policy, epoch, rng).expect("the policy encrypts");
    let sealed = aead::seal(&payload_key, &capsule, payload, rng).expect("the payload seals");
    let patient_key = elgamal::SecretKey::derive(&patient.to_raw_vec())
        .public_key()
        .compress();
    let request = Upload {
        payload: sealed.encode(),
        capsule: capsule.encode(),
        keywords: keywords.iter().map(|w| keyword_digest(w)).collect(),
        patient_key,
    };
    (request, capsule, sealed)
}

/// Seals `payload` (see [`seal_upload`]) and uploads it to `node` as `patient`.
pub fn upload(
    node: &Rpc,
    patient: &sr25519::Pair,
    tables: &EncryptionTables,
    policy: (&str, Epoch),
    keywords: &[&str],
    payload: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Uploaded, String> {
    let (request, capsule, sealed) = seal_upload(patient, tables, policy, keywords, payload, rng);
    let receipt = call(node, patient, request)?;
    Ok(Uploaded {
        capsule,
        sealed,
        receipt,
    })
}
