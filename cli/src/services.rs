//! A hospital node's `medchain_` services: every request signed with the caller's account key
//! and timestamped (`medchain_rpc_api::SignedRequest`), so that the node knows who asks and
//! serves each request once.

use std::time::{SystemTime, UNIX_EPOCH};

use codec::{Decode, Encode};
use jsonrpsee::rpc_params;
use medchain_rpc_api::SignedRequest;
use polkadot_sdk::sp_core::{sr25519, Bytes};
use serde::de::DeserializeOwned;

use crate::{chain::Chain, rpc::RpcError};

/// The `medchain_` methods the role commands call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// A patient's sealed record.
    UploadPayload,
    /// A doctor's search.
    Search,
    /// A doctor's pre-decryption.
    PreDecrypt,
    /// A doctor's payload fetch.
    FetchPayload,
    /// The KGC's delivery of a sealed attribute key.
    DeliverAttributeKey,
    /// A doctor's fetch of their sealed attribute key.
    FetchAttributeKey,
    /// A doctor's transformation key for one epoch.
    RegisterTransformationKey,
    /// A doctor's claim in a consultation.
    Claim,
    /// A doctor's sealed report.
    StoreReport,
    /// A patient's report fetch.
    FetchReport,
    /// A patient's dispute.
    Dispute,
}

impl Service {
    /// The name signed into the request.
    pub fn name(self) -> &'static str {
        self.names().0
    }

    /// The JSON-RPC method.
    fn method(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Service::UploadPayload => ("uploadPayload", "medchain_uploadPayload"),
            Service::Search => ("search", "medchain_search"),
            Service::PreDecrypt => ("preDecrypt", "medchain_preDecrypt"),
            Service::FetchPayload => ("fetchPayload", "medchain_fetchPayload"),
            Service::DeliverAttributeKey => ("deliverAttributeKey", "medchain_deliverAttributeKey"),
            Service::FetchAttributeKey => ("fetchAttributeKey", "medchain_fetchAttributeKey"),
            Service::RegisterTransformationKey => (
                "registerTransformationKey",
                "medchain_registerTransformationKey",
            ),
            Service::Claim => ("claim", "medchain_claim"),
            Service::StoreReport => ("storeReport", "medchain_storeReport"),
            Service::FetchReport => ("fetchReport", "medchain_fetchReport"),
            Service::Dispute => ("dispute", "medchain_dispute"),
        }
    }
}

/// `body` signed by `signer` for `service` now, SCALE-encoded: the request's single parameter.
pub fn sign<B: Encode + Decode>(signer: &sr25519::Pair, service: Service, body: B) -> Bytes {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or_default();
    Bytes(SignedRequest::sign(signer, service.name(), now, body).encode())
}

/// Calls `service` on `chain`'s node with `body` signed by `signer`.
pub async fn request<B: Encode + Decode, R: DeserializeOwned>(
    chain: &Chain,
    signer: &sr25519::Pair,
    service: Service,
    body: B,
) -> Result<R, RpcError> {
    chain
        .client()
        .call(service.method(), rpc_params![sign(signer, service, body)])
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use medchain_rpc_api::{RecordRequest, FRESHNESS_MS};
    use polkadot_sdk::sp_core::Pair;

    #[test]
    fn a_request_verifies_as_the_node_checks_it() {
        let doctor = sr25519::Pair::from_string("//doctor", None).expect("seed");
        let signed = sign(&doctor, Service::PreDecrypt, RecordRequest { record: 7 });
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis() as u64;
        let request =
            SignedRequest::<RecordRequest>::verify(&signed.0, "preDecrypt", now).expect("verifies");
        assert_eq!(request.body.record, 7);
        assert!(request.issued_at.abs_diff(now) < FRESHNESS_MS);
        assert!(SignedRequest::<RecordRequest>::verify(&signed.0, "fetchPayload", now).is_err());
    }
}
