//! Signed requests: who is asking, when, and proof that they hold their account key.

use codec::{Decode, DecodeAll, Encode};
use polkadot_sdk::{
    sp_core::{sr25519, Pair},
    sp_runtime::AccountId32,
};

/// How far a request's timestamp may be from the node's clock, in milliseconds. A request is
/// served at most once within this window and refused outside it.
pub const FRESHNESS_MS: u64 = 60_000;

/// Why a request was refused before its body was looked at.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// The request is not a SCALE-encoded signed request of this method's body.
    #[error("the request does not decode: {0}")]
    Malformed(String),
    /// The signature does not verify for the named signer, method and body.
    #[error("the signature does not match the signer, method and body")]
    BadSignature,
    /// The timestamp is too far from the node's clock.
    #[error("the request is stale or from the future: sign it again with the current time")]
    Stale,
    /// The same request was already served.
    #[error("the request was already served (replay)")]
    Replayed,
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
    /// When it was signed (Unix milliseconds).
    pub issued_at: u64,
    /// What is asked.
    pub body: T,
    /// sr25519 signature of the SCALE encoding of `("medchain/rpc/v1", method, issued_at,
    /// body)`: the method too, so that a request for one method is not valid for another.
    pub signature: [u8; 64],
}

impl<T: Request> SignedRequest<T> {
    /// What is signed: the method, so that a request for one method is not valid for another,
    /// the time, and the body.
    fn message(method: &str, issued_at: u64, body: &T) -> Vec<u8> {
        (b"medchain/rpc/v1", method, issued_at, body).encode()
    }

    /// Signs `body` for its method at `issued_at` (Unix milliseconds).
    pub fn sign(pair: &sr25519::Pair, issued_at: u64, body: T) -> Self {
        let signature = pair.sign(&Self::message(T::METHOD, issued_at, &body)).0;
        Self {
            signer: pair.public().into(),
            issued_at,
            body,
            signature,
        }
    }

    /// Decodes `bytes` (all of them) and checks the signature for the body's method and the
    /// timestamp against `now` (Unix milliseconds). Replays are for the caller to check, with
    /// [`SignedRequest::replay_id`].
    pub fn verify(bytes: &[u8], now: u64) -> Result<Self, AuthError> {
        let request =
            Self::decode_all(&mut &bytes[..]).map_err(|e| AuthError::Malformed(e.to_string()))?;
        let message = Self::message(T::METHOD, request.issued_at, &request.body);
        let public = sr25519::Public::from_raw(*request.signer.as_ref());
        let signature = sr25519::Signature::from_raw(request.signature);
        if !sr25519::Pair::verify(&signature, &message, &public) {
            return Err(AuthError::BadSignature);
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_signed_request_verifies_for_its_method_and_time() {
        let request = SignedRequest::sign(&pair(), 1_000_000, Ask(7)).encode();
        let verified = SignedRequest::<Ask>::verify(&request, 1_000_500).expect("ok");
        assert_eq!(verified.body, Ask(7));
        assert_eq!(verified.signer, AccountId32::from(pair().public()));
    }

    #[test]
    fn another_method_or_a_changed_body_does_not_verify() {
        let request = SignedRequest::sign(&pair(), 1_000_000, Ask(7));
        assert_eq!(
            SignedRequest::<Other>::verify(&request.encode(), 1_000_000),
            Err(AuthError::BadSignature)
        );
        let mut changed = request.clone();
        changed.body = Ask(8);
        assert_eq!(
            SignedRequest::<Ask>::verify(&changed.encode(), 1_000_000),
            Err(AuthError::BadSignature)
        );
        let mut impostor = request;
        impostor.signer = AccountId32::new([9; 32]);
        assert_eq!(
            SignedRequest::<Ask>::verify(&impostor.encode(), 1_000_000),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn stale_and_malformed_requests_are_refused() {
        let request = SignedRequest::sign(&pair(), 1_000_000, Ask(7)).encode();
        assert_eq!(
            SignedRequest::<Ask>::verify(&request, 1_000_000 + FRESHNESS_MS + 1),
            Err(AuthError::Stale)
        );
        assert!(matches!(
            SignedRequest::<Ask>::verify(&request[..10], 1_000_000),
            Err(AuthError::Malformed(_))
        ));
        let mut trailing = request;
        trailing.push(0);
        assert!(matches!(
            SignedRequest::<Ask>::verify(&trailing, 1_000_000),
            Err(AuthError::Malformed(_))
        ));
    }
}
