//! Hashes into the scheme: scalars, keyword digests and key derivation.
//!
//! Attribute and epoch hashes become *exponents* of public generators (`u^Hz(tau) h`), never
//! group elements with a known discrete log: that shortcut lets one attribute key forge others.

use alloc::string::String;
use ark_ff::PrimeField;
use ark_serialize::CanonicalSerialize;
use hkdf::Hkdf;
use medchain_types::Epoch;
use sha2::{Digest, Sha256};

use crate::Fr;

/// Domain of attribute hashes.
pub const DOMAIN_ATTRIBUTE: &[u8] = b"medchain/attr";
/// Domain of epoch hashes.
pub const DOMAIN_EPOCH: &[u8] = b"medchain/epoch";
/// Domain of per-node tree secrets derived from the KGC's seed.
pub const DOMAIN_NODE: &[u8] = b"medchain/node";
/// Domain of the doctor's per-epoch transformation exponent `z_T`.
pub const DOMAIN_TRANSFORM: &[u8] = b"medchain/tk";
/// Domain of keyword and interest digests.
pub const DOMAIN_KEYWORD: &[u8] = b"medchain/kw";

/// `Hz(domain, msg)`: SHA-256 based hash to `Zp` with a wide (512-bit) reduction, so the output
/// is statistically uniform. The domain is length-prefixed so no two domains collide.
pub fn hash_to_scalar(domain: &[u8], msg: &[u8]) -> Fr {
    let mut wide = [0u8; 64];
    for (counter, half) in wide.as_chunks_mut::<32>().0.iter_mut().enumerate() {
        let digest = Sha256::new()
            .chain_update([domain.len() as u8])
            .chain_update(domain)
            .chain_update([counter as u8])
            .chain_update(msg)
            .finalize();
        half.copy_from_slice(&digest);
    }
    Fr::from_le_bytes_mod_order(&wide)
}

/// Attribute and keyword normal form: surrounding whitespace trimmed, lower case.
pub fn normalise(text: &str) -> String {
    text.trim().to_lowercase()
}

/// `Hz("medchain/attr", normalise(attribute))`.
pub fn attribute_scalar(attribute: &str) -> Fr {
    hash_to_scalar(DOMAIN_ATTRIBUTE, normalise(attribute).as_bytes())
}

/// `Hz("medchain/epoch", T)` with `T` as 8 little-endian bytes.
pub fn epoch_scalar(epoch: Epoch) -> Fr {
    hash_to_scalar(DOMAIN_EPOCH, &epoch.get().to_le_bytes())
}

/// `H(w) = SHA-256("medchain/kw" || normalise(w))`: what keywords and interests enter the
/// index as. The hash is unkeyed, so whoever receives these digests (the patient's and the
/// doctor's own hospitals) can test guesses of the words against them; everyone else sees only
/// the index tags (`CRYPTO.md` section 3).
pub fn keyword_digest(word: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(DOMAIN_KEYWORD)
        .chain_update(normalise(word).as_bytes())
        .finalize()
        .into()
}

/// SHA-256 of `bytes`: content addresses and capsule hashes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// HKDF-SHA256 from the canonical compressed form of a group element to a 32-byte AES key,
/// bound to `label` (`"medchain/kem"` for the ABE key, `"medchain/elgamal"` for reports).
pub fn derive_key(element: &impl CanonicalSerialize, salt: &[u8], label: &[u8]) -> [u8; 32] {
    let mut ikm = alloc::vec::Vec::with_capacity(element.compressed_size());
    element
        .serialize_compressed(&mut ikm)
        .expect("serialising into a Vec cannot fail");
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), &ikm)
        .expand(label, &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    zeroize::Zeroize::zeroize(&mut ikm);
    key
}

/// HKDF-SHA256 of secret material `ikm` to 32 bytes for purpose `info`: keys derived from a
/// hospital's account key.
pub fn expand(ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, ikm)
        .expand(info, &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_separate_equal_messages() {
        assert_ne!(
            hash_to_scalar(DOMAIN_ATTRIBUTE, b"x"),
            hash_to_scalar(DOMAIN_EPOCH, b"x")
        );
    }

    #[test]
    fn attributes_are_normalised_before_hashing() {
        assert_eq!(
            attribute_scalar("  Dept:Cardiology "),
            attribute_scalar("dept:cardiology")
        );
        assert_ne!(
            attribute_scalar("dept:cardiology"),
            attribute_scalar("dept:oncology")
        );
        assert_eq!(keyword_digest("Diabetes"), keyword_digest("diabetes "));
    }

    #[test]
    fn epochs_hash_apart() {
        assert_ne!(epoch_scalar(Epoch::new(1)), epoch_scalar(Epoch::new(2)));
    }
}
