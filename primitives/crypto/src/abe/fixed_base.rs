//! Fixed-base exponentiation with precomputed window tables.
//!
//! Encryption and key generation raise the same few public generators to fresh exponents over
//! and over; a table of `d * 2^(6i) * P` turns each of those into 43 additions instead of ~255
//! doublings and ~128 additions. Not constant-time (neither is arkworks' own arithmetic): the
//! exponents are used once and the tables live in the process that computes with them.

use alloc::vec::Vec;
use ark_ec::scalar_mul::ScalarMul;
use ark_ff::{BigInteger, PrimeField};

/// Bits of exponent consumed per table lookup.
const WINDOW: usize = 6;
/// Entries per window.
const ENTRIES: usize = 1 << WINDOW;

/// Precomputed multiples of one base in a group `G` (G1, G2 or GT).
#[derive(Clone, Debug)]
pub struct FixedBase<G: ScalarMul> {
    table: Vec<G::MulBase>,
}

impl<G: ScalarMul> FixedBase<G> {
    /// Precomputes the windows of `base`.
    pub fn new(base: G) -> Self {
        let windows = Self::windows();
        let mut multiples = Vec::with_capacity(windows * ENTRIES);
        let mut window_base = base;
        for _ in 0..windows {
            let mut acc = G::zero();
            for _ in 0..ENTRIES {
                multiples.push(acc);
                acc += window_base;
            }
            window_base = acc;
        }
        Self {
            table: G::batch_convert_to_mul_base(&multiples),
        }
    }

    /// `base ^ exponent`.
    pub fn mul(&self, exponent: &G::ScalarField) -> G {
        let bits = exponent.into_bigint().to_bits_le();
        let mut acc = G::zero();
        for (window, chunk) in bits.chunks(WINDOW).enumerate() {
            let digit = chunk
                .iter()
                .rev()
                .fold(0usize, |d, &bit| (d << 1) | usize::from(bit));
            if digit != 0 {
                acc += &self.table[window * ENTRIES + digit];
            }
        }
        acc
    }

    fn windows() -> usize {
        (G::ScalarField::MODULUS_BIT_SIZE as usize).div_ceil(WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bls12_381::{Bls12_381, Fr, G1Projective, G2Projective};
    use ark_ec::{pairing::Pairing, PrimeGroup};
    use ark_std::UniformRand;

    #[test]
    fn matches_plain_multiplication_in_every_group() {
        let mut rng = ark_std::test_rng();
        let g1 = FixedBase::new(G1Projective::generator());
        let g2 = FixedBase::new(G2Projective::generator());
        let gt_base = Bls12_381::pairing(G1Projective::generator(), G2Projective::generator());
        let gt = FixedBase::new(gt_base);
        for exponent in [
            Fr::from(0u64),
            Fr::from(1u64),
            -Fr::from(1u64),
            Fr::rand(&mut rng),
        ] {
            assert_eq!(g1.mul(&exponent), G1Projective::generator() * exponent);
            assert_eq!(g2.mul(&exponent), G2Projective::generator() * exponent);
            assert_eq!(gt.mul(&exponent), gt_base * exponent);
        }
    }
}
