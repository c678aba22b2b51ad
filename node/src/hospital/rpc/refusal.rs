//! Why a `medchain_` request is refused, one kind per JSON-RPC error code: the one place the
//! node's refusals meet the wire (the `From` conversion into a JSON-RPC error object). Each
//! method returns a [`Served`]; the server's trait implementation converts it once.

use jsonrpsee::types::ErrorObjectOwned;
use medchain_rpc_api::NEEDS_TRANSFORMATION_KEY;

use crate::hospital::{
    error::{NoRandomness, Poisoned, Unreadable},
    sealed_map::SealedMapError,
    submit::SubmitError,
    transfer::FetchFromError,
};

/// A refused request: the kind (its error code) and what the caller is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The request does not decode, is badly signed, stale or replayed, or asks for something
    /// the chain does not allow as asked.
    #[error("{0}")]
    BadRequest(String),
    /// The caller may not do this.
    #[error("{0}")]
    Unauthorized(String),
    /// No such record, report, key or consultation.
    #[error("{0}")]
    NotFound(String),
    /// The doctor's key cannot open this record (revoked, or attributes short of the policy).
    #[error("{0}")]
    CannotDecrypt(String),
    /// This hospital holds no transformation key of the doctor for the record's epoch: their
    /// client registers one and asks again.
    #[error("{0}")]
    NeedsTransformationKey(String),
    /// The node failed (storage, chain state, network).
    #[error("{0}")]
    Internal(String),
}

impl Refusal {
    /// The JSON-RPC error code of this kind of refusal.
    pub fn code(&self) -> i32 {
        match self {
            Refusal::BadRequest(_) => 4000,
            Refusal::Unauthorized(_) => 4001,
            Refusal::CannotDecrypt(_) => 4003,
            Refusal::NotFound(_) => 4004,
            Refusal::NeedsTransformationKey(_) => NEEDS_TRANSFORMATION_KEY,
            Refusal::Internal(_) => 5000,
        }
    }
}

impl From<Refusal> for ErrorObjectOwned {
    fn from(refusal: Refusal) -> Self {
        ErrorObjectOwned::owned(refusal.code(), refusal.to_string(), None::<()>)
    }
}

/// The node's own failures, each told to the caller as an internal error.
macro_rules! internal_failures {
    ($($failure:ty),*) => {$(
        impl From<$failure> for Refusal {
            fn from(failure: $failure) -> Self {
                Refusal::Internal(failure.to_string())
            }
        }
    )*};
}

internal_failures!(
    Unreadable,
    Poisoned,
    NoRandomness,
    SealedMapError,
    SubmitError
);

/// A payload or report the holder's node would not or could not hand over: not found here.
impl From<FetchFromError> for Refusal {
    fn from(failure: FetchFromError) -> Self {
        Refusal::NotFound(failure.to_string())
    }
}

/// What a method answers, or why it refused.
pub type Served<T> = Result<T, Refusal>;

/// A malformed or disallowed request.
pub fn bad_request(message: impl Into<String>) -> Refusal {
    Refusal::BadRequest(message.into())
}

/// A request the caller may not make.
pub fn unauthorized(message: impl Into<String>) -> Refusal {
    Refusal::Unauthorized(message.into())
}

/// A request for something that does not exist.
pub fn not_found(message: impl Into<String>) -> Refusal {
    Refusal::NotFound(message.into())
}

/// A request the doctor's key cannot be served for.
pub fn cannot_decrypt(message: impl Into<String>) -> Refusal {
    Refusal::CannotDecrypt(message.into())
}

/// A pre-decryption that needs the doctor's transformation key for the record's epoch first.
pub fn needs_transformation_key(message: impl Into<String>) -> Refusal {
    Refusal::NeedsTransformationKey(message.into())
}

/// A failure of the node itself.
pub fn internal(message: impl Into<String>) -> Refusal {
    Refusal::Internal(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_refusal_has_its_own_code_and_keeps_its_message() {
        let refusals = [
            bad_request("a"),
            unauthorized("b"),
            not_found("c"),
            cannot_decrypt("d"),
            needs_transformation_key("e"),
            internal("f"),
        ];
        let mut codes: Vec<i32> = refusals.iter().map(Refusal::code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), refusals.len(), "no two kinds share a code");
        let object = ErrorObjectOwned::from(cannot_decrypt("revoked since epoch 3"));
        assert_eq!(object.code(), 4003);
        assert_eq!(object.message(), "revoked since epoch 3");
        assert_eq!(
            ErrorObjectOwned::from(needs_transformation_key("register one")).code(),
            NEEDS_TRANSFORMATION_KEY
        );
    }
}
