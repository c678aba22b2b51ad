//! A hospital's node proves which hospital it serves. Clients sign each request for one
//! hospital's node ([`Audience`]), so a node that could name another hospital than its own
//! would be handed requests it could replay to that hospital's node. So it names its hospital
//! by signing the client's fresh challenge with the hospital's account key, which only that
//! hospital's node holds.

use crate::auth::{self, Audience, AuthError};
use codec::Encode;
use polkadot_sdk::{
    sp_core::{sr25519, Bytes, H256},
    sp_runtime::AccountId32,
};
use serde::{Deserialize, Serialize};

/// The sr25519 signing context of a node's identity.
const IDENTITY_CONTEXT: &[u8] = b"medchain/node-identity/v1";

/// A client's fresh random challenge to a node.
pub type Challenge = [u8; 32];

/// The answer to `identify`: the hospital the node serves, on the chain of `genesis`, signed
/// over the client's challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeIdentity {
    /// The hospital.
    pub hospital: AccountId32,
    /// The chain's genesis hash.
    pub genesis: H256,
    /// The hospital's sr25519 signature of `(challenge, genesis, hospital)`, in the context
    /// `medchain/node-identity/v1`.
    pub signature: Bytes,
}

impl NodeIdentity {
    /// The identity of the node of hospital `pair` on the chain of `genesis`, for `challenge`.
    pub fn sign(pair: &sr25519::Pair, genesis: H256, challenge: &Challenge) -> Self {
        let keypair: &schnorrkel::Keypair = pair.as_ref();
        let hospital = AccountId32::new(keypair.public.to_bytes());
        let message = (challenge, genesis, &hospital).encode();
        let signature = keypair
            .sign(schnorrkel::signing_context(IDENTITY_CONTEXT).bytes(&message))
            .to_bytes();
        Self {
            hospital,
            genesis,
            signature: Bytes(signature.to_vec()),
        }
    }

    /// The audience this identity proves, if it answers `challenge`.
    pub fn verify(&self, challenge: &Challenge) -> Result<Audience, AuthError> {
        let signature: [u8; 64] = self.signature.0[..]
            .try_into()
            .map_err(|_| AuthError::BadSignature)?;
        let message = (challenge, self.genesis, &self.hospital).encode();
        auth::verify(IDENTITY_CONTEXT, &message, &self.hospital, &signature)?;
        Ok(Audience {
            genesis: self.genesis,
            hospital: self.hospital.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polkadot_sdk::sp_core::Pair;

    fn hospital() -> sr25519::Pair {
        sr25519::Pair::from_string("//Alice", None).expect("valid seed")
    }

    #[test]
    fn a_node_proves_its_hospital_for_a_challenge() {
        let identity = NodeIdentity::sign(&hospital(), H256::repeat_byte(1), &[7; 32]);
        let audience = identity.verify(&[7; 32]).expect("verifies");
        assert_eq!(audience.hospital, AccountId32::from(hospital().public()));
        assert_eq!(audience.genesis, H256::repeat_byte(1));
    }

    #[test]
    fn a_node_cannot_claim_another_hospital_or_replay_an_old_answer() {
        let identity = NodeIdentity::sign(&hospital(), H256::repeat_byte(1), &[7; 32]);
        // An answer to another challenge (recorded earlier) does not verify.
        assert_eq!(identity.verify(&[8; 32]), Err(AuthError::BadSignature));
        // Nor does naming another hospital, or another chain, over its own signature.
        let other = sr25519::Pair::from_string("//Bob", None).expect("valid seed");
        let claimed = NodeIdentity {
            hospital: other.public().into(),
            ..identity.clone()
        };
        assert_eq!(claimed.verify(&[7; 32]), Err(AuthError::BadSignature));
        let moved = NodeIdentity {
            genesis: H256::repeat_byte(2),
            ..identity
        };
        assert_eq!(moved.verify(&[7; 32]), Err(AuthError::BadSignature));
    }
}
