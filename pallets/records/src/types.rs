//! What the records pallet stores: records and consultations.

use crate::Config;
use codec::{Decode, Encode, MaxEncodedLen};
use medchain_types::{CompressedG1, Epoch};
use polkadot_sdk::{
    frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
    frame_system::pallet_prelude::BlockNumberFor,
};
use scale_info::TypeInfo;

/// A published record: where its payload is and what lets the right people find and open it.
#[derive(
    Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Record<T: Config> {
    /// The hospital holding the payload (with `payload_hash`, its address).
    pub hospital: T::AccountId,
    /// The keyword index, SCALE-encoded (`medchain_crypto::index::Index`); empty once withdrawn.
    pub index: BoundedVec<u8, T::MaxIndexLen>,
    /// The key capsule `CT_Sym`, SCALE-encoded (`medchain_crypto::abe::Capsule`); empty once
    /// withdrawn.
    pub capsule: BoundedVec<u8, T::MaxCapsuleLen>,
    /// SHA-256 of the sealed payload `CT_HD`.
    pub payload_hash: [u8; 32],
    /// Size of the sealed payload in bytes.
    pub payload_size: u64,
    /// The patient's encryption key (compressed G1): reports are sealed to it, and a dispute's
    /// proof is checked against it.
    pub patient_key: CompressedG1,
    /// The epoch the capsule was made in.
    pub epoch: Epoch,
    /// Block of publication.
    pub published_at: BlockNumberFor<T>,
    /// Set when the patient withdrew the record: a tombstone, the payload is to be deleted.
    pub withdrawn: bool,
}

/// A doctor's claim on a record in consultation.
#[derive(
    Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Claim<T: Config> {
    /// The claiming doctor.
    pub doctor: T::AccountId,
    /// The doctor's hospital, which submitted the claim.
    pub hospital: T::AccountId,
    /// How many of the doctor's interests the record's index matched.
    pub matched: u32,
}

/// A consultation: open for claims until `closes_at`, then assigned.
#[derive(
    Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Consultation<T: Config> {
    /// First block at which no claim is accepted; the assignment happens in it.
    pub closes_at: BlockNumberFor<T>,
    /// Claims in the order they were made.
    pub claims: BoundedVec<Claim<T>, T::MaxClaims>,
    /// The assigned claim, once the window closed (`None` before, or if nobody claimed).
    pub assigned: Option<Claim<T>>,
    /// Whether the window has closed.
    pub closed: bool,
}

impl<T: Config> Consultation<T> {
    /// The assignment rule: most matched interests, ties to the earliest claim.
    pub fn winner(&self) -> Option<&Claim<T>> {
        self.claims
            .iter()
            .fold(None, |best: Option<&Claim<T>>, claim| match best {
                Some(b) if b.matched >= claim.matched => Some(b),
                _ => Some(claim),
            })
    }
}
