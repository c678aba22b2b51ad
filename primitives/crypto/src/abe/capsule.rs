//! `Encrypt`: the patient's key capsule `CT_Sym` under a policy and an epoch.

use alloc::vec::Vec;
use ark_bls12_381::G1Projective;
use ark_ec::CurveGroup;
use ark_std::UniformRand;
use codec::{Decode, Encode};
use medchain_types::Epoch;

use super::params::EncryptionTables;
use crate::{
    aead::PayloadKey,
    encoding::{BoundedList, BoundedString, G1Point},
    hash::{attribute_scalar, derive_key, epoch_scalar, sha256},
    policy::{Lsss, Policy, MAX_POLICY_LEN, MAX_ROWS},
    CryptoRngCore, Fr, Result,
};

/// HKDF label binding the ABE key encapsulation.
pub(crate) const KEM_LABEL: &[u8] = b"medchain/kem";

/// The ciphertext elements of one policy row.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct CapsuleRow {
    /// `C1[i] = w1^lambda_i v1^t_i`.
    pub c1: G1Point,
    /// `C2[i] = (u1^Hz(rho(i)) h1)^(-t_i)`.
    pub c2: G1Point,
    /// `C3[i] = g1^t_i`.
    pub c3: G1Point,
}

/// `CT_Sym`: the payload key encapsulated under a policy and an epoch. Public, on-chain.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Capsule {
    /// The access policy, as written by the patient.
    pub policy: BoundedString<MAX_POLICY_LEN>,
    /// The epoch `T` it was made in (the chain accepts only the current one).
    pub epoch: Epoch,
    /// `C0 = g1^s`.
    pub c0: G1Point,
    /// `CT = (u01^Hz(T) h01)^s`.
    pub ct: G1Point,
    /// One entry per policy row.
    pub rows: BoundedList<CapsuleRow, MAX_ROWS>,
}

impl Capsule {
    /// SHA-256 of the encoding: the associated data that ties a payload to this capsule.
    pub fn hash(&self) -> [u8; 32] {
        sha256(&self.encode())
    }
}

/// What can be checked about an encoded [`Capsule`] without touching group elements: the chain
/// checks this on publication (decoding and validating every point in the runtime would cost
/// more than it protects; the nodes that use a capsule decode it fully).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapsuleShape {
    /// The policy, which parses.
    pub policy: BoundedString<MAX_POLICY_LEN>,
    /// The epoch the capsule claims.
    pub epoch: Epoch,
    /// Rows, equal to the policy's.
    pub rows: usize,
}

impl CapsuleShape {
    /// Reads the policy and epoch at the front of `encoded` and checks that exactly `C0`, `CT`
    /// and one row of three G1 points per policy row follow.
    pub fn check(encoded: &[u8]) -> Result<Self> {
        const POINT: usize = 48;
        let mut input = encoded;
        let (policy, epoch) = <(BoundedString<MAX_POLICY_LEN>, Epoch)>::decode(&mut input)
            .map_err(|_| crate::Error::MalformedCapsule)?;
        let rows = Policy::parse(&policy)?.rows().len();
        let mut after_points = input
            .get(2 * POINT..)
            .ok_or(crate::Error::MalformedCapsule)?;
        let count = codec::Compact::<u32>::decode(&mut after_points)
            .map_err(|_| crate::Error::MalformedCapsule)?;
        if count.0 as usize != rows || after_points.len() != rows * 3 * POINT {
            return Err(crate::Error::MalformedCapsule);
        }
        Ok(Self {
            policy,
            epoch,
            rows,
        })
    }
}

/// `Encrypt(pp, policy, T)`: a fresh payload key and its capsule (`pp` enters via `tables`).
pub fn encapsulate(
    tables: &EncryptionTables,
    policy_text: &str,
    epoch: Epoch,
    rng: &mut impl CryptoRngCore,
) -> Result<(Capsule, PayloadKey)> {
    let policy = Policy::parse(policy_text)?;
    let lsss = Lsss::new(&policy);
    let s = Fr::rand(rng);
    let mut vector = Vec::with_capacity(lsss.columns());
    vector.push(s);
    vector.extend((1..lsss.columns()).map(|_| Fr::rand(rng)));
    let shares = lsss.shares(&vector)?;

    let mut points = Vec::with_capacity(2 + 3 * shares.len());
    points.push(tables.g.mul(&s));
    points.push(tables.u0.mul(&(epoch_scalar(epoch) * s)) + tables.h0.mul(&s));
    for (lambda, attribute) in shares.iter().zip(policy.rows()) {
        let t = Fr::rand(rng);
        let minus_t = -t;
        points.push(tables.w.mul(lambda) + tables.v.mul(&t));
        points
            .push(tables.u.mul(&(attribute_scalar(attribute) * minus_t)) + tables.h.mul(&minus_t));
        points.push(tables.g.mul(&t));
    }
    let points = G1Projective::normalize_batch(&points);
    let rows = points[2..]
        .as_chunks::<3>()
        .0
        .iter()
        .map(|[c1, c2, c3]| CapsuleRow {
            c1: (*c1).into(),
            c2: (*c2).into(),
            c3: (*c3).into(),
        })
        .collect();
    let key = PayloadKey::from_bytes(derive_key(&tables.y.mul(&s), &[], KEM_LABEL));
    let capsule = Capsule {
        policy: BoundedString::new(policy_text.into()).map_err(|_| {
            crate::Error::PolicyTooLarge {
                what: "bytes",
                limit: MAX_POLICY_LEN,
            }
        })?,
        epoch,
        c0: points[0].into(),
        ct: points[1].into(),
        rows: BoundedList::new(rows).map_err(|_| crate::Error::PolicyTooLarge {
            what: "attributes",
            limit: MAX_ROWS,
        })?,
    };
    Ok((capsule, key))
}
