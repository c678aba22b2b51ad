//! Payload sealing: AES-256-GCM under the ABE-encapsulated key, bound to its capsule.
//!
//! The capsule's hash is the associated data, so a payload cannot be re-attached to another
//! capsule; it is also carried in the clear so that a mismatch is reported as such
//! ([`Error::CapsuleMismatch`]) rather than as tampering ([`Error::Tampered`]).

use aes_gcm::{Aes256Gcm, KeyInit};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{abe::Capsule, encoding::BoundedList, hazmat, CryptoRngCore, Error, Result};

/// Largest sealed payload (1 GiB): imaging studies fit, a length prefix cannot ask for more.
pub const MAX_PAYLOAD_LEN: usize = 1 << 30;

/// A 32-byte AES-256 key. Zeroised on drop, never printed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct PayloadKey([u8; 32]);

impl PayloadKey {
    /// Wraps raw key bytes from this crate's KDF; from outside, [`crate::hazmat::payload_key`].
    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub(crate) fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }
}

impl fmt::Debug for PayloadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PayloadKey(<redacted>)")
    }
}

/// `CT_HD`: an encrypted record as stored off-chain and addressed by its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SealedPayload {
    /// SHA-256 of what the payload is bound to: its capsule (records) or its ElGamal header
    /// (reports). Also the GCM associated data.
    pub associated_data: [u8; 32],
    /// Random 96-bit GCM nonce.
    pub nonce: [u8; 12],
    /// Ciphertext with the 16-byte tag appended.
    pub ciphertext: BoundedList<u8, MAX_PAYLOAD_LEN>,
}

/// AES-256-GCM-encrypts `plaintext` under `key`, bound to `capsule`.
pub fn seal(
    key: &PayloadKey,
    capsule: &Capsule,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<SealedPayload> {
    hazmat::seal_with_aad(key, capsule.hash(), plaintext, rng)
}

/// Opens `sealed` with `key`, checking it belongs to `capsule`.
pub fn open(key: &PayloadKey, capsule: &Capsule, sealed: &SealedPayload) -> Result<Vec<u8>> {
    if sealed.associated_data != capsule.hash() {
        return Err(Error::CapsuleMismatch);
    }
    hazmat::open_with_aad(key, sealed)
}
