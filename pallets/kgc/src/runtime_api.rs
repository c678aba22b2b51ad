//! Runtime API for hospital nodes and clients: what they need to encrypt, derive
//! transformation keys, deliver doctors' keys and refuse revoked doctors, answered from the
//! current best state.

use crate::KeyIssue;
use alloc::vec::Vec;
use codec::Codec;
use medchain_types::{CompressedG1, Epoch, LeafIndex};

polkadot_sdk::sp_api::decl_runtime_apis! {
    /// The KGC's public state.
    ///
    /// Version 2 adds doctors' registered encryption keys and key issuances.
    #[api_version(2)]
    pub trait KgcApi<AccountId> where AccountId: Codec {
        /// `pp`, SCALE-encoded (empty before Setup).
        fn params() -> Vec<u8>;
        /// The current epoch: capsules must be made under it.
        fn current_epoch() -> Epoch;
        /// The update key of `epoch`, SCALE-encoded, if published.
        fn update_key(epoch: Epoch) -> Option<Vec<u8>>;
        /// A doctor's leaf and the epoch from which it is revoked, if it is.
        fn doctor_status(doctor: AccountId) -> Option<(LeafIndex, Option<Epoch>)>;
        /// The encryption key `pk_D` the doctor registered, to which the KGC seals its key.
        #[api_version(2)]
        fn encryption_key(doctor: AccountId) -> Option<CompressedG1>;
        /// The issuance of the doctor's key: leaf, the `pk_D` it was sealed to, the sealed key's
        /// SHA-256.
        #[api_version(2)]
        fn key_issue(doctor: AccountId) -> Option<KeyIssue>;
    }
}
