//! Setup: public parameters, the master secret, and the tables that speed up their use.

use ark_bls12_381::{Bls12_381, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{
    pairing::{Pairing, PairingOutput},
    AffineRepr, CurveGroup, PrimeGroup,
};
use ark_ff::Zero;
use ark_std::UniformRand;
use codec::{Decode, Encode, Input};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::fixed_base::FixedBase;
use crate::{
    ct,
    encoding::{Canonical, G1Point, G2Point, GtElement},
    hash::{self, DOMAIN_NODE},
    tree::{NodeId, Tree},
    CryptoRngCore, Error, Fr, Result,
};

/// `pp`: the public parameters, published in the chain's genesis.
///
/// Every generator exists in both groups (`u1 = g1^a_u`, `u2 = g2^a_u`, ...) because ciphertext
/// elements live in G1 and key elements in G2.
///
/// Decoding refuses degenerate parameters ([`PublicParams::check`]): whoever hands a patient a
/// `pp` whose `alpha` they know reads every record encrypted under it, so clients take `pp` from
/// the chain spec they were given and never accept identity generators, non-standard `g1`/`g2`
/// or `Y = 1`.
#[derive(Clone, Debug, PartialEq, Eq, Encode)]
pub struct PublicParams {
    /// G1 generator.
    pub g1: G1Point,
    /// `u` in G1.
    pub u1: G1Point,
    /// `h` in G1.
    pub h1: G1Point,
    /// `w` in G1.
    pub w1: G1Point,
    /// `v` in G1.
    pub v1: G1Point,
    /// `u0` in G1 (epoch binding).
    pub u01: G1Point,
    /// `h0` in G1 (epoch binding).
    pub h01: G1Point,
    /// G2 generator.
    pub g2: G2Point,
    /// `u` in G2.
    pub u2: G2Point,
    /// `h` in G2.
    pub h2: G2Point,
    /// `w` in G2.
    pub w2: G2Point,
    /// `v` in G2.
    pub v2: G2Point,
    /// `u0` in G2.
    pub u02: G2Point,
    /// `h0` in G2.
    pub h02: G2Point,
    /// `Y = e(g1, g2)^alpha`.
    pub y: GtElement,
    /// Depth of the revocation tree.
    pub depth: u8,
}

impl PublicParams {
    /// The revocation tree these parameters were set up for.
    pub fn tree(&self) -> Result<Tree> {
        Tree::new(self.depth)
    }

    /// [`Error::DegenerateParams`] unless `g1` and `g2` are the standard generators, no other
    /// generator is the identity and `Y` is not 1; [`Error::InvalidDepth`] for a bad depth.
    pub fn check(&self) -> Result<()> {
        Tree::new(self.depth)?;
        let standard = self.g1.0 == G1Affine::generator() && self.g2.0 == G2Affine::generator();
        let g1_set = [self.u1, self.h1, self.w1, self.v1, self.u01, self.h01];
        let g2_set = [self.u2, self.h2, self.w2, self.v2, self.u02, self.h02];
        let identity = g1_set.iter().any(|p| p.0.is_zero())
            || g2_set.iter().any(|p| p.0.is_zero())
            || self.y.0.is_zero();
        if !standard || identity {
            return Err(Error::DegenerateParams);
        }
        Ok(())
    }
}

impl Decode for PublicParams {
    fn decode<I: Input>(input: &mut I) -> core::result::Result<Self, codec::Error> {
        let pp = Self {
            g1: Decode::decode(input)?,
            u1: Decode::decode(input)?,
            h1: Decode::decode(input)?,
            w1: Decode::decode(input)?,
            v1: Decode::decode(input)?,
            u01: Decode::decode(input)?,
            h01: Decode::decode(input)?,
            g2: Decode::decode(input)?,
            u2: Decode::decode(input)?,
            h2: Decode::decode(input)?,
            w2: Decode::decode(input)?,
            v2: Decode::decode(input)?,
            u02: Decode::decode(input)?,
            h02: Decode::decode(input)?,
            y: Decode::decode(input)?,
            depth: Decode::decode(input)?,
        };
        pp.check()
            .map_err(|_| "degenerate public parameters (identity or non-standard generator, Y = 1, or a bad depth)")?;
        Ok(pp)
    }
}

/// `msk = (alpha, node_seed)`: held by the KGC only. Zeroised on drop, never printed, compared
/// in constant time.
#[derive(Clone, Encode, Decode, Zeroize, ZeroizeOnDrop)]
pub struct MasterSecretKey {
    alpha: Canonical<Fr>,
    node_seed: [u8; 32],
}

impl fmt::Debug for MasterSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecretKey(<redacted>)")
    }
}

impl subtle::ConstantTimeEq for MasterSecretKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        crate::encoding::ct_eq_encoded(self, other)
    }
}

impl MasterSecretKey {
    pub(crate) fn alpha(&self) -> Fr {
        self.alpha.0
    }

    /// `alpha_theta = Hz("medchain/node", node_seed || theta)`: the KGC keeps no per-node state.
    pub(crate) fn node_secret(&self, node: NodeId) -> Fr {
        let mut input = [0u8; 40];
        input[..32].copy_from_slice(&self.node_seed);
        input[32..].copy_from_slice(&node.get().to_le_bytes());
        let secret = hash::hash_to_scalar(DOMAIN_NODE, &input);
        input.zeroize();
        secret
    }
}

/// `Setup(d)`: fresh public parameters and master secret for a tree of depth `depth`.
pub fn setup(depth: u8, rng: &mut impl CryptoRngCore) -> Result<(PublicParams, MasterSecretKey)> {
    Tree::new(depth)?;
    let g1 = G1Projective::generator();
    let g2 = G2Projective::generator();
    let both = |exponent: Fr| {
        (
            ct::mul(&g1, &exponent).into_affine().into(),
            ct::mul(&g2, &exponent).into_affine().into(),
        )
    };
    let (u1, u2) = both(Fr::rand(rng));
    let (h1, h2) = both(Fr::rand(rng));
    let (w1, w2) = both(Fr::rand(rng));
    let (v1, v2) = both(Fr::rand(rng));
    let (u01, u02) = both(Fr::rand(rng));
    let (h01, h02) = both(Fr::rand(rng));
    let alpha = Fr::rand(rng);
    let mut node_seed = [0u8; 32];
    rng.fill_bytes(&mut node_seed);
    let y = ct::mul(&Bls12_381::pairing(g1, g2), &alpha);
    let pp = PublicParams {
        g1: g1.into_affine().into(),
        u1,
        h1,
        w1,
        v1,
        u01,
        h01,
        g2: g2.into_affine().into(),
        u2,
        h2,
        w2,
        v2,
        u02,
        h02,
        y: y.into(),
        depth,
    };
    Ok((
        pp,
        MasterSecretKey {
            alpha: alpha.into(),
            node_seed,
        },
    ))
}

/// Tables for the G1 generators and `Y`: what encryption needs. Built once per process.
#[derive(Clone, Debug)]
pub struct EncryptionTables {
    pub(crate) g: FixedBase<G1Projective>,
    pub(crate) u: FixedBase<G1Projective>,
    pub(crate) h: FixedBase<G1Projective>,
    pub(crate) w: FixedBase<G1Projective>,
    pub(crate) v: FixedBase<G1Projective>,
    pub(crate) u0: FixedBase<G1Projective>,
    pub(crate) h0: FixedBase<G1Projective>,
    pub(crate) y: FixedBase<PairingOutput<Bls12_381>>,
}

impl EncryptionTables {
    /// Precomputes the tables for `pp` (tens of milliseconds; a few megabytes).
    pub fn new(pp: &PublicParams) -> Self {
        let t = |p: &G1Point| FixedBase::new(G1Projective::from(p.0));
        Self {
            g: t(&pp.g1),
            u: t(&pp.u1),
            h: t(&pp.h1),
            w: t(&pp.w1),
            v: t(&pp.v1),
            u0: t(&pp.u01),
            h0: t(&pp.h01),
            y: FixedBase::new(pp.y.0),
        }
    }
}

/// Tables for the G2 generators: what the KGC's key generation and the doctors' `TKGen` need.
#[derive(Clone, Debug)]
pub struct KeyTables {
    pub(crate) g: FixedBase<G2Projective>,
    pub(crate) u: FixedBase<G2Projective>,
    pub(crate) h: FixedBase<G2Projective>,
    pub(crate) w: FixedBase<G2Projective>,
    pub(crate) v: FixedBase<G2Projective>,
    pub(crate) u0: FixedBase<G2Projective>,
    pub(crate) h0: FixedBase<G2Projective>,
}

impl KeyTables {
    /// Precomputes the tables for `pp`.
    pub fn new(pp: &PublicParams) -> Self {
        let t = |p: &G2Point| FixedBase::new(G2Projective::from(p.0));
        Self {
            g: t(&pp.g2),
            u: t(&pp.u2),
            h: t(&pp.h2),
            w: t(&pp.w2),
            v: t(&pp.v2),
            u0: t(&pp.u02),
            h0: t(&pp.h02),
        }
    }

    /// `A(tau)^exponent = (u2^hash * h2)^exponent` as `u2^(hash * exponent) * h2^exponent`, all
    /// fixed-base. `CRYPTO.md` suggests keeping `A(tau)` with `SK` for `TKGen`; two fixed-base
    /// products cost less than one variable-base power of a stored point, so nothing is stored.
    pub(crate) fn attribute_power(&self, hash: &Fr, exponent: &Fr) -> G2Projective {
        self.u.mul(&(*hash * exponent)) + self.h.mul(exponent)
    }

    /// `(u02^hash * h02)^exponent`.
    pub(crate) fn epoch_power(&self, hash: &Fr, exponent: &Fr) -> G2Projective {
        self.u0.mul(&(*hash * exponent)) + self.h0.mul(exponent)
    }
}
