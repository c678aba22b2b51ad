//! Chaum-Pedersen proof that a disclosed ElGamal shared point is honest (`CRYPTO.md` section 4).
//!
//! A patient disputing a report publishes `S = R^x` and a proof that `log_g1(pk) = log_R(S)`.
//! Anyone, the runtime included (this module needs no `std`), verifies it and can then derive
//! the report key from `S` and read exactly what the doctor sent.

use ark_bls12_381::{G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use codec::{Decode, Encode};

use crate::{
    ct,
    elgamal::{Ciphertext, PublicKey, SecretKey},
    encoding::{Canonical, G1Point},
    hash::hash_to_scalar,
    CryptoRngCore, Error, Fr, Result,
};

const DOMAIN_CHALLENGE: &[u8] = b"medchain/dleq";
const DOMAIN_NONCE: &[u8] = b"medchain/dleq-nonce";

/// A non-interactive proof `(c, z)` (Fiat-Shamir over SHA-256).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Proof {
    /// Challenge `c`.
    pub challenge: Canonical<Fr>,
    /// Response `z = w + c x`.
    pub response: Canonical<Fr>,
}

/// What a patient publishes to open a disputed report: `S` and its proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Disclosure {
    /// `S = R^x`.
    pub shared: G1Point,
    /// Proof that `S` used the same `x` as the patient's public key.
    pub proof: Proof,
}

/// Discloses the shared point of `ciphertext` with a proof.
///
/// The nonce `w` hashes the secret with fresh randomness, so a weak generator alone cannot leak
/// `x` through repeated nonces.
pub fn disclose(
    sk: &SecretKey,
    ciphertext: &Ciphertext,
    rng: &mut impl CryptoRngCore,
) -> Disclosure {
    let pk = sk.public_key();
    let r = ciphertext.ephemeral.0;
    let shared = sk.shared_point(ciphertext);
    let mut seed = [0u8; 64];
    rng.fill_bytes(&mut seed[32..]);
    seed[..32].copy_from_slice(&sk.scalar().encode_scalar());
    let w = hash_to_scalar(DOMAIN_NONCE, &seed);
    zeroize::Zeroize::zeroize(&mut seed);
    let a = ct::mul(&G1Projective::generator(), &w).into_affine();
    let b = ct::mul(&G1Projective::from(r), &w).into_affine();
    let c = challenge(&pk, &r, &shared, &a, &b);
    let z = w + c * sk.scalar();
    Disclosure {
        shared: shared.into(),
        proof: Proof {
            challenge: c.into(),
            response: z.into(),
        },
    }
}

/// Checks a disclosure for the ciphertext with ephemeral `R` against the patient's public key.
/// Only `R` is needed, so the runtime verifies with what is on-chain.
pub fn verify(pk: &PublicKey, ephemeral: &G1Point, disclosure: &Disclosure) -> Result<()> {
    let (c, z) = (disclosure.proof.challenge.0, disclosure.proof.response.0);
    let r = ephemeral.0;
    let s = disclosure.shared.0;
    let a = (G1Projective::generator() * z - pk.point().0 * c).into_affine();
    let b = (r * z - s * c).into_affine();
    if challenge(pk, &r, &s, &a, &b) == c {
        Ok(())
    } else {
        Err(Error::InvalidProof)
    }
}

fn challenge(pk: &PublicKey, r: &G1Affine, s: &G1Affine, a: &G1Affine, b: &G1Affine) -> Fr {
    let generator = G1Point::from(G1Affine::from(G1Projective::generator()));
    let transcript = (
        generator,
        *pk.point(),
        G1Point::from(*r),
        G1Point::from(*s),
        G1Point::from(*a),
        G1Point::from(*b),
    );
    hash_to_scalar(DOMAIN_CHALLENGE, &transcript.encode())
}

trait EncodeScalar {
    fn encode_scalar(&self) -> [u8; 32];
}

impl EncodeScalar for Fr {
    fn encode_scalar(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&Canonical(*self).encode());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::{open_with_shared_point, seal};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    fn report(rng: &mut StdRng) -> (SecretKey, Ciphertext) {
        let patient = SecretKey::generate(rng);
        let ct = seal(&patient.public_key(), b"diagnosis: benign", rng).unwrap();
        (patient, ct)
    }

    #[test]
    fn honest_disclosure_verifies_and_opens_the_report() {
        let mut rng = StdRng::seed_from_u64(1);
        let (patient, ct) = report(&mut rng);
        let disclosure = disclose(&patient, &ct, &mut rng);
        assert_eq!(
            verify(&patient.public_key(), &ct.ephemeral, &disclosure),
            Ok(())
        );
        assert_eq!(
            open_with_shared_point(&disclosure.shared.0, &ct).unwrap(),
            b"diagnosis: benign"
        );
    }

    #[test]
    fn proof_for_another_secret_fails() {
        let mut rng = StdRng::seed_from_u64(2);
        let (patient, ct) = report(&mut rng);
        let other = SecretKey::generate(&mut rng);
        let disclosure = disclose(&other, &ct, &mut rng);
        assert_eq!(
            verify(&patient.public_key(), &ct.ephemeral, &disclosure),
            Err(Error::InvalidProof)
        );
    }

    #[test]
    fn proof_for_another_ciphertext_fails() {
        let mut rng = StdRng::seed_from_u64(3);
        let (patient, ct) = report(&mut rng);
        let other_ct = seal(&patient.public_key(), b"another report", &mut rng).unwrap();
        let disclosure = disclose(&patient, &ct, &mut rng);
        assert_eq!(
            verify(&patient.public_key(), &other_ct.ephemeral, &disclosure),
            Err(Error::InvalidProof)
        );
    }

    #[test]
    fn flipped_bits_fail() {
        let mut rng = StdRng::seed_from_u64(4);
        let (patient, ct) = report(&mut rng);
        let disclosure = disclose(&patient, &ct, &mut rng);
        let bytes = disclosure.encode();
        for bit in [0, 8 * 48 + 3, 8 * 80 + 1, bytes.len() * 8 - 9] {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            // Either it no longer decodes (a point off the curve) or the proof fails.
            if let Ok(d) = Disclosure::decode(&mut &flipped[..]) {
                assert_eq!(
                    verify(&patient.public_key(), &ct.ephemeral, &d),
                    Err(Error::InvalidProof),
                    "bit {bit}"
                );
            }
        }
    }

    #[test]
    fn a_wrong_shared_point_with_the_honest_proof_fails() {
        let mut rng = StdRng::seed_from_u64(5);
        let (patient, ct) = report(&mut rng);
        let mut disclosure = disclose(&patient, &ct, &mut rng);
        disclosure.shared =
            G1Point::from((G1Projective::generator() * Fr::from(5u64)).into_affine());
        assert_eq!(
            verify(&patient.public_key(), &ct.ephemeral, &disclosure),
            Err(Error::InvalidProof)
        );
    }
}
