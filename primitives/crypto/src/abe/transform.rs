//! `TKGen`: the doctor's transformation key for one epoch, which their hospital pre-decrypts with.
//!
//! `TK_T` is the re-randomised pre-decryption key `SK * updk_T` of the node that covers the
//! doctor, raised to `1/z_T`. Why the doctor, not the hospital, makes it: `PreDec` is linear in
//! the keys the hospital holds, so any long-term per-doctor material the hospital could combine
//! with the public update keys on its own would let it divide two doctors' results and keep a
//! revoked doctor reading (`CRYPTO.md` section 1, "Why the doctor must act each epoch"). A
//! colleague's `TK` is no use to a revoked doctor's hospital either: it is scaled by a `z` the
//! hospital does not know.

use ark_bls12_381::G2Projective;
use ark_ec::CurveGroup;
use ark_ff::Field;
use ark_std::UniformRand;
use codec::{Decode, Encode};
use zeroize::Zeroize;

use super::{
    attribute_key::{split_pairs, AttributeKey, AttributeSet, PerAttribute},
    doctor::DoctorSecretKey,
    params::KeyTables,
    update_key::UpdateKey,
};
use crate::{
    ct,
    encoding::G2Point,
    hash::{attribute_scalar, epoch_scalar},
    tree::{Epoch, LeafIndex, NodeId},
    CryptoRngCore, Error, Fr, Result,
};

/// `TK_T`: what the doctor gives their hospital for epoch `T`; `3 + 2|A|` G2 elements.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TransformationKey {
    /// The doctor's leaf `nu`.
    pub leaf: LeafIndex,
    /// The epoch `T` it pre-decrypts.
    pub epoch: Epoch,
    /// The node `theta` of `Path(nu)` that `updk_T` covers.
    pub node: NodeId,
    /// The doctor's attributes `A`.
    pub attributes: AttributeSet,
    /// `TK0 = (K0 U0)^zeta w2^rho F(T)^sigma`.
    pub tk0: G2Point,
    /// `TK1 = K1^zeta g2^rho`.
    pub tk1: G2Point,
    /// `TKT = U1^zeta g2^sigma`.
    pub tkt: G2Point,
    /// `TK2[tau] = K2[tau]^zeta g2^rho_tau`.
    pub tk2: PerAttribute,
    /// `TK3[tau] = K3[tau]^zeta A(tau)^rho_tau v2^(-rho)`.
    pub tk3: PerAttribute,
}

/// `TKGen(SK, updk_T, zseed)`: [`Error::Revoked`] when `updk_T` covers no node of the doctor's
/// path. `updk` must come from the chain (finalised), never from the hospital.
///
/// Cost: `5 + 3|A|` variable-base and `6 + 3|A|` fixed-base G2 exponentiations, all constant
/// time (`zeta` and the re-randomisers are secret).
pub fn tk_gen(
    tables: &KeyTables,
    sk: &AttributeKey,
    updk: &UpdateKey,
    doctor: &DoctorSecretKey,
    rng: &mut impl CryptoRngCore,
) -> Result<TransformationKey> {
    if updk.nodes.len() != updk.keys.len() {
        return Err(Error::MalformedKey);
    }
    let (node_key, (u0, u1)) = sk
        .nodes
        .iter()
        .find_map(|k| updk.node_key(k.node).map(|u| (k, u)))
        .ok_or(Error::Revoked)?;
    let count = sk.attributes.len();
    if node_key.k2.len() != count || node_key.k3.len() != count {
        return Err(Error::MalformedKey);
    }
    let mut z = doctor.transform_exponent(updk.epoch);
    let mut zeta = z.inverse().ok_or(Error::MalformedKey)?;
    z.zeroize();
    let mut rho = Fr::rand(rng);
    let mut sigma = Fr::rand(rng);
    let scaled = |p: G2Projective| ct::mul(&p, &zeta);

    let mut tk = alloc::vec::Vec::with_capacity(3 + 2 * count);
    tk.push(
        scaled(G2Projective::from(node_key.k0.0) + u0.0)
            + tables.w.mul(&rho)
            + tables.epoch_power(&epoch_scalar(updk.epoch), &sigma),
    );
    tk.push(scaled(node_key.k1.0.into()) + tables.g.mul(&rho));
    tk.push(scaled(u1.0.into()) + tables.g.mul(&sigma));
    let minus_v_rho = tables.v.mul(&-rho);
    for ((attribute, k2), k3) in sk
        .attributes
        .iter()
        .zip(node_key.k2.iter())
        .zip(node_key.k3.iter())
    {
        let mut rho_tau = Fr::rand(rng);
        tk.push(scaled(k2.0.into()) + tables.g.mul(&rho_tau));
        tk.push(
            scaled(k3.0.into())
                + tables.attribute_power(&attribute_scalar(attribute), &rho_tau)
                + minus_v_rho,
        );
        rho_tau.zeroize();
    }
    zeta.zeroize();
    rho.zeroize();
    sigma.zeroize();
    let tk = G2Projective::normalize_batch(&tk);
    let (tk2, tk3) = split_pairs(&tk[3..])?;
    Ok(TransformationKey {
        leaf: sk.leaf,
        epoch: updk.epoch,
        node: node_key.node,
        attributes: sk.attributes.clone(),
        tk0: tk[0].into(),
        tk1: tk[1].into(),
        tkt: tk[2].into(),
        tk2,
        tk3,
    })
}
