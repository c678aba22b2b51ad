//! Hashed ElGamal on G1 with AES-256-GCM: hospital keys (search keys inside authorisations),
//! patient keys (diagnosis reports) and doctors' `pk_D` (their sealed attribute keys).
//!
//! `R = g1^k`, shared point `S = pk^k = R^x`, key `HKDF(S, salt = R, label)`. The payload is
//! bound to `R` and to the caller's context as GCM associated data. Publishing `S` with a
//! [`dleq`](crate::dleq) proof lets anyone read what was sent, which is how disputes are settled.
//!
//! The identity is never a key: sealing to it would be public (`S = 1` for every `k`), so
//! [`PublicKey`] refuses it when it is decoded or built.

use alloc::vec::Vec;
use ark_bls12_381::{G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_std::UniformRand;
use codec::{Decode, Encode, Input, MaxEncodedLen};
use core::fmt;
use medchain_types::CompressedG1;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{
    aead::{PayloadKey, SealedPayload},
    ct,
    encoding::{Canonical, G1Point},
    hash::{derive_key, hash_to_scalar, sha256},
    hazmat::{open_with_aad, seal_with_aad},
    CryptoRngCore, Error, Fr, Result,
};

/// HKDF label of reports and search keys.
const LABEL: &[u8] = b"medchain/elgamal";
/// Domain of [`SecretKey::derive`].
const DERIVE_DOMAIN: &[u8] = b"medchain/elgamal/derive";

/// A hospital's, patient's or doctor's secret `x`. Zeroised on drop, never printed, compared in
/// constant time.
#[derive(Clone, Encode, Decode, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(Canonical<Fr>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("elgamal::SecretKey(<redacted>)")
    }
}

impl subtle::ConstantTimeEq for SecretKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        crate::encoding::ct_eq_encoded(self, other)
    }
}

/// The public key `g1^x` (48 bytes compressed), never the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, MaxEncodedLen)]
pub struct PublicKey(G1Point);

impl PublicKey {
    /// `point` as a key, or [`Error::IdentityKey`] for the identity.
    pub fn from_point(point: G1Point) -> Result<Self> {
        if point.0.is_zero() {
            return Err(Error::IdentityKey);
        }
        Ok(Self(point))
    }

    /// The point `g1^x`.
    pub fn point(&self) -> &G1Point {
        &self.0
    }

    /// The key as pallets store it and requests carry it.
    pub fn compress(&self) -> CompressedG1 {
        self.0.compress()
    }

    /// The key `compressed` names: a point of G1's prime-order subgroup, not the identity.
    pub fn decompress(compressed: &CompressedG1) -> Result<Self> {
        Self::from_point(G1Point::decompress(compressed)?)
    }
}

impl Decode for PublicKey {
    fn decode<I: Input>(input: &mut I) -> core::result::Result<Self, codec::Error> {
        Self::from_point(G1Point::decode(input)?).map_err(|_| "the identity is not a key".into())
    }
}

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
        // `x` is zero with negligible probability; its key would be the identity, which no
        // decoder accepts, so nothing could be sealed to it.
        PublicKey(
            ct::mul(&G1Projective::generator(), &self.scalar())
                .into_affine()
                .into(),
        )
    }

    /// `S = R^x`, the shared point of a ciphertext addressed to this key.
    pub fn shared_point(&self, ciphertext: &Ciphertext) -> G1Affine {
        ct::mul(&G1Projective::from(ciphertext.ephemeral.0), &self.scalar()).into_affine()
    }

    /// Decrypts a report or search key addressed to this key.
    pub fn open(&self, ciphertext: &Ciphertext) -> Result<Vec<u8>> {
        open_with_shared_point(&self.shared_point(ciphertext), ciphertext)
    }

    /// Decrypts a ciphertext sealed with [`seal_labelled`] under `label` and `context`; the
    /// plaintext is wiped when dropped.
    pub(crate) fn open_labelled(
        &self,
        ciphertext: &Ciphertext,
        label: &[u8],
        context: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        if ciphertext.sealed.associated_data != Ciphertext::binding(&ciphertext.ephemeral, context)
        {
            return Err(Error::Tampered);
        }
        let key = payload_key(&self.shared_point(ciphertext), &ciphertext.ephemeral, label);
        open_with_aad(&key, &ciphertext.sealed).map(Zeroizing::new)
    }
}

/// A ciphertext: the ephemeral `R` and the sealed payload.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Ciphertext {
    /// `R = g1^k`.
    pub ephemeral: G1Point,
    /// AES-256-GCM under the derived key, bound to `R` and the context.
    pub sealed: SealedPayload,
}

impl Ciphertext {
    /// SHA-256 of `R` and `context`: what the payload is bound to (reports: `R` alone).
    fn binding(ephemeral: &G1Point, context: &[u8]) -> [u8; 32] {
        let mut bound = ephemeral.encode();
        bound.extend_from_slice(context);
        sha256(&bound)
    }
}

/// Encrypts a report or search key `plaintext` to `recipient`.
pub fn seal(
    recipient: &PublicKey,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Ciphertext> {
    seal_labelled(recipient, LABEL, &[], plaintext, rng)
}

/// Encrypts `plaintext` to `recipient` with key label `label`, bound to `context`.
pub(crate) fn seal_labelled(
    recipient: &PublicKey,
    label: &[u8],
    context: &[u8],
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Ciphertext> {
    let mut k = Fr::rand(rng);
    let ephemeral: G1Point = ct::mul(&G1Projective::generator(), &k).into_affine().into();
    let shared = ct::mul(&G1Projective::from(recipient.0 .0), &k).into_affine();
    k.zeroize();
    let key = payload_key(&shared, &ephemeral, label);
    let sealed = seal_with_aad(
        &key,
        Ciphertext::binding(&ephemeral, context),
        plaintext,
        rng,
    )?;
    Ok(Ciphertext { ephemeral, sealed })
}

/// Decrypts a report with a disclosed shared point `S` (after its proof was checked): anyone can.
pub fn open_with_shared_point(shared: &G1Affine, ciphertext: &Ciphertext) -> Result<Vec<u8>> {
    if ciphertext.sealed.associated_data != Ciphertext::binding(&ciphertext.ephemeral, &[]) {
        return Err(Error::Tampered);
    }
    open_with_aad(
        &payload_key(shared, &ciphertext.ephemeral, LABEL),
        &ciphertext.sealed,
    )
}

fn payload_key(shared: &G1Affine, ephemeral: &G1Point, label: &[u8]) -> PayloadKey {
    PayloadKey::from_bytes(derive_key(shared, &ephemeral.encode(), label))
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
    fn the_identity_is_refused_as_a_key() {
        let identity = G1Point::from(G1Affine::zero());
        assert_eq!(PublicKey::from_point(identity), Err(Error::IdentityKey));
        assert!(PublicKey::decode(&mut &identity.encode()[..]).is_err());
        let real = SecretKey::generate(&mut StdRng::seed_from_u64(4)).public_key();
        assert_eq!(PublicKey::decode(&mut &real.encode()[..]), Ok(real));
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
