//! Fixed-base exponentiation with precomputed window tables, in constant time.
//!
//! Encryption and key generation raise the same few public generators to fresh secret exponents
//! over and over; a table of `(d + 1) * 16^i * P` turns each of those into 64 table reads and 63
//! additions instead of ~255 doublings and ~128 additions. Reads scan a whole window and the
//! scalar is offset so that no window is skipped ([`crate::ct`]): neither the memory accessed nor
//! the number of additions depends on the exponent.

use alloc::vec::Vec;
use ark_ec::scalar_mul::ScalarMul;

use crate::{
    ct::{self, CtSelect, ENTRIES, WINDOW, WINDOWS},
    Fr,
};

/// Precomputed multiples of one base in a group `G` (G1, G2 or GT).
#[derive(Clone, Debug)]
pub struct FixedBase<G: ScalarMul<ScalarField = Fr>> {
    /// Window `i`'s entries at `i * ENTRIES ..`: `(d + 1) * 16^i * base` for `d` in `0..16`.
    table: Vec<G::MulBase>,
}

impl<G: ScalarMul<ScalarField = Fr>> FixedBase<G>
where
    G::MulBase: CtSelect,
{
    /// Precomputes the windows of `base`.
    pub fn new(base: G) -> Self {
        let mut points = Vec::with_capacity(WINDOWS * ENTRIES);
        let mut window_base = base;
        for _ in 0..WINDOWS {
            points.extend(ct::multiples(window_base));
            for _ in 0..WINDOW {
                window_base.double_in_place();
            }
        }
        Self {
            table: G::batch_convert_to_mul_base(&points),
        }
    }

    /// `base ^ exponent`.
    pub fn mul(&self, exponent: &Fr) -> G {
        let windows = self.table.as_chunks::<ENTRIES>().0;
        let digits = ct::digits(exponent);
        let mut acc = G::from(G::MulBase::ct_lookup(&windows[0], digits[0]));
        for (window, digit) in windows[1..].iter().zip(&digits[1..]) {
            acc += G::MulBase::ct_lookup(window, *digit);
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bls12_381::{Bls12_381, G1Projective, G2Projective};
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
