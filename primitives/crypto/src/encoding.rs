//! SCALE encoding for the cryptographic types.
//!
//! Group elements travel compressed and are **validated on decode** (on the curve, in the
//! prime-order subgroup; scalars canonical), so a malformed or small-subgroup point is a decode
//! error before any arithmetic sees it. Every list and string carries its limit in its type, so a
//! length prefix cannot make a decoder allocate more than the limit allows.

use alloc::{string::String, vec::Vec};
use ark_bls12_381::Bls12_381;
#[cfg(test)]
use ark_bls12_381::{G1Affine, G2Affine};
use ark_ec::{
    pairing::PairingOutput,
    short_weierstrass::{Affine, SWCurveConfig},
};
use ark_ff::Zero;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use codec::{Compact, Decode, Encode, Input, MaxEncodedLen, Output};
use core::ops::Deref;
use medchain_types::CompressedG1;

use crate::Fr;

/// Arkworks values whose compressed form has a fixed size, so SCALE needs no length prefix.
pub trait FixedSize: CanonicalSerialize + CanonicalDeserialize {
    /// Bytes of the compressed form: 48 for G1, 96 for G2, 32 for scalars, 576 for GT.
    fn size() -> usize;
}

impl<P: SWCurveConfig> FixedSize for Affine<P> {
    fn size() -> usize {
        Affine::<P>::identity().compressed_size()
    }
}
impl FixedSize for Fr {
    fn size() -> usize {
        Fr::zero().compressed_size()
    }
}
impl FixedSize for PairingOutput<Bls12_381> {
    fn size() -> usize {
        PairingOutput::<Bls12_381>::default().compressed_size()
    }
}

/// The largest [`FixedSize::size`]: decoding reads into a stack buffer of this size.
const MAX_FIXED_SIZE: usize = 576;

/// A group element or scalar in its canonical compressed form.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Canonical<T>(pub T);

/// A G1 point (48 bytes on the wire).
pub type G1Point = Canonical<ark_bls12_381::G1Affine>;
/// A G2 point (96 bytes on the wire).
pub type G2Point = Canonical<ark_bls12_381::G2Affine>;
/// An element of the pairing target group (576 bytes on the wire).
pub type GtElement = Canonical<PairingOutput<Bls12_381>>;

impl<T: FixedSize> Encode for Canonical<T> {
    fn size_hint(&self) -> usize {
        T::size()
    }

    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        let mut bytes = [0u8; MAX_FIXED_SIZE];
        self.0
            .serialize_compressed(&mut bytes[..T::size()])
            .expect("FixedSize::SIZE is the exact compressed size of T");
        dest.write(&bytes[..T::size()]);
    }
}

impl<T: FixedSize> Decode for Canonical<T> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let mut bytes = [0u8; MAX_FIXED_SIZE];
        input.read(&mut bytes[..T::size()])?;
        T::deserialize_compressed(&bytes[..T::size()])
            .map(Canonical)
            .map_err(|_| "invalid group element or scalar encoding".into())
    }
}

impl<T: FixedSize> MaxEncodedLen for Canonical<T> {
    fn max_encoded_len() -> usize {
        T::size()
    }
}

impl<T: zeroize::Zeroize> zeroize::Zeroize for Canonical<T> {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl G1Point {
    /// The point `compressed` names, checked: on the curve, in the prime-order subgroup.
    pub fn decompress(compressed: &CompressedG1) -> crate::Result<Self> {
        Ok(Canonical(compressed.decompress()?))
    }

    /// The point's compressed form, as pallets store it and events carry it.
    pub fn compress(&self) -> CompressedG1 {
        CompressedG1::compress(&self.0)
    }
}

impl<T> From<T> for Canonical<T> {
    fn from(value: T) -> Self {
        Canonical(value)
    }
}

/// A list of at most `MAX` items; decoding a longer length prefix fails before allocating.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BoundedList<T, const MAX: usize>(Vec<T>);

impl<T, const MAX: usize> BoundedList<T, MAX> {
    /// Wraps `items`, or gives them back if there are more than `MAX`.
    pub fn new(items: Vec<T>) -> Result<Self, Vec<T>> {
        if items.len() <= MAX {
            Ok(Self(items))
        } else {
            Err(items)
        }
    }

    /// The items.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }
}

impl<T, const MAX: usize> Default for BoundedList<T, MAX> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T, const MAX: usize> Deref for BoundedList<T, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Encode, const MAX: usize> Encode for BoundedList<T, MAX> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
}

impl<T: Decode, const MAX: usize> Decode for BoundedList<T, MAX> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let len = bounded_len::<I, MAX>(input)?;
        // Capacity grows with what is actually read: the prefix alone never reserves memory.
        let mut items = Vec::with_capacity(len.min(PREALLOCATE_LIMIT));
        for _ in 0..len {
            items.push(T::decode(input)?);
        }
        Ok(Self(items))
    }
}

impl<T: zeroize::Zeroize, const MAX: usize> zeroize::Zeroize for BoundedList<T, MAX> {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// Constant-time equality of two secrets through their encodings (wiped after comparing).
pub(crate) fn ct_eq_encoded<T: Encode>(a: &T, b: &T) -> subtle::Choice {
    use subtle::ConstantTimeEq;
    let (a, b) = (
        zeroize::Zeroizing::new(a.encode()),
        zeroize::Zeroizing::new(b.encode()),
    );
    a.as_slice().ct_eq(b.as_slice())
}

/// A UTF-8 string of at most `MAX` bytes.
#[derive(Clone, PartialEq, Eq, Debug, Default, PartialOrd, Ord)]
pub struct BoundedString<const MAX: usize>(String);

impl<const MAX: usize> BoundedString<MAX> {
    /// Wraps `text`, or gives it back if it is longer than `MAX` bytes.
    pub fn new(text: String) -> Result<Self, String> {
        if text.len() <= MAX {
            Ok(Self(text))
        } else {
            Err(text)
        }
    }
}

impl<const MAX: usize> Deref for BoundedString<MAX> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> Encode for BoundedString<MAX> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
}

impl<const MAX: usize> Decode for BoundedString<MAX> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let len = bounded_len::<I, MAX>(input)?;
        let mut bytes = Vec::with_capacity(len.min(PREALLOCATE_LIMIT));
        let mut chunk = [0u8; 256];
        let mut left = len;
        while left > 0 {
            let take = left.min(chunk.len());
            input.read(&mut chunk[..take])?;
            bytes.extend_from_slice(&chunk[..take]);
            left -= take;
        }
        String::from_utf8(bytes)
            .map(Self)
            .map_err(|_| "string is not UTF-8".into())
    }
}

/// Most items reserved ahead of decoding them.
const PREALLOCATE_LIMIT: usize = 1024;

/// Reads a SCALE compact length prefix and refuses it above `MAX`.
fn bounded_len<I: Input, const MAX: usize>(input: &mut I) -> Result<usize, codec::Error> {
    let len = Compact::<u32>::decode(input)?.0 as usize;
    if len > MAX {
        return Err("length over its limit".into());
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};

    #[test]
    fn points_round_trip_compressed() {
        let p = (ark_bls12_381::G1Projective::generator() * Fr::from(7u64)).into_affine();
        let bytes = G1Point::from(p).encode();
        assert_eq!(bytes.len(), 48);
        assert_eq!(G1Point::decode(&mut &bytes[..]).unwrap().0, p);
        let q = G2Affine::generator();
        let bytes = G2Point::from(q).encode();
        assert_eq!(bytes.len(), 96);
        assert_eq!(G2Point::decode(&mut &bytes[..]).unwrap().0, q);
    }

    #[test]
    fn point_off_the_curve_is_a_decode_error() {
        let mut bytes = G1Point::from(G1Affine::generator()).encode();
        bytes[20] ^= 1;
        assert!(G1Point::decode(&mut &bytes[..]).is_err());
    }

    #[test]
    fn point_outside_the_prime_order_subgroup_is_a_decode_error() {
        // Find a point on E(Fq) that is not in the r-order subgroup: any x with a square
        // y^2 = x^3 + 4 gives one with overwhelming probability (the cofactor is large).
        use ark_ff::{Field, One};
        let mut x = ark_bls12_381::Fq::one();
        let point = loop {
            let rhs = x * x * x + ark_bls12_381::Fq::from(4u64);
            if let Some(y) = rhs.sqrt() {
                let p = G1Affine::new_unchecked(x, y);
                if p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve() {
                    break p;
                }
            }
            x += ark_bls12_381::Fq::one();
        };
        let mut bytes = Vec::new();
        point.serialize_compressed(&mut bytes).unwrap();
        assert!(G1Point::decode(&mut &bytes[..]).is_err());
        let compressed = CompressedG1::try_from(&bytes[..]).expect("48 bytes");
        assert_eq!(
            G1Point::decompress(&compressed),
            Err(crate::Error::InvalidPoint)
        );
    }

    #[test]
    fn non_canonical_scalar_is_a_decode_error() {
        assert!(Canonical::<Fr>::decode(&mut &[0xffu8; 32][..]).is_err());
    }

    #[test]
    fn truncated_input_is_a_decode_error() {
        let bytes = G2Point::from(G2Affine::generator()).encode();
        assert!(G2Point::decode(&mut &bytes[..95]).is_err());
    }

    #[test]
    fn list_over_its_limit_is_refused_before_allocation() {
        // A prefix claiming 2^30 items must fail without trying to reserve them.
        let bytes = Compact(1u32 << 30).encode();
        assert!(BoundedList::<u8, 16>::decode(&mut &bytes[..]).is_err());
        let ok = BoundedList::<u8, 4>::new(alloc::vec![1, 2, 3])
            .unwrap()
            .encode();
        assert_eq!(
            &*BoundedList::<u8, 4>::decode(&mut &ok[..]).unwrap(),
            &[1, 2, 3]
        );
        assert!(BoundedList::<u8, 2>::decode(&mut &ok[..]).is_err());
        assert!(BoundedList::<u8, 2>::new(alloc::vec![1, 2, 3]).is_err());
    }

    #[test]
    fn strings_must_be_utf8_and_bounded() {
        let bytes = String::from("dept:cardiology").encode();
        assert_eq!(
            &*BoundedString::<32>::decode(&mut &bytes[..]).unwrap(),
            "dept:cardiology"
        );
        assert!(BoundedString::<4>::decode(&mut &bytes[..]).is_err());
        let invalid = (alloc::vec![0xffu8, 0xfe]).encode();
        assert!(BoundedString::<4>::decode(&mut &invalid[..]).is_err());
    }
}
