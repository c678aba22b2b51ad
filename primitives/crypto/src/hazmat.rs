//! Low-level pieces that are easy to misuse, kept out of the main path (as in ed25519-dalek's
//! `hazmat`).
//!
//! The main API binds what it seals to what it belongs to and derives its keys itself:
//! [`aead::seal`](crate::aead::seal) takes the capsule and uses its hash as the associated data,
//! [`elgamal::seal`](crate::elgamal::seal) derives its key from the ephemeral exchange. The
//! functions here leave both to the caller. Associated data that does not name what the
//! ciphertext belongs to lets it be moved to another context and still open; a key that is not
//! uniformly random, or is reused where a fresh one is due, voids GCM's guarantees. Use them only
//! where neither main path fits, such as a file sealed under a key derived from an account key.

use aes_gcm::{aead::Aead, Nonce};
use alloc::vec::Vec;

use crate::{
    aead::{PayloadKey, SealedPayload, MAX_PAYLOAD_LEN},
    encoding::BoundedList,
    CryptoRngCore, Error, Result,
};

/// An AES-256 key from raw bytes: they must be uniformly random (a KDF's output), and secret.
pub fn payload_key(bytes: [u8; 32]) -> PayloadKey {
    PayloadKey::from_bytes(bytes)
}

/// AES-256-GCM-encrypts `plaintext` under `key` with `associated` as the associated data, which
/// must name what the ciphertext belongs to. The nonce is random.
pub fn seal_with_aad(
    key: &PayloadKey,
    associated: [u8; 32],
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<SealedPayload> {
    if plaintext.len() > MAX_PAYLOAD_LEN - 16 {
        return Err(Error::PayloadTooLarge);
    }
    let mut nonce = [0u8; 12];
    rng.fill_bytes(&mut nonce);
    let ciphertext = key
        .cipher()
        .encrypt(
            &Nonce::from(nonce),
            aes_gcm::aead::Payload {
                msg: plaintext,
                aad: &associated,
            },
        )
        .map_err(|_| Error::PayloadTooLarge)?;
    Ok(SealedPayload {
        associated_data: associated,
        nonce,
        ciphertext: BoundedList::new(ciphertext).map_err(|_| Error::PayloadTooLarge)?,
    })
}

/// Opens `sealed` with the associated data recorded in it: the caller checks that this data
/// names what it expects before trusting the plaintext's context.
pub fn open_with_aad(key: &PayloadKey, sealed: &SealedPayload) -> Result<Vec<u8>> {
    key.cipher()
        .decrypt(
            &Nonce::from(sealed.nonce),
            aes_gcm::aead::Payload {
                msg: &sealed.ciphertext,
                aad: &sealed.associated_data,
            },
        )
        .map_err(|_| Error::Tampered)
}
