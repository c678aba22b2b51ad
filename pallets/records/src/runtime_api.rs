//! Runtime API for hospital nodes: the records to load into their in-memory search index, and
//! the state of consultations.

use alloc::vec::Vec;
use codec::Codec;
use medchain_types::RecordId;

polkadot_sdk::sp_api::decl_runtime_apis! {
    /// Records and consultations.
    pub trait RecordsApi<AccountId, Record, Consultation>
    where
        AccountId: Codec,
        Record: Codec,
        Consultation: Codec,
    {
        /// `hospital`'s records at positions `start ..` (publication order), at most `limit`.
        fn records_of(hospital: AccountId, start: u64, limit: u32) -> Vec<(RecordId, Record)>;
        /// One record.
        fn record(id: RecordId) -> Option<Record>;
        /// The consultation on `record`, if one was opened.
        fn consultation(record: RecordId) -> Option<Consultation>;
    }
}
