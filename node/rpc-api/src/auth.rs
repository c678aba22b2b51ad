//! Signed requests: who is asking, of which hospital's node on which chain, when, and proof
//! that they hold their account key.
//!
//! A request names its [`Audience`], the chain (its genesis hash) and the hospital whose node
//! is to serve it, and is signed with its own signing context: a request captured on its way to
//! one hospital's node is refused by every other node and on every other chain, and no request
//! signature can pass for a transaction's (which Substrate signs in the `substrate` context), or
//! the other way round.

use codec::{Decode, DecodeAll, Encode};
use polkadot_sdk::{
    sp_core::{sr25519, H256},
    sp_runtime::AccountId32,
};

/// How far a request's timestamp may be from the node's clock, in milliseconds. A request is
/// served at most once within this window and refused outside it.
pub const FRESHNESS_MS: u64 = 60_000;

/// The sr25519 signing context of requests.
const REQUEST_CONTEXT: &[u8] = b"medchain/rpc/v2";

/// Why a request was refused before its body was looked at.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// The request is not a SCALE-encoded signed request of this method's body.
    #[error("the request does not decode: {0}")]
    Malformed(String),
    /// The signature does not verify for the named signer, audience, method and body.
    #[error("the signature does not match the signer, method and body")]
    BadSignature,
    /// The request was signed for another hospital's node, or for another chain.
    #[error("the request was signed for another hospital's node or another chain")]
    OtherAudience,
    /// The timestamp is too far from the node's clock.
    #[error("the request is stale or from the future: sign it again with the current time")]
    Stale,
}

/// Whom a request is for: the hospital whose node serves it, on the chain of this genesis.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Audience {
    /// The chain's genesis hash.
    pub genesis: H256,
    /// The hospital's account.
    pub hospital: AccountId32,
}

/// A request body of one `medchain_` method: the method's name is signed into the request, so a
/// request made for one method is refused by every other, and a body type names its method
/// once, here, instead of at each call.
pub trait Request: Encode + Decode {
    /// The method, without the namespace (`search`, `preDecrypt`, ...).
    const METHOD: &'static str;
}

/// A request body signed by its caller.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SignedRequest<T> {
    /// The caller's account (sr25519 public key).
    pub signer: AccountId32,
    /// Whom it is for.
    pub audience: Audience,
    /// When it was signed (Unix milliseconds).
    pub issued_at: u64,
    /// What is asked.
    pub body: T,
    /// sr25519 signature, in the context `medchain/rpc/v2`, of the SCALE encoding of
    /// `(method, audience, issued_at, body)`.
    pub signature: [u8; 64],
}

impl<T: Request> SignedRequest<T> {
    /// What is signed: the method, so that a request for one method is not valid for another,
    /// the audience, the time, and the body.
    fn message(audience: &Audience, issued_at: u64, body: &T) -> Vec<u8> {
        (T::METHOD, audience, issued_at, body).encode()
    }

    /// Signs `body` for its method and `audience` at `issued_at` (Unix milliseconds).
    pub fn sign(pair: &sr25519::Pair, audience: Audience, issued_at: u64, body: T) -> Self {
        let message = Self::message(&audience, issued_at, &body);
        let keypair: &schnorrkel::Keypair = pair.as_ref();
        let signature = keypair
            .sign(schnorrkel::signing_context(REQUEST_CONTEXT).bytes(&message))
            .to_bytes();
        Self {
            signer: AccountId32::new(keypair.public.to_bytes()),
            audience,
            issued_at,
            body,
            signature,
        }
    }

    /// Decodes `bytes` (all of them) and checks that the request is for `audience`, the
    /// signature for the body's method, and the timestamp against `now` (Unix milliseconds).
    /// Replays are for the caller to check, with [`SignedRequest::replay_id`].
    pub fn verify(bytes: &[u8], now: u64, audience: &Audience) -> Result<Self, AuthError> {
        let request =
            Self::decode_all(&mut &bytes[..]).map_err(|e| AuthError::Malformed(e.to_string()))?;
        let message = Self::message(&request.audience, request.issued_at, &request.body);
        verify(
            REQUEST_CONTEXT,
            &message,
            &request.signer,
            &request.signature,
        )?;
        if request.audience != *audience {
            return Err(AuthError::OtherAudience);
        }
        if request.issued_at.abs_diff(now) > FRESHNESS_MS {
            return Err(AuthError::Stale);
        }
        Ok(request)
    }

    /// What identifies this request among all others: its signature (sr25519 signatures are
    /// randomised, so even two identical requests differ).
    pub fn replay_id(&self) -> [u8; 64] {
        self.signature
    }
}

/// Checks `signature` of `message` by `signer` in signing context `context`.
pub(crate) fn verify(
    context: &[u8],
    message: &[u8],
    signer: &AccountId32,
    signature: &[u8; 64],
) -> Result<(), AuthError> {
    let public =
        schnorrkel::PublicKey::from_bytes(signer.as_ref()).map_err(|_| AuthError::BadSignature)?;
    let signature =
        schnorrkel::Signature::from_bytes(signature).map_err(|_| AuthError::BadSignature)?;
    public
        .verify(
            schnorrkel::signing_context(context).bytes(message),
            &signature,
        )
        .map_err(|_| AuthError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polkadot_sdk::sp_core::Pair;

    /// Two bodies with the same encoding, for two methods.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    struct Ask(u32);
    impl Request for Ask {
        const METHOD: &'static str = "search";
    }
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    struct Other(u32);
    impl Request for Other {
        const METHOD: &'static str = "preDecrypt";
    }

    fn pair() -> sr25519::Pair {
        sr25519::Pair::from_string("//Doctor", None).expect("valid seed")
    }

    fn audience() -> Audience {
        Audience {
            genesis: H256::repeat_byte(1),
            hospital: AccountId32::new([2; 32]),
        }
    }

    #[test]
    fn a_signed_request_verifies_for_its_method_audience_and_time() {
        let request = SignedRequest::sign(&pair(), audience(), 1_000_000, Ask(7)).encode();
        let verified = SignedRequest::<Ask>::verify(&request, 1_000_500, &audience()).expect("ok");
        assert_eq!(verified.body, Ask(7));
        assert_eq!(verified.signer, AccountId32::from(pair().public()));
    }

    #[test]
    fn another_method_or_a_changed_body_does_not_verify() {
        let request = SignedRequest::sign(&pair(), audience(), 1_000_000, Ask(7));
        assert_eq!(
            SignedRequest::<Other>::verify(&request.encode(), 1_000_000, &audience()),
            Err(AuthError::BadSignature)
        );
        let mut changed = request.clone();
        changed.body = Ask(8);
        assert_eq!(
            SignedRequest::<Ask>::verify(&changed.encode(), 1_000_000, &audience()),
            Err(AuthError::BadSignature)
        );
        let mut impostor = request;
        impostor.signer = AccountId32::new([9; 32]);
        assert_eq!(
            SignedRequest::<Ask>::verify(&impostor.encode(), 1_000_000, &audience()),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn a_request_for_one_hospital_or_chain_is_refused_by_another() {
        let request = SignedRequest::sign(&pair(), audience(), 1_000_000, Ask(7));
        let elsewhere = [
            Audience {
                hospital: AccountId32::new([3; 32]),
                ..audience()
            },
            Audience {
                genesis: H256::repeat_byte(4),
                ..audience()
            },
        ];
        for other in &elsewhere {
            assert_eq!(
                SignedRequest::<Ask>::verify(&request.encode(), 1_000_000, other),
                Err(AuthError::OtherAudience)
            );
        }
        // Nor can the audience be rewritten on the way.
        let mut redirected = request;
        redirected.audience = elsewhere[0].clone();
        assert_eq!(
            SignedRequest::<Ask>::verify(&redirected.encode(), 1_000_000, &elsewhere[0]),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn a_request_signature_is_no_transaction_signature() {
        // Signed in Substrate's own context (as a transaction is), the same message does not
        // verify as a request; and a request's signature does not verify as Substrate's.
        let pair = pair();
        let mut request = SignedRequest::sign(&pair, audience(), 1_000_000, Ask(7));
        let message = SignedRequest::<Ask>::message(&request.audience, 1_000_000, &request.body);
        assert!(!sr25519::Pair::verify(
            &sr25519::Signature::from_raw(request.signature),
            &message,
            &pair.public()
        ));
        request.signature = pair.sign(&message).0;
        assert_eq!(
            SignedRequest::<Ask>::verify(&request.encode(), 1_000_000, &audience()),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn stale_and_malformed_requests_are_refused() {
        let request = SignedRequest::sign(&pair(), audience(), 1_000_000, Ask(7)).encode();
        assert_eq!(
            SignedRequest::<Ask>::verify(&request, 1_000_000 + FRESHNESS_MS + 1, &audience()),
            Err(AuthError::Stale)
        );
        assert!(matches!(
            SignedRequest::<Ask>::verify(&request[..10], 1_000_000, &audience()),
            Err(AuthError::Malformed(_))
        ));
        let mut trailing = request;
        trailing.push(0);
        assert!(matches!(
            SignedRequest::<Ask>::verify(&trailing, 1_000_000, &audience()),
            Err(AuthError::Malformed(_))
        ));
    }
}
