//! Constant-time selection and scalar multiplication for secret exponents.
//!
//! Every exponent in the scheme but the attribute and epoch hashes is secret: `alpha`, the node
//! shares, key randomness, the patient's `s` and `t_i`, the doctor's `z_T`, ElGamal keys and
//! nonces. arkworks' own `point * scalar` branches on the scalar's bits, and a plain window table
//! is indexed by them; both leak the exponent through timing and the cache. Here:
//!
//! * a table entry is read by scanning the whole window and keeping the wanted entry with a
//!   [`subtle`] mask ([`CtSelect`]), so the memory access pattern does not depend on the digit;
//! * every window adds an entry, never skipping a zero digit: the table holds `(d + 1) * B` for
//!   digits `d` in `0..16`, and the scalar is first lowered by `OFFSET` (`sum of 16^i`), which
//!   the `+ 1`s add back. No entry is the identity, so no addition takes arkworks' shortcut for
//!   it.
//!
//! What this does not cover: arkworks' field arithmetic ends a Montgomery multiplication with a
//! data-dependent conditional subtraction, and point addition special-cases equal inputs (which
//! happens with negligible probability here). This is as far as the crate can go without its own
//! field implementation.

use alloc::vec::Vec;
use ark_ec::{
    pairing::{Pairing, PairingOutput},
    scalar_mul::ScalarMul,
    short_weierstrass::{Affine, SWCurveConfig},
};
use ark_ff::{
    CubicExtConfig, CubicExtField, Fp, FpConfig, MontFp, PrimeField, QuadExtConfig, QuadExtField,
};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::Fr;

/// Bits of exponent per window.
pub(crate) const WINDOW: usize = 4;
/// Entries per window: digits `0..16`, stored as `(d + 1) * B`.
pub(crate) const ENTRIES: usize = 1 << WINDOW;
/// Windows that cover a 256-bit scalar representation.
pub(crate) const WINDOWS: usize = 256 / WINDOW;

/// `sum_{i < 64} 16^i` = `0x1111...1111` (64 hex digits), below the group order: subtracting it
/// from a scalar before splitting it into digits makes every window add `(d + 1) * 16^i * B`.
const OFFSET: Fr =
    MontFp!("7719472615821079694904732333912527190217998977709370935963838933860875309329");

/// A value that can be overwritten by another under a secret condition, in constant time.
pub trait CtSelect: Copy {
    /// `self = other` if `choice` is set, without branching on it.
    fn ct_assign(&mut self, other: &Self, choice: Choice);

    /// `table[index]`, reading every entry.
    fn ct_lookup(table: &[Self], index: u8) -> Self {
        let mut chosen = table[0];
        for (i, entry) in table.iter().enumerate().skip(1) {
            chosen.ct_assign(entry, (i as u8).ct_eq(&index));
        }
        chosen
    }
}

impl<P: FpConfig<N>, const N: usize> CtSelect for Fp<P, N> {
    fn ct_assign(&mut self, other: &Self, choice: Choice) {
        for (limb, theirs) in self.0 .0.iter_mut().zip(other.0 .0.iter()) {
            limb.conditional_assign(theirs, choice);
        }
    }
}

impl<P: QuadExtConfig> CtSelect for QuadExtField<P>
where
    P::BaseField: CtSelect,
{
    fn ct_assign(&mut self, other: &Self, choice: Choice) {
        self.c0.ct_assign(&other.c0, choice);
        self.c1.ct_assign(&other.c1, choice);
    }
}

impl<P: CubicExtConfig> CtSelect for CubicExtField<P>
where
    P::BaseField: CtSelect,
{
    fn ct_assign(&mut self, other: &Self, choice: Choice) {
        self.c0.ct_assign(&other.c0, choice);
        self.c1.ct_assign(&other.c1, choice);
        self.c2.ct_assign(&other.c2, choice);
    }
}

/// For tables of points other than the identity (the infinity flag is not selected).
impl<P: SWCurveConfig> CtSelect for Affine<P>
where
    P::BaseField: CtSelect,
{
    fn ct_assign(&mut self, other: &Self, choice: Choice) {
        self.x.ct_assign(&other.x, choice);
        self.y.ct_assign(&other.y, choice);
    }
}

impl<P: Pairing> CtSelect for PairingOutput<P>
where
    P::TargetField: CtSelect,
{
    fn ct_assign(&mut self, other: &Self, choice: Choice) {
        self.0.ct_assign(&other.0, choice);
    }
}

/// The base-16 digits of `exponent - OFFSET`, least significant first.
pub(crate) fn digits(exponent: &Fr) -> [u8; WINDOWS] {
    let limbs = (*exponent - OFFSET).into_bigint().0;
    let mut digits = [0u8; WINDOWS];
    for (i, digit) in digits.iter_mut().enumerate() {
        let limb = limbs[i / 16];
        *digit = ((limb >> (WINDOW * (i % 16))) & 0xf) as u8;
    }
    digits
}

/// `(1 * base, 2 * base, ..., 16 * base)`.
pub(crate) fn multiples<G: ScalarMul<ScalarField = Fr>>(base: G) -> Vec<G> {
    let mut multiples = Vec::with_capacity(ENTRIES);
    let mut acc = base;
    for _ in 0..ENTRIES {
        multiples.push(acc);
        acc += base;
    }
    multiples
}

/// `base ^ exponent` for a base known only now (a key component, a received point), in
/// constant time: 252 doublings and 64 additions of table entries.
pub fn mul<G: ScalarMul<ScalarField = Fr>>(base: &G, exponent: &Fr) -> G
where
    G::MulBase: CtSelect,
{
    let table = G::batch_convert_to_mul_base(&multiples(*base));
    let digits = digits(exponent);
    let mut acc = G::from(G::MulBase::ct_lookup(&table, digits[WINDOWS - 1]));
    for digit in digits[..WINDOWS - 1].iter().rev() {
        for _ in 0..WINDOW {
            acc.double_in_place();
        }
        acc += G::MulBase::ct_lookup(&table, *digit);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bls12_381::{Bls12_381, G1Projective, G2Projective};
    use ark_ec::PrimeGroup;
    use ark_ff::{One, Zero};
    use ark_std::UniformRand;

    fn exponents() -> Vec<Fr> {
        let mut rng = ark_std::test_rng();
        let mut out = alloc::vec![
            Fr::zero(),
            Fr::one(),
            -Fr::one(),
            OFFSET,
            OFFSET - Fr::one(),
            OFFSET + Fr::one(),
        ];
        out.extend((0..4).map(|_| Fr::rand(&mut rng)));
        out
    }

    #[test]
    fn offset_is_the_sum_of_the_window_weights() {
        let sixteen = Fr::from(16u64);
        let sum = (0..WINDOWS).fold(Fr::zero(), |acc, _| acc * sixteen + Fr::one());
        assert_eq!(sum, OFFSET);
    }

    #[test]
    fn constant_time_multiplication_matches_arkworks_in_every_group() {
        let p = G1Projective::generator() * Fr::from(3u64);
        let q = G2Projective::generator() * Fr::from(5u64);
        let t = Bls12_381::pairing(p, q);
        for e in exponents() {
            assert_eq!(mul(&p, &e), p * e);
            assert_eq!(mul(&q, &e), q * e);
            assert_eq!(mul(&t, &e), t * e);
        }
    }

    #[test]
    fn lookup_returns_the_indexed_entry() {
        let table: Vec<_> = (1..=16u64).map(ark_bls12_381::Fq::from).collect();
        for i in 0..16u8 {
            assert_eq!(CtSelect::ct_lookup(&table, i), table[i as usize]);
        }
    }
}
