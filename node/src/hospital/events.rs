//! A block's events, read from its state: what the view follows and what tells the submitter
//! whether its transaction succeeded.

use super::error::{unreadable, Unreadable};
use crate::service::FullClient;
use codec::Decode;
use medchain_runtime::{Hash, RuntimeEvent};
use polkadot_sdk::{
    frame_system::EventRecord, sc_client_api::StorageProvider, sp_core::storage::StorageKey,
};

/// The events of block `at`, with the phase each was emitted in.
pub fn records(
    client: &FullClient,
    at: Hash,
) -> Result<Vec<EventRecord<RuntimeEvent, Hash>>, Unreadable> {
    let key = StorageKey(
        polkadot_sdk::frame_support::storage::storage_prefix(b"System", b"Events").to_vec(),
    );
    let Some(bytes) = client.storage(at, &key).map_err(unreadable("the events"))? else {
        return Ok(Vec::new());
    };
    Vec::<EventRecord<RuntimeEvent, Hash>>::decode(&mut &bytes.0[..])
        .map_err(unreadable("the events"))
}
