//! Runtime API for hospital nodes and clients: what they need to encrypt, derive
//! pre-decryption keys and refuse revoked doctors, answered from the current best state.

use alloc::vec::Vec;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
    /// The KGC's public state.
    pub trait KgcApi<AccountId> where AccountId: Codec {
        /// `pp`, SCALE-encoded (empty before Setup).
        fn params() -> Vec<u8>;
        /// The current epoch: capsules must be made under it.
        fn current_epoch() -> u64;
        /// The update key of `epoch`, SCALE-encoded, if published.
        fn update_key(epoch: u64) -> Option<Vec<u8>>;
        /// A doctor's leaf and the epoch from which it is revoked, if it is.
        fn doctor_status(doctor: AccountId) -> Option<(u64, Option<u64>)>;
    }
}
