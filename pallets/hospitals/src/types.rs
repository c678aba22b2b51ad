//! What the registry stores about hospitals and authorisations.

use crate::{Config, Error};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use medchain_types::{CompressedG1, KeyEpoch};
use polkadot_sdk::{
    frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
    frame_system::pallet_prelude::BlockNumberFor,
};
use scale_info::TypeInfo;

/// A registered hospital.
#[derive(
    Encode,
    Decode,
    DecodeWithMemTracking,
    CloneNoBound,
    PartialEqNoBound,
    EqNoBound,
    DebugNoBound,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct HospitalInfo<T: Config> {
    /// Human-readable name, UTF-8 by convention (not checked).
    pub name: BoundedVec<u8, T::MaxNameLen>,
    /// libp2p peer id of the hospital's node (multihash bytes).
    pub peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
    /// Encryption public key (compressed BLS12-381 G1 point).
    pub encryption_key: CompressedG1,
}

impl<T: Config> HospitalInfo<T> {
    /// Bounds the unbounded call arguments, naming the field that does not fit.
    pub(crate) fn new(
        name: Vec<u8>,
        peer_id: Vec<u8>,
        encryption_key: CompressedG1,
    ) -> Result<Self, Error<T>> {
        let name = name.try_into().map_err(|_| Error::<T>::NameTooLong)?;
        if peer_id.is_empty() {
            return Err(Error::<T>::BadPeerId);
        }
        let peer_id = peer_id.try_into().map_err(|_| Error::<T>::BadPeerId)?;
        // An ElGamal key is never the identity: anything sealed to it is readable by anyone.
        medchain_crypto::elgamal::PublicKey::decompress(&encryption_key)
            .map_err(|_| Error::<T>::InvalidEncryptionKey)?;
        Ok(Self {
            name,
            peer_id,
            encryption_key,
        })
    }
}

/// `A_from->to`: the grantee may search the grantor's indices until `expires_at`.
#[derive(
    Encode,
    Decode,
    DecodeWithMemTracking,
    CloneNoBound,
    PartialEqNoBound,
    EqNoBound,
    DebugNoBound,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Authorization<T: Config> {
    /// First block at which the grant is no longer active.
    pub expires_at: BlockNumberFor<T>,
    /// The grantor's search key epoch when it granted: the epoch of the key it sealed. A grant
    /// older than the grantor's current epoch is one its node still has to hand the new key.
    pub key_epoch: KeyEpoch,
    /// The grantor's search key, encrypted to the grantee's encryption key.
    pub encrypted_search_key: BoundedVec<u8, T::MaxSearchKeyLen>,
}

impl<T: Config> Authorization<T> {
    /// Whether the grant is active at block `now`.
    pub fn is_active_at(&self, now: BlockNumberFor<T>) -> bool {
        now < self.expires_at
    }
}
