//! Runtime API for nodes and clients: who may search a hospital's indices, and who its doctors
//! are, answered from the current best state.

// `decl_runtime_apis!` repeats the generic's bound in the code it generates.
#![allow(clippy::multiple_bound_locations)]

use alloc::vec::Vec;
use codec::Codec;
use medchain_types::{CompressedG1, KeyEpoch};

polkadot_sdk::sp_api::decl_runtime_apis! {
    /// Questions a hospital node asks before serving searches and payloads.
    pub trait HospitalsApi<AccountId: Codec, BlockNumber: Codec> {
        /// The hospitals whose authorisation of `hospital` is active now.
        fn authorizers_of(hospital: AccountId) -> Vec<AccountId>;
        /// Whether `doctor` is a doctor of `hospital`.
        fn is_doctor_of(doctor: AccountId, hospital: AccountId) -> bool;
        /// Whether `who` may sign transactions (a hospital, a doctor or the KGC).
        fn is_member(who: AccountId) -> bool;
        /// The hospital `doctor` works for.
        fn hospital_of(doctor: AccountId) -> Option<AccountId>;
        /// `hospital`'s node peer id (multihash bytes) and encryption key, if registered.
        fn contact(hospital: AccountId) -> Option<(Vec<u8>, CompressedG1)>;
        /// The hospital whose node has peer id `peer_id`.
        fn owner_of_peer(peer_id: Vec<u8>) -> Option<AccountId>;
        /// The search key `from` sealed to `to` in its authorisation, if active now.
        fn sealed_search_key(from: AccountId, to: AccountId) -> Option<Vec<u8>>;
        /// The hospitals `from` authorises now, with the block each grant expires at and the
        /// search key epoch it carries.
        fn grants_by(from: AccountId) -> Vec<(AccountId, BlockNumber, KeyEpoch)>;
        /// The key epoch of `hospital`'s current search key.
        fn search_key_epoch(hospital: AccountId) -> KeyEpoch;
    }
}
