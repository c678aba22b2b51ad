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

/// Largest encoded [`SealedPayload`], in bytes: its associated data and nonce, the
/// ciphertext's length prefix (SCALE compact: 5 bytes at this length) and [`MAX_PAYLOAD_LEN`]
/// bytes of ciphertext. The chain's and the node's bound on a record's payload, so that what
/// one layer accepts every other can open.
pub const MAX_SEALED_PAYLOAD_LEN: u64 = 32 + 12 + 5 + MAX_PAYLOAD_LEN as u64;

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

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Compact;

    #[test]
    fn the_largest_sealed_payload_encodes_to_its_bound() {
        let longest = MAX_PAYLOAD_LEN as u32;
        let prefix = Compact(longest).encoded_size() as u64;
        assert_eq!(
            MAX_SEALED_PAYLOAD_LEN,
            32 + 12 + prefix + u64::from(longest)
        );
        // The bound is what an encoded payload of any length measures, up to the longest.
        let small = SealedPayload {
            associated_data: [0; 32],
            nonce: [0; 12],
            ciphertext: BoundedList::new(alloc::vec![0u8; 40]).expect("fits"),
        };
        assert_eq!(small.encoded_size(), 32 + 12 + 1 + 40);
    }
}
