//! `PreDec` (the hospital, with the doctor's transformation key) and `Dec` (the doctor).

use alloc::vec::Vec;
use ark_bls12_381::{Bls12_381, G1Affine, G1Projective};
use ark_ec::{
    bls12::G2Prepared,
    pairing::{Pairing, PairingOutput},
    CurveGroup,
};
use ark_ff::One;
use codec::{Decode, Encode};
use medchain_types::Epoch;
use zeroize::Zeroize;

use super::{capsule::KEM_LABEL, doctor::DoctorSecretKey, transform::TransformationKey, Capsule};
use crate::{
    aead::PayloadKey,
    ct,
    encoding::GtElement,
    hash::derive_key,
    policy::{coefficients, Policy},
    Error, Fr, Result,
};

type Prepared = G2Prepared<ark_bls12_381::Config>;

/// A [`TransformationKey`] with its G2 elements prepared for the Miller loop.
///
/// Preparing costs about as much as a pairing per element; a hospital prepares each doctor's
/// key once per epoch and reuses it for every record.
#[derive(Clone, Debug)]
pub struct PreparedTransformationKey {
    epoch: Epoch,
    attributes: Vec<alloc::string::String>,
    p0: Prepared,
    p1: Prepared,
    pt: Prepared,
    p2: Vec<Prepared>,
    p3: Vec<Prepared>,
}

impl PreparedTransformationKey {
    /// Prepares `tk`.
    pub fn new(tk: &TransformationKey) -> Result<Self> {
        let count = tk.attributes.len();
        if tk.tk2.len() != count || tk.tk3.len() != count {
            return Err(Error::MalformedKey);
        }
        let prepare = |p: &crate::encoding::G2Point| Prepared::from(p.0);
        Ok(Self {
            epoch: tk.epoch,
            attributes: tk
                .attributes
                .iter()
                .map(|a| alloc::string::String::from(&**a))
                .collect(),
            p0: prepare(&tk.tk0),
            p1: prepare(&tk.tk1),
            pt: prepare(&tk.tkt),
            p2: tk.tk2.iter().map(prepare).collect(),
            p3: tk.tk3.iter().map(prepare).collect(),
        })
    }

    /// The epoch this key decrypts.
    pub fn epoch(&self) -> Epoch {
        self.epoch
    }
}

/// `SemiCT = e(g1, g2)^(alpha s / z_T)`: what the hospital hands the doctor. Only the doctor's
/// `zseed` (through `z_T`) opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SemiCt(pub GtElement);

/// `PreDec(pp, TK_T, CT_Sym)`: one multi-Miller loop and one final exponentiation.
///
/// Fails with [`Error::EpochMismatch`] for a capsule of another epoch than the key,
/// [`Error::PolicyNotSatisfied`] when the doctor's attributes do not satisfy the policy and
/// [`Error::MalformedCapsule`] when the capsule's rows do not match its policy.
pub fn pre_decrypt(tk: &PreparedTransformationKey, capsule: &Capsule) -> Result<SemiCt> {
    if capsule.epoch != tk.epoch {
        return Err(Error::EpochMismatch {
            capsule: capsule.epoch,
            key: tk.epoch,
        });
    }
    let policy = Policy::parse(&capsule.policy)?;
    if policy.rows().len() != capsule.rows.len() {
        return Err(Error::MalformedCapsule);
    }
    let omega = coefficients(&policy, &tk.attributes)?;

    // Aggregate in G1 before pairing: all rows share P1, and rows of one attribute share
    // P2[tau] and P3[tau], so the loop has 3 + 2 * |distinct attributes used| pairs.
    let mut c1 = G1Projective::default();
    let mut per_attribute: Vec<(usize, G1Projective, G1Projective)> = Vec::new();
    for c in &omega {
        let row = &capsule.rows[c.row];
        let attribute = &policy.rows()[c.row];
        let key_index = tk
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
    g2.extend([&tk.p0, &tk.pt, &tk.p1]);
    for (key_index, c2, c3) in &per_attribute {
        g1.push(-*c2);
        g1.push(-*c3);
        g2.push(&tk.p2[*key_index]);
        g2.push(&tk.p3[*key_index]);
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

/// `Dec(zseed, T, SemiCT)`: `KDF(SemiCT^z_T)` with `T` the capsule's epoch, one constant-time
/// GT exponentiation.
pub fn decrypt(doctor: &DoctorSecretKey, capsule: &Capsule, semi: &SemiCt) -> Result<PayloadKey> {
    let mut z = doctor.transform_exponent(capsule.epoch);
    let mut shared: PairingOutput<Bls12_381> = ct::mul(&semi.0 .0, &z);
    z.zeroize();
    let key = PayloadKey::from_bytes(derive_key(&shared, &[], KEM_LABEL));
    shared.zeroize();
    Ok(key)
}
