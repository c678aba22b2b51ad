//! Hashed ElGamal on G1 with AES-256-GCM: hospital keys (search keys inside authorisations) and
//! patient keys (diagnosis reports).
//!
//! `R = g1^k`, shared point `S = pk^k = R^x`, key `HKDF(S, salt = R, "medchain/elgamal")`. The
//! payload is bound to `R` as GCM associated data. Publishing `S` with a [`dleq`](crate::dleq)
//! proof lets anyone read what was sent, which is how disputes are settled.

use alloc::vec::Vec;
use ark_bls12_381::{G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_std::UniformRand;
use codec::{Decode, Encode};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{
    aead::{open_with_aad, seal_with_aad, PayloadKey, SealedPayload},
    encoding::{Canonical, G1Point},
    hash::{derive_key, hash_to_scalar, sha256},
    CryptoRngCore, Error, Fr, Result,
};

const LABEL: &[u8] = b"medchain/elgamal";
/// Domain of [`SecretKey::derive`].
const DERIVE_DOMAIN: &[u8] = b"medchain/elgamal/derive";

/// A hospital's or patient's secret `x`. Zeroised on drop, never printed.
#[derive(Clone, Encode, Decode, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(Canonical<Fr>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("elgamal::SecretKey(<redacted>)")
    }
}

/// The public key `g1^x` (48 bytes: the hospital encryption key registered on-chain).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PublicKey(pub G1Point);

impl SecretKey {
    /// A fresh key.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self(Fr::rand(rng).into())
    }

    /// The key derived from secret material `ikm` (at least 32 bytes of entropy). A hospital's
    /// node derives its encryption key from its account key, so the key needs no storage of its
    /// own and comes back with the keystore after a reinstall.
    pub fn derive(ikm: &[u8]) -> Self {
        Self(hash_to_scalar(DERIVE_DOMAIN, ikm).into())
    }

    pub(crate) fn scalar(&self) -> Fr {
        self.0 .0
    }

    /// `g1^x`.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(
            (G1Projective::generator() * self.scalar())
                .into_affine()
                .into(),
        )
    }

    /// `S = R^x`, the shared point of a ciphertext addressed to this key.
    pub fn shared_point(&self, ciphertext: &Ciphertext) -> G1Affine {
        (ciphertext.ephemeral.0 * self.scalar()).into_affine()
    }

    /// Decrypts a ciphertext addressed to this key.
    pub fn open(&self, ciphertext: &Ciphertext) -> Result<Vec<u8>> {
        open_with_shared_point(&self.shared_point(ciphertext), ciphertext)
    }
}

/// A ciphertext: the ephemeral `R` and the sealed payload.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Ciphertext {
    /// `R = g1^k`.
    pub ephemeral: G1Point,
    /// AES-256-GCM under the derived key, bound to `R`.
    pub sealed: SealedPayload,
}

impl Ciphertext {
    /// SHA-256 of `R`: what the payload is bound to.
    fn binding(ephemeral: &G1Point) -> [u8; 32] {
        sha256(&ephemeral.encode())
    }
}

/// Encrypts `plaintext` to `recipient`.
pub fn seal(
    recipient: &PublicKey,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Ciphertext> {
    let k = Fr::rand(rng);
    let ephemeral: G1Point = (G1Projective::generator() * k).into_affine().into();
    let shared = (recipient.0 .0 * k).into_affine();
    let key = payload_key(&shared, &ephemeral);
    let sealed = seal_with_aad(&key, Ciphertext::binding(&ephemeral), plaintext, rng)?;
    Ok(Ciphertext { ephemeral, sealed })
}

/// Decrypts with a disclosed shared point `S` (after its proof was checked): anyone can.
pub fn open_with_shared_point(shared: &G1Affine, ciphertext: &Ciphertext) -> Result<Vec<u8>> {
    if ciphertext.sealed.associated_data != Ciphertext::binding(&ciphertext.ephemeral) {
        return Err(Error::Tampered);
    }
    open_with_aad(
        &payload_key(shared, &ciphertext.ephemeral),
        &ciphertext.sealed,
    )
}

fn payload_key(shared: &G1Affine, ephemeral: &G1Point) -> PayloadKey {
    PayloadKey::from_bytes(derive_key(shared, &ephemeral.encode(), LABEL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn derived_keys_are_reproducible_and_separate_secrets() {
        let a = SecretKey::derive(&[7; 64]).public_key();
        assert_eq!(a, SecretKey::derive(&[7; 64]).public_key());
        assert_ne!(a, SecretKey::derive(&[8; 64]).public_key());
    }

    #[test]
    fn recipient_opens_others_cannot() {
        let mut rng = StdRng::seed_from_u64(1);
        let alice = SecretKey::generate(&mut rng);
        let eve = SecretKey::generate(&mut rng);
        let ct = seal(&alice.public_key(), b"search key bytes", &mut rng).unwrap();
        assert_eq!(alice.open(&ct).unwrap(), b"search key bytes");
        assert_eq!(eve.open(&ct), Err(Error::Tampered));
    }

    #[test]
    fn swapped_ephemeral_is_detected() {
        let mut rng = StdRng::seed_from_u64(2);
        let alice = SecretKey::generate(&mut rng);
        let a = seal(&alice.public_key(), b"one", &mut rng).unwrap();
        let b = seal(&alice.public_key(), b"two", &mut rng).unwrap();
        let mut spliced = a.clone();
        spliced.ephemeral = b.ephemeral;
        assert_eq!(alice.open(&spliced), Err(Error::Tampered));
    }

    #[test]
    fn secret_is_not_printed_and_round_trips() {
        let mut rng = StdRng::seed_from_u64(3);
        let sk = SecretKey::generate(&mut rng);
        assert_eq!(format!("{sk:?}"), "elgamal::SecretKey(<redacted>)");
        let back = SecretKey::decode(&mut &sk.encode()[..]).unwrap();
        assert_eq!(back.public_key(), sk.public_key());
    }
}
