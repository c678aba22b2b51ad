//! A hospital node's `medchain_` services: every request signed with the caller's account key
//! and timestamped ([`SignedRequest`]), so that the node knows who asks and serves each request
//! once.
//!
//! Each request body is bound to its method and its answer by [`Service`]: a client cannot send
//! a body to the wrong method or read the answer as the wrong type.

use std::time::{SystemTime, UNIX_EPOCH};

use codec::Encode;
use futures::future::BoxFuture;
use jsonrpsee::core::ClientError;
use medchain_rpc_api::{
    AttributeKeyDelivery, AttributeKeyRequest, Audience, ClaimRequest, Claimed, DisputeRequest,
    FetchPayload, FetchReport, Hit, MedchainApiClient, PreDecrypt, ReportUpload, Request, Search,
    SignedRequest, TransformationKeyUpload, Upload, Uploaded,
};
use polkadot_sdk::sp_core::{sr25519, Bytes};

/// A request body of one `medchain_` method, with what the node answers it.
pub trait Service: Request + Send {
    /// The node's answer.
    type Answer;

    /// Sends `signed` (a [`SignedRequest`] of this body, SCALE-encoded) through the generated
    /// client's method for this body.
    fn send<C: MedchainApiClient + Sync>(
        client: &C,
        signed: Bytes,
    ) -> BoxFuture<'_, Result<Self::Answer, ClientError>>;
}

/// Binds each body to the generated client's method and its answer.
macro_rules! services {
    ($($body:ty => $method:ident -> $answer:ty;)*) => {$(
        impl Service for $body {
            type Answer = $answer;

            fn send<C: MedchainApiClient + Sync>(
                client: &C,
                signed: Bytes,
            ) -> BoxFuture<'_, Result<$answer, ClientError>> {
                client.$method(signed)
            }
        }
    )*};
}

services! {
    Upload => upload_payload -> Uploaded;
    Search => search -> Vec<Hit>;
    PreDecrypt => pre_decrypt -> Bytes;
    FetchPayload => fetch_payload -> Bytes;
    AttributeKeyDelivery => deliver_attribute_key -> ();
    AttributeKeyRequest => fetch_attribute_key -> Bytes;
    TransformationKeyUpload => register_transformation_key -> ();
    ClaimRequest => claim -> Claimed;
    ReportUpload => store_report -> Bytes;
    FetchReport => fetch_report -> Bytes;
    DisputeRequest => dispute -> Bytes;
}

/// `body` signed by `signer` now for `audience`, SCALE-encoded: the request's single parameter.
pub fn sign<B: Request>(signer: &sr25519::Pair, audience: &Audience, body: B) -> Bytes {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or_default();
    Bytes(SignedRequest::sign(signer, audience.clone(), now, body).encode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use medchain_rpc_api::FRESHNESS_MS;
    use medchain_types::RecordId;
    use polkadot_sdk::sp_core::Pair;

    #[test]
    fn a_request_verifies_as_the_node_checks_it_and_for_its_method_only() {
        let doctor = sr25519::Pair::from_string("//doctor", None).expect("seed");
        let audience = Audience {
            genesis: Default::default(),
            hospital: sr25519::Pair::from_string("//Alice", None)
                .expect("seed")
                .public()
                .into(),
        };
        let signed = sign(
            &doctor,
            &audience,
            PreDecrypt {
                record: RecordId::new(7),
            },
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis() as u64;
        let request =
            SignedRequest::<PreDecrypt>::verify(&signed.0, now, &audience).expect("verifies");
        assert_eq!(request.body.record, RecordId::new(7));
        assert!(request.issued_at.abs_diff(now) < FRESHNESS_MS);
        // The same bytes, read as a request of another method with the same body encoding.
        assert!(SignedRequest::<FetchPayload>::verify(&signed.0, now, &audience).is_err());
    }
}
