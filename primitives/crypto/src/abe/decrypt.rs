//! `PreDec` (the hospital) and `Dec` (the doctor).

use alloc::vec::Vec;
use ark_bls12_381::{Bls12_381, G1Affine, G1Projective};
use ark_ec::{
    bls12::G2Prepared,
    pairing::{Pairing, PairingOutput},
    CurveGroup,
};
use ark_ff::{Field, One};
use codec::{Decode, Encode};

use super::{capsule::KEM_LABEL, keys::PreDecryptionKey, Capsule, UserSecretKey};
use crate::{
    aead::PayloadKey,
    encoding::GtElement,
    hash::derive_key,
    policy::{coefficients, Policy},
    Error, Fr, Result,
};

type Prepared = G2Prepared<ark_bls12_381::Config>;

/// A [`PreDecryptionKey`] with its G2 elements prepared for the Miller loop.
///
/// Preparing costs about as much as a pairing per element; a hospital prepares each doctor's
/// key once per epoch and reuses it for every record.
#[derive(Clone, Debug)]
pub struct PreparedPreKey {
    epoch: u64,
    attributes: Vec<alloc::string::String>,
    p0: Prepared,
    p1: Prepared,
    pt: Prepared,
    p2: Vec<Prepared>,
    p3: Vec<Prepared>,
}

impl PreparedPreKey {
    /// Prepares `prek`.
    pub fn new(prek: &PreDecryptionKey) -> Result<Self> {
        let count = prek.attributes.len();
        if prek.p2.len() != count || prek.p3.len() != count {
            return Err(Error::MalformedKey);
        }
        let prepare = |p: &crate::encoding::G2Point| Prepared::from(p.0);
        Ok(Self {
            epoch: prek.epoch,
            attributes: prek
                .attributes
                .iter()
                .map(|a| alloc::string::String::from(&**a))
                .collect(),
            p0: prepare(&prek.p0),
            p1: prepare(&prek.p1),
            pt: prepare(&prek.pt),
            p2: prek.p2.iter().map(prepare).collect(),
            p3: prek.p3.iter().map(prepare).collect(),
        })
    }

    /// The epoch this key decrypts.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
}

/// `SemiCT = e(g1, g2)^(alpha beta s)`: what the hospital hands the doctor. Only `beta` opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SemiCt(pub GtElement);

/// `PreDec(pp, A, prek, CT_Sym)`: one multi-Miller loop and one final exponentiation.
///
/// Fails with [`Error::EpochMismatch`] for a capsule of another epoch than the key,
/// [`Error::PolicyNotSatisfied`] when the doctor's attributes do not satisfy the policy and
/// [`Error::MalformedCapsule`] when the capsule's rows do not match its policy.
pub fn pre_decrypt(prek: &PreparedPreKey, capsule: &Capsule) -> Result<SemiCt> {
    if capsule.epoch != prek.epoch {
        return Err(Error::EpochMismatch {
            capsule: capsule.epoch,
            key: prek.epoch,
        });
    }
    let policy = Policy::parse(&capsule.policy)?;
    if policy.rows().len() != capsule.rows.len() {
        return Err(Error::MalformedCapsule);
    }
    let omega = coefficients(&policy, &prek.attributes)?;

    // Aggregate in G1 before pairing: all rows share P1, and rows of one attribute share
    // P2[tau] and P3[tau], so the loop has 3 + 2 * |distinct attributes used| pairs.
    let mut c1 = G1Projective::default();
    let mut per_attribute: Vec<(usize, G1Projective, G1Projective)> = Vec::new();
    for c in &omega {
        let row = &capsule.rows[c.row];
        let attribute = &policy.rows()[c.row];
        let key_index = prek
            .attributes
            .iter()
            .position(|a| a == attribute)
            .ok_or(Error::MissingAttributeKey)?;
        c1 += scaled(&row.c1.0, &c.omega);
        let (c2, c3) = (scaled(&row.c2.0, &c.omega), scaled(&row.c3.0, &c.omega));
        match per_attribute.iter_mut().find(|(k, _, _)| *k == key_index) {
            Some((_, sum2, sum3)) => {
                *sum2 += c2;
                *sum3 += c3;
            }
            None => per_attribute.push((key_index, c2, c3)),
        }
    }

    // Denominator inputs are negated so that everything is one product of pairings.
    let mut g1 = Vec::with_capacity(3 + 2 * per_attribute.len());
    g1.push(G1Projective::from(capsule.c0.0));
    g1.push(-G1Projective::from(capsule.ct.0));
    g1.push(-c1);
    let mut g2: Vec<&Prepared> = Vec::with_capacity(g1.capacity());
    g2.extend([&prek.p0, &prek.pt, &prek.p1]);
    for (key_index, c2, c3) in &per_attribute {
        g1.push(-*c2);
        g1.push(-*c3);
        g2.push(&prek.p2[*key_index]);
        g2.push(&prek.p3[*key_index]);
    }
    let g1: Vec<G1Affine> = G1Projective::normalize_batch(&g1);
    let loop_output = Bls12_381::multi_miller_loop(g1, g2.into_iter().cloned());
    let semi = Bls12_381::final_exponentiation(loop_output).ok_or(Error::MalformedCapsule)?;
    Ok(SemiCt(semi.into()))
}

/// `point^omega`, with the common coefficients 1 and -1 (all of an AND/OR policy) for free.
fn scaled(point: &G1Affine, omega: &Fr) -> G1Projective {
    if omega.is_one() {
        (*point).into()
    } else if (-*omega).is_one() {
        -G1Projective::from(*point)
    } else {
        *point * omega
    }
}

/// `Dec(sk, SemiCT)`: `KDF(SemiCT^(1/beta))`, one GT exponentiation.
pub fn decrypt(sk: &UserSecretKey, semi: &SemiCt) -> Result<PayloadKey> {
    let inverse = sk.beta().inverse().ok_or(Error::MalformedKey)?;
    let z: PairingOutput<Bls12_381> = semi.0 .0 * inverse;
    Ok(PayloadKey::from_bytes(derive_key(&z, &[], KEM_LABEL)))
}
