//! Calling a hospital node's `medchain_` methods as a doctor, patient or the KGC would: each
//! request SCALE-encoded, signed with the caller's account key and timestamped.

use crate::rpc::Rpc;
use codec::{Decode, Encode};
use medchain_crypto::{
    abe::{self, Capsule, EncryptionTables},
    aead::{self, SealedPayload},
    elgamal,
    hash::keyword_digest,
    CryptoRngCore,
};
use medchain_rpc_api::{SignedRequest, Upload};
use polkadot_sdk::sp_core::{sr25519, Pair};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as u64
}

/// `body` signed by `signer` for `method`, as the JSON-RPC parameters of `medchain_<method>`.
pub fn signed<T: Encode + Decode>(signer: &sr25519::Pair, method: &str, body: T) -> Value {
    let request = SignedRequest::sign(signer, method, now_ms(), body);
    json!([format!("0x{}", hex::encode(request.encode()))])
}

/// Calls `medchain_<method>` on `node` with `body` signed by `signer`; a refusal as its text.
pub fn call<T: Encode + Decode>(
    node: &Rpc,
    signer: &sr25519::Pair,
    method: &str,
    body: T,
) -> Result<Value, String> {
    node.call(&format!("medchain_{method}"), signed(signer, method, body))
        .map_err(|e| format!("{e:?}"))
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
    (policy, epoch): (&str, u64),
    keywords: &[&str],
    payload: &[u8],
    rng: &mut impl CryptoRngCore,
) -> (Upload, Capsule, SealedPayload) {
    let (capsule, payload_key) =
        abe::encapsulate(tables, policy, epoch, rng).expect("the policy encrypts");
    let sealed = aead::seal(&payload_key, &capsule, payload, rng).expect("the payload seals");
    let patient_key = elgamal::SecretKey::derive(&patient.to_raw_vec())
        .public_key()
        .to_bytes();
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
    policy: (&str, u64),
    keywords: &[&str],
    payload: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Uploaded, String> {
    let (request, capsule, sealed) = seal_upload(patient, tables, policy, keywords, payload, rng);
    let receipt = serde_json::from_value(call(node, patient, "uploadPayload", request)?)
        .map_err(|e| format!("not an upload receipt: {e}"))?;
    Ok(Uploaded {
        capsule,
        sealed,
        receipt,
    })
}
