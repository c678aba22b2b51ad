//! `KeyGen`: a doctor's attribute key `SK`, and its delivery sealed to the doctor's `pk_D`.
//!
//! `SK` holds, for every node `theta` on the doctor's path, `g2^(alpha - alpha_theta)` under
//! RW13 randomness. `alpha` is shared by every doctor, so the quotient of two doctors' keys at a
//! node they share is a key for master secret 0 and opens nothing; the node share
//! `alpha_theta` comes back only with the public update key of a node that still covers the
//! doctor. `SK` decrypts with the update keys alone: it is the doctor's secret and never reaches
//! the hospital, which gets a transformation key per epoch instead.

use alloc::{string::String, vec::Vec};
use ark_bls12_381::{G2Affine, G2Projective};
use ark_ec::CurveGroup;
use ark_std::UniformRand;
use codec::{Decode, DecodeAll, Encode};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{
    doctor::DoctorSecretKey,
    params::{KeyTables, MasterSecretKey, PublicParams},
    MAX_ATTRIBUTES,
};
use crate::{
    elgamal,
    encoding::{BoundedList, BoundedString, G2Point},
    hash::{attribute_scalar, sha256},
    policy::{normalise_attribute, MAX_ATTRIBUTE_LEN},
    tree::{LeafIndex, NodeId, MAX_DEPTH},
    CryptoRngCore, Error, Fr, Result,
};

/// A normalised attribute string.
pub type Attribute = BoundedString<MAX_ATTRIBUTE_LEN>;
/// The attributes of one key.
pub type AttributeSet = BoundedList<Attribute, MAX_ATTRIBUTES>;
/// Key components, one per attribute of the key, in the key's attribute order.
pub type PerAttribute = BoundedList<G2Point, MAX_ATTRIBUTES>;

/// HKDF label of a sealed attribute key.
const SEAL_LABEL: &[u8] = b"medchain/sk";

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

/// The attribute-key components of one tree node on the doctor's path.
#[derive(Clone, Encode, Decode, Zeroize)]
pub struct NodeKey {
    /// The tree node `theta` (public: its number is not wiped with the secrets).
    #[zeroize(skip)]
    pub node: NodeId,
    /// `K0 = g2^(alpha - alpha_theta) * w2^r_theta`.
    pub k0: G2Point,
    /// `K1 = g2^r_theta`.
    pub k1: G2Point,
    /// `K2[tau] = g2^r_(theta,tau)`.
    pub k2: PerAttribute,
    /// `K3[tau] = A(tau)^r_(theta,tau) * v2^(-r_theta)`.
    pub k3: PerAttribute,
}

/// `SK`: a doctor's attribute key. The doctor's secret: zeroised on drop, never printed.
#[derive(Clone, Encode, Decode)]
pub struct AttributeKey {
    /// The doctor's leaf `nu` in the revocation tree: fresh, never reused.
    pub leaf: LeafIndex,
    /// The doctor's attributes `A` (normalised).
    pub attributes: AttributeSet,
    /// One entry per node of `Path(leaf)`, root first.
    pub nodes: BoundedList<NodeKey, { MAX_DEPTH as usize + 1 }>,
}

impl Zeroize for AttributeKey {
    fn zeroize(&mut self) {
        self.nodes.zeroize();
    }
}

impl Drop for AttributeKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for AttributeKey {}

impl fmt::Debug for AttributeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttributeKey")
            .field("leaf", &self.leaf)
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

impl AttributeKey {
    /// Whether the key has the shape `KeyGen` gives for `pp`: one node entry per node of
    /// `Path(leaf)` in order, each with one `K2`/`K3` pair per attribute.
    pub fn check(&self, pp: &PublicParams) -> Result<()> {
        let path = pp.tree()?.path(self.leaf)?;
        let count = self.attributes.len();
        let fits = path.len() == self.nodes.len()
            && path.iter().zip(self.nodes.iter()).all(|(node, key)| {
                key.node == *node && key.k2.len() == count && key.k3.len() == count
            });
        if fits {
            Ok(())
        } else {
            Err(Error::MalformedKey)
        }
    }
}

/// `KeyGen(msk, A)` for the doctor on the fresh leaf `leaf` (the chain hands leaves out in
/// order and never twice).
pub fn keygen(
    pp: &PublicParams,
    tables: &KeyTables,
    msk: &MasterSecretKey,
    leaf: LeafIndex,
    attributes: &[impl AsRef<str>],
    rng: &mut impl CryptoRngCore,
) -> Result<AttributeKey> {
    let attributes = attribute_set(attributes)?;
    let hashes: Vec<Fr> = attributes.iter().map(|a| attribute_scalar(a)).collect();
    let nodes = pp
        .tree()?
        .path(leaf)?
        .into_iter()
        .map(|node| {
            let mut r = Fr::rand(rng);
            let mut share = msk.alpha() - msk.node_secret(node);
            let mut k = Vec::with_capacity(2 + 2 * hashes.len());
            k.push(tables.g.mul(&share) + tables.w.mul(&r));
            k.push(tables.g.mul(&r));
            let minus_v_r = tables.v.mul(&-r);
            for hash in &hashes {
                let mut r_tau = Fr::rand(rng);
                k.push(tables.g.mul(&r_tau));
                k.push(tables.attribute_power(hash, &r_tau) + minus_v_r);
                r_tau.zeroize();
            }
            r.zeroize();
            share.zeroize();
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

/// `SK` sealed to the doctor's registered `pk_D`: anyone may carry it (the chain records its
/// hash, the doctor's hospital relays it), only the doctor opens it. The leaf and attributes are
/// in the clear because they are the associated data, with the doctor's account.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SealedAttributeKey {
    /// The leaf the key is for.
    pub leaf: LeafIndex,
    /// The attributes it carries.
    pub attributes: AttributeSet,
    /// `Seal(pk_D, SCALE(SK))` under the label `"medchain/sk"`.
    pub sealed: elgamal::Ciphertext,
}

impl SealedAttributeKey {
    /// Seals `key` to `recipient`, the `pk_D` that `doctor` (their 32-byte account id)
    /// registered on-chain.
    pub fn seal(
        key: &AttributeKey,
        doctor: &[u8; 32],
        recipient: &elgamal::PublicKey,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        let plaintext = zeroize::Zeroizing::new(key.encode());
        let context = seal_context(doctor, key.leaf, &key.attributes);
        Ok(Self {
            leaf: key.leaf,
            attributes: key.attributes.clone(),
            sealed: elgamal::seal_labelled(recipient, SEAL_LABEL, &context, &plaintext, rng)?,
        })
    }

    /// Opens the key with the doctor's secret: [`Error::Tampered`] if it was not sealed to them
    /// for `doctor`, [`Error::KeyMismatch`] if what is inside disagrees with the clear leaf and
    /// attributes, [`Error::MalformedKey`] if it does not fit `pp`.
    pub fn open(
        &self,
        pp: &PublicParams,
        doctor: &[u8; 32],
        secret: &DoctorSecretKey,
    ) -> Result<AttributeKey> {
        let context = seal_context(doctor, self.leaf, &self.attributes);
        let plaintext =
            secret
                .decryption_key()
                .open_labelled(&self.sealed, SEAL_LABEL, &context)?;
        let key = AttributeKey::decode_all(&mut &plaintext[..]).map_err(|_| Error::MalformedKey)?;
        if key.leaf != self.leaf || key.attributes != self.attributes {
            return Err(Error::KeyMismatch);
        }
        key.check(pp)?;
        Ok(key)
    }

    /// SHA-256 of the encoding: what the KGC records on-chain when it issues the key.
    pub fn hash(&self) -> [u8; 32] {
        sha256(&self.encode())
    }
}

/// `(doctor account, nu, SHA-256(A))`, the associated data of a sealed key.
fn seal_context(doctor: &[u8; 32], leaf: LeafIndex, attributes: &AttributeSet) -> Vec<u8> {
    (doctor, leaf, sha256(&attributes.encode())).encode()
}

/// Splits `[a0, b0, a1, b1, ...]` into `([a0, a1, ...], [b0, b1, ...])`.
pub(crate) fn split_pairs(interleaved: &[G2Affine]) -> Result<(PerAttribute, PerAttribute)> {
    let (a, b): (Vec<G2Point>, Vec<G2Point>) = interleaved
        .as_chunks::<2>()
        .0
        .iter()
        .map(|[a, b]| (G2Point::from(*a), G2Point::from(*b)))
        .unzip();
    let bound = |list| PerAttribute::new(list).map_err(|_| Error::TooManyAttributes);
    Ok((bound(a)?, bound(b)?))
}
