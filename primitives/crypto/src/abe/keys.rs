//! Keys of the scheme and their generation: `UserKG`, `AttKeyGen`, `UpdKeyGen`, `PreKeyGen`.
//!
//! Who holds what: the doctor holds `beta` ([`UserSecretKey`]); the doctor's hospital holds the
//! attribute key (bound to `g2^beta`, so useless without `beta`) and derives a pre-decryption key
//! each epoch from the public update key; the KGC holds the master secret.

use alloc::{collections::BTreeSet, string::String, vec::Vec};
use ark_bls12_381::{G2Affine, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_std::UniformRand;
use codec::{Decode, Encode};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{
    params::{KeyTables, MasterSecretKey, PublicParams},
    MAX_ATTRIBUTES, MAX_UPDATE_NODES,
};
use crate::{
    encoding::{BoundedList, BoundedString, Canonical, G2Point},
    hash::{attribute_scalar, epoch_scalar},
    policy::{normalise_attribute, MAX_ATTRIBUTE_LEN},
    tree::{LeafIndex, NodeId, Revocation, MAX_DEPTH},
    CryptoRngCore, Error, Fr, Result,
};

/// A normalised attribute string.
pub type Attribute = BoundedString<MAX_ATTRIBUTE_LEN>;
/// The attributes of one key.
pub type AttributeSet = BoundedList<Attribute, MAX_ATTRIBUTES>;
/// Key components, one per attribute of the key, in the key's attribute order.
pub type PerAttribute = BoundedList<G2Point, MAX_ATTRIBUTES>;

/// The doctor's secret `beta`. Zeroised on drop, never printed.
#[derive(Clone, Encode, Decode, Zeroize, ZeroizeOnDrop)]
pub struct UserSecretKey(Canonical<Fr>);

impl fmt::Debug for UserSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserSecretKey(<redacted>)")
    }
}

impl UserSecretKey {
    pub(crate) fn beta(&self) -> Fr {
        self.0 .0
    }

    /// `pk = g2^beta`.
    pub fn public_key(&self) -> UserPublicKey {
        UserPublicKey(
            (G2Projective::generator() * self.beta())
                .into_affine()
                .into(),
        )
    }
}

/// The doctor's public key `pk = g2^beta`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct UserPublicKey(pub G2Point);

/// `UserKG`: a fresh doctor key pair.
pub fn user_keygen(rng: &mut impl CryptoRngCore) -> (UserSecretKey, UserPublicKey) {
    let sk = UserSecretKey(Fr::rand(rng).into());
    let pk = sk.public_key();
    (sk, pk)
}

/// The attribute-key components of one tree node on the doctor's path.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct NodeKey {
    /// The tree node.
    pub node: NodeId,
    /// `K0 = pk^alpha * g2^(-alpha_theta) * w2^r_theta`.
    pub k0: G2Point,
    /// `K1 = g2^r_theta`.
    pub k1: G2Point,
    /// `K2[tau] = g2^r_(theta,tau)`.
    pub k2: PerAttribute,
    /// `K3[tau] = (u2^Hz(tau) h2)^r_(theta,tau) * v2^(-r_theta)`.
    pub k3: PerAttribute,
}

/// `attk`: a doctor's attribute key, bound to their public key; held by their hospital.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AttributeKey {
    /// The doctor's leaf in the revocation tree.
    pub leaf: LeafIndex,
    /// The doctor's attributes (normalised).
    pub attributes: AttributeSet,
    /// One entry per node of `Path(leaf)`, root first.
    pub nodes: BoundedList<NodeKey, { MAX_DEPTH as usize + 1 }>,
}

/// Normalises, deduplicates and bounds an attribute list.
pub fn attribute_set(attributes: &[impl AsRef<str>]) -> Result<AttributeSet> {
    let mut names: Vec<String> = attributes
        .iter()
        .map(|a| normalise_attribute(a.as_ref()))
        .collect::<Result<_>>()?;
    names.sort();
    names.dedup();
    let names = names
        .into_iter()
        .map(|n| Attribute::new(n).map_err(|_| Error::InvalidAttribute))
        .collect::<Result<Vec<_>>>()?;
    AttributeSet::new(names).map_err(|_| Error::TooManyAttributes)
}

/// `AttKeyGen(msk, id, pk, A)` for the doctor on leaf `leaf`.
pub fn att_keygen(
    pp: &PublicParams,
    tables: &KeyTables,
    msk: &MasterSecretKey,
    leaf: LeafIndex,
    pk: &UserPublicKey,
    attributes: &[impl AsRef<str>],
    rng: &mut impl CryptoRngCore,
) -> Result<AttributeKey> {
    let attributes = attribute_set(attributes)?;
    let hashes: Vec<Fr> = attributes.iter().map(|a| attribute_scalar(a)).collect();
    let pk_alpha = G2Projective::from(pk.0 .0) * msk.alpha();
    let nodes = pp
        .tree()?
        .path(leaf)?
        .into_iter()
        .map(|node| {
            let r = Fr::rand(rng);
            let mut k = Vec::with_capacity(2 + 2 * hashes.len());
            k.push(pk_alpha + tables.g.mul(&-msk.node_secret(node)) + tables.w.mul(&r));
            k.push(tables.g.mul(&r));
            for hash in &hashes {
                let r_tau = Fr::rand(rng);
                k.push(tables.g.mul(&r_tau));
                k.push(tables.attribute_power(hash, &r_tau) + tables.v.mul(&-r));
            }
            let k = G2Projective::normalize_batch(&k);
            let (k2, k3) = split_pairs(&k[2..])?;
            Ok(NodeKey {
                node,
                k0: k[0].into(),
                k1: k[1].into(),
                k2,
                k3,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(AttributeKey {
        leaf,
        attributes,
        nodes: BoundedList::new(nodes).map_err(|_| Error::MalformedKey)?,
    })
}

/// `updk_T`: the public update key of one epoch. Its node ids come first in the encoding, so a
/// verifier (the runtime) can read [`UpdateKeyNodes`] from the same bytes without decoding points.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct UpdateKey {
    /// The epoch `T`.
    pub epoch: u64,
    /// `KUNodes(rl, T)`, ascending.
    pub nodes: BoundedList<NodeId, MAX_UPDATE_NODES>,
    /// `(U0, U1)` for each node, in the same order.
    pub keys: BoundedList<(G2Point, G2Point), MAX_UPDATE_NODES>,
}

/// The prefix of an encoded [`UpdateKey`]: its epoch and node set.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct UpdateKeyNodes {
    /// The epoch `T`.
    pub epoch: u64,
    /// The node set, ascending.
    pub nodes: BoundedList<NodeId, MAX_UPDATE_NODES>,
}

/// `UpdKeyGen(msk, T, rl)`.
pub fn upd_keygen(
    pp: &PublicParams,
    tables: &KeyTables,
    msk: &MasterSecretKey,
    epoch: u64,
    revocations: &[Revocation],
    rng: &mut impl CryptoRngCore,
) -> Result<UpdateKey> {
    let nodes: Vec<NodeId> = pp
        .tree()?
        .ku_nodes(revocations, epoch)?
        .into_iter()
        .collect();
    let epoch_hash = epoch_scalar(epoch);
    let mut points = Vec::with_capacity(2 * nodes.len());
    for &node in &nodes {
        let s = Fr::rand(rng);
        points.push(tables.g.mul(&msk.node_secret(node)) + tables.epoch_power(&epoch_hash, &s));
        points.push(tables.g.mul(&s));
    }
    let points = G2Projective::normalize_batch(&points);
    let keys = points
        .as_chunks::<2>()
        .0
        .iter()
        .map(|[u0, u1]| ((*u0).into(), (*u1).into()))
        .collect();
    Ok(UpdateKey {
        epoch,
        nodes: BoundedList::new(nodes).map_err(|_| Error::MalformedKey)?,
        keys: BoundedList::new(keys).map_err(|_| Error::MalformedKey)?,
    })
}

/// `prek`: a doctor's key for one epoch, derived by their hospital. Still bound to `pk`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PreDecryptionKey {
    /// The epoch it decrypts.
    pub epoch: u64,
    /// The doctor's attributes.
    pub attributes: AttributeSet,
    /// `P0 = K0 U0 w2^r' (u02^Hz(T) h02)^s'`.
    pub p0: G2Point,
    /// `P1 = K1 g2^r'`.
    pub p1: G2Point,
    /// `PT = U1 g2^s'`.
    pub pt: G2Point,
    /// `P2[tau] = K2[tau] g2^r'_tau`.
    pub p2: PerAttribute,
    /// `P3[tau] = K3[tau] (u2^Hz(tau) h2)^r'_tau v2^(-r')`.
    pub p3: PerAttribute,
}

/// `PreKeyGen(pp, attk, updk_T)`: [`Error::Revoked`] when no node of the doctor's path is in
/// the update key. The result is re-randomised, so it shares no randomness with `attk`.
pub fn pre_keygen(
    tables: &KeyTables,
    attk: &AttributeKey,
    updk: &UpdateKey,
    rng: &mut impl CryptoRngCore,
) -> Result<PreDecryptionKey> {
    if updk.nodes.len() != updk.keys.len() {
        return Err(Error::MalformedKey);
    }
    let covered: BTreeSet<NodeId> = updk.nodes.iter().copied().collect();
    let node_key = attk
        .nodes
        .iter()
        .find(|k| covered.contains(&k.node))
        .ok_or(Error::Revoked)?;
    let position = updk
        .nodes
        .iter()
        .position(|n| *n == node_key.node)
        .ok_or(Error::Revoked)?;
    let (u0, u1) = &updk.keys[position];
    let count = attk.attributes.len();
    if node_key.k2.len() != count || node_key.k3.len() != count {
        return Err(Error::MalformedKey);
    }
    let epoch_hash = epoch_scalar(updk.epoch);
    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    let mut p = Vec::with_capacity(3 + 2 * count);
    p.push(
        G2Projective::from(node_key.k0.0)
            + u0.0
            + tables.w.mul(&r)
            + tables.epoch_power(&epoch_hash, &s),
    );
    p.push(G2Projective::from(node_key.k1.0) + tables.g.mul(&r));
    p.push(G2Projective::from(u1.0) + tables.g.mul(&s));
    let minus_v_r = tables.v.mul(&-r);
    for ((attribute, k2), k3) in attk
        .attributes
        .iter()
        .zip(node_key.k2.iter())
        .zip(node_key.k3.iter())
    {
        let r_tau = Fr::rand(rng);
        p.push(G2Projective::from(k2.0) + tables.g.mul(&r_tau));
        p.push(
            G2Projective::from(k3.0)
                + tables.attribute_power(&attribute_scalar(attribute), &r_tau)
                + minus_v_r,
        );
    }
    let p = G2Projective::normalize_batch(&p);
    let (p2, p3) = split_pairs(&p[3..])?;
    Ok(PreDecryptionKey {
        epoch: updk.epoch,
        attributes: attk.attributes.clone(),
        p0: p[0].into(),
        p1: p[1].into(),
        pt: p[2].into(),
        p2,
        p3,
    })
}

/// Splits `[a0, b0, a1, b1, ...]` into `([a0, a1, ...], [b0, b1, ...])`.
fn split_pairs(interleaved: &[G2Affine]) -> Result<(PerAttribute, PerAttribute)> {
    let (a, b): (Vec<G2Point>, Vec<G2Point>) = interleaved
        .as_chunks::<2>()
        .0
        .iter()
        .map(|[a, b]| (G2Point::from(*a), G2Point::from(*b)))
        .unzip();
    let bound = |list| PerAttribute::new(list).map_err(|_| Error::TooManyAttributes);
    Ok((bound(a)?, bound(b)?))
}
