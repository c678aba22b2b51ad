//! `UpdKeyGen`: the public update key of one epoch, and the node set the runtime checks.

use alloc::vec::Vec;
use ark_bls12_381::G2Projective;
use ark_ec::CurveGroup;
use ark_std::UniformRand;
use codec::{Decode, Encode};
use zeroize::Zeroize;

use super::{
    params::{KeyTables, MasterSecretKey, PublicParams},
    MAX_UPDATE_NODES,
};
use crate::{
    encoding::{BoundedList, G2Point},
    hash::epoch_scalar,
    tree::{Epoch, NodeId, Revocation},
    CryptoRngCore, Error, Fr, Result,
};

/// `updk_T`: the public update key of one epoch. Its node ids come first in the encoding, so a
/// verifier (the runtime) can read [`UpdateKeyNodes`] from the same bytes without decoding points.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct UpdateKey {
    /// The epoch `T`.
    pub epoch: Epoch,
    /// `KUNodes(rl, T)`, ascending.
    pub nodes: BoundedList<NodeId, MAX_UPDATE_NODES>,
    /// `(U0, U1)` for each node, in the same order.
    pub keys: BoundedList<(G2Point, G2Point), MAX_UPDATE_NODES>,
}

impl UpdateKey {
    /// `(U0, U1)` of node `theta`, if the key covers it.
    pub(crate) fn node_key(&self, theta: NodeId) -> Option<&(G2Point, G2Point)> {
        let position = self.nodes.iter().position(|n| *n == theta)?;
        self.keys.get(position)
    }
}

/// The prefix of an encoded [`UpdateKey`]: its epoch and node set.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct UpdateKeyNodes {
    /// The epoch `T`.
    pub epoch: Epoch,
    /// The node set, ascending.
    pub nodes: BoundedList<NodeId, MAX_UPDATE_NODES>,
}

/// `UpdKeyGen(msk, T, rl)`: `U0 = g2^alpha_theta * F(T)^s`, `U1 = g2^s` for each node of
/// `KUNodes(rl, T)`, with `s` fresh for every node and every call. Two update keys of one node
/// that shared `s` would let anyone forge that node's key for every other epoch.
pub fn upd_keygen(
    pp: &PublicParams,
    tables: &KeyTables,
    msk: &MasterSecretKey,
    epoch: Epoch,
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
        let mut s = Fr::rand(rng);
        let mut share = msk.node_secret(node);
        points.push(tables.g.mul(&share) + tables.epoch_power(&epoch_hash, &s));
        points.push(tables.g.mul(&s));
        s.zeroize();
        share.zeroize();
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
