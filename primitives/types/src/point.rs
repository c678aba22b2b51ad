//! Group elements as they travel: compressed bytes, checked once when they are decompressed.
//!
//! A pallet stores and an event carries a patient's or hospital's key, a report's ephemeral
//! point and a disclosed share as [`CompressedG1`]: 48 bytes that SCALE-decode without any
//! arithmetic, so a block with a malformed point still decodes and the call refuses it with its
//! own error. Whoever computes with a point calls [`CompressedG1::decompress`], which checks it
//! is on the curve and in the prime-order subgroup, the way `curve25519-dalek`'s
//! `CompressedRistretto` works.

use ark_bls12_381::G1Affine;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// Bytes of a compressed BLS12-381 G1 point.
pub const COMPRESSED_G1_LEN: usize = 48;

/// A BLS12-381 G1 point in its 48-byte compressed form, not yet checked.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct CompressedG1([u8; COMPRESSED_G1_LEN]);

/// The bytes are not a point of G1's prime-order subgroup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidPoint;

impl fmt::Display for InvalidPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a valid compressed BLS12-381 G1 point")
    }
}

impl CompressedG1 {
    /// The compressed form of `point`.
    pub fn compress(point: &G1Affine) -> Self {
        let mut bytes = [0u8; COMPRESSED_G1_LEN];
        point
            .serialize_compressed(&mut bytes[..])
            .expect("a compressed G1 point is exactly 48 bytes");
        Self(bytes)
    }

    /// The point, if the bytes are the canonical compression of a point of G1's prime-order
    /// subgroup (the identity included: callers that refuse it say so).
    pub fn decompress(&self) -> Result<G1Affine, InvalidPoint> {
        G1Affine::deserialize_compressed(&self.0[..]).map_err(|_| InvalidPoint)
    }

    /// The 48 bytes, as given.
    pub const fn from_bytes(bytes: [u8; COMPRESSED_G1_LEN]) -> Self {
        Self(bytes)
    }

    /// The 48 bytes.
    pub const fn as_bytes(&self) -> &[u8; COMPRESSED_G1_LEN] {
        &self.0
    }
}

impl TryFrom<&[u8]> for CompressedG1 {
    type Error = InvalidPoint;

    /// The bytes, if there are 48 of them (they are checked when decompressed).
    fn try_from(bytes: &[u8]) -> Result<Self, InvalidPoint> {
        <[u8; COMPRESSED_G1_LEN]>::try_from(bytes)
            .map(Self)
            .map_err(|_| InvalidPoint)
    }
}

impl fmt::Debug for CompressedG1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CompressedG1(0x")?;
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::AffineRepr;

    #[test]
    fn a_point_survives_compression_and_travels_as_its_48_bytes() {
        let generator = G1Affine::generator();
        let compressed = CompressedG1::compress(&generator);
        assert_eq!(compressed.decompress(), Ok(generator));
        assert_eq!(compressed.encode(), compressed.as_bytes().to_vec());
        assert_eq!(CompressedG1::max_encoded_len(), COMPRESSED_G1_LEN);
    }

    #[test]
    fn the_identity_decompresses_and_has_arkworks_infinity_flags() {
        let identity = CompressedG1::compress(&G1Affine::zero());
        let mut expected = [0u8; COMPRESSED_G1_LEN];
        expected[0] = 0xc0;
        assert_eq!(identity.as_bytes(), &expected);
        assert_eq!(identity.decompress(), Ok(G1Affine::zero()));
    }

    #[test]
    fn bytes_that_are_no_point_decode_but_do_not_decompress() {
        let garbage = CompressedG1::decode(&mut &[7u8; COMPRESSED_G1_LEN][..]).expect("48 bytes");
        assert_eq!(garbage.decompress(), Err(InvalidPoint));
        assert_eq!(CompressedG1::try_from(&[7u8; 47][..]), Err(InvalidPoint));
    }
}
