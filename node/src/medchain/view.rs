//! The node's in-memory view of what it may search: the keyword indices of every record held by
//! this hospital or by a hospital that authorises it, with the search keys to test them. Loaded
//! from finalised state at start and brought forward on every finalised block, so a search never
//! reads storage.

use super::Services;
use codec::Decode;
use medchain_crypto::index::{HospitalId, Index, SearchKey, Trapdoor};
use medchain_runtime::{
    hospital_keys, pallet_hospitals::runtime_api::HospitalsApi,
    pallet_records::runtime_api::RecordsApi, AccountId, Hash, Runtime, RuntimeEvent,
};
use medchain_search::{Hit, Keyring, SearchEngine};
use polkadot_sdk::{
    frame_system::EventRecord,
    sc_client_api::{FinalityNotification, StorageProvider},
    sp_api::ProvideRuntimeApi,
    sp_blockchain::HeaderBackend,
    sp_core::storage::StorageKey,
};
use std::{collections::HashMap, sync::RwLock};

/// Records fetched per runtime call while loading.
const PAGE: u32 = 256;

type Record = medchain_runtime::pallet_records::Record<Runtime>;
type Claim = medchain_runtime::pallet_records::Claim<Runtime>;

/// What is searchable, and how far each hospital's records are loaded.
#[derive(Default)]
struct View {
    engine: SearchEngine,
    keyring: Keyring,
    /// This hospital and those authorising it now.
    searchable: Vec<HospitalId>,
    /// This hospital's own key epochs in the keyring: `0..own_epochs`.
    own_epochs: u32,
    /// The sealed search key last opened per authorising hospital: a key is opened (and kept)
    /// only when its grant changes.
    opened: HashMap<AccountId, Vec<u8>>,
    /// Records loaded per hospital (positions `0..n` in its publication order).
    loaded: HashMap<AccountId, u64>,
    /// This hospital's own records, by payload hash: whom the transfer protocol may serve.
    own_payloads: HashMap<[u8; 32], Vec<u64>>,
}

/// The view, shared by the follower (writer) and the RPC methods (readers).
#[derive(Default)]
pub struct SharedView(RwLock<View>);

impl SharedView {
    /// Loads everything from the last finalised block.
    pub fn load(&self, services: &Services) -> Result<(), String> {
        {
            let mut view = self.write()?;
            for ((hospital, key_epoch), key) in services.search_keys.entries() {
                view.keyring
                    .insert(hospital.into(), key_epoch, SearchKey::from_bytes(key));
            }
        }
        let at = services.client.info().finalized_hash;
        self.sync(services, at)
    }

    /// Applies finalised blocks: withdrawals (the holder deletes the payload), then new grants
    /// and records.
    pub fn follow(
        &self,
        services: &Services,
        notification: &FinalityNotification<medchain_runtime::opaque::Block>,
    ) -> Result<(), String> {
        for hash in notification
            .tree_route
            .iter()
            .chain(std::iter::once(&notification.hash))
        {
            for event in events(services, *hash)? {
                if let RuntimeEvent::Records(
                    medchain_runtime::pallet_records::Event::RecordWithdrawn {
                        id,
                        hospital,
                        payload_hash,
                    },
                ) = event
                {
                    self.write()?.engine.remove(id);
                    if hospital == services.hospital.account {
                        services
                            .blobs
                            .delete(&payload_hash)
                            .map_err(|e| format!("cannot delete withdrawn payload: {e}"))?;
                        log::info!("🏥 Record {id} withdrawn: its payload is deleted");
                    }
                }
            }
        }
        self.sync(services, notification.hash)
    }

    /// The records this hospital may search whose index holds every interest of `trapdoor`.
    pub fn search(&self, trapdoor: &Trapdoor) -> Result<Vec<Hit>, String> {
        let view = self.0.read().map_err(|_| "the search view is poisoned")?;
        Ok(view
            .engine
            .search(trapdoor, &view.searchable, &view.keyring))
    }

    /// How many interests of `trapdoor` record `record`'s index holds, if this hospital may
    /// search it now (its own, or held by a hospital authorising it) and holds its key.
    pub fn matched(&self, record: u64, trapdoor: &Trapdoor) -> Result<Option<u32>, String> {
        let view = self.0.read().map_err(|_| "the search view is poisoned")?;
        Ok(view
            .engine
            .matched_count(record, trapdoor, &view.searchable, &view.keyring))
    }

    /// This hospital's records whose payload is `hash`.
    pub fn records_with_payload(&self, hash: &[u8; 32]) -> Vec<u64> {
        self.0
            .read()
            .ok()
            .and_then(|view| view.own_payloads.get(hash).cloned())
            .unwrap_or_default()
    }

    fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, View>, String> {
        self.0
            .write()
            .map_err(|_| "the search view is poisoned".into())
    }

    /// Brings grants, keys and records up to block `at`.
    fn sync(&self, services: &Services, at: Hash) -> Result<(), String> {
        let api = services.client.runtime_api();
        let me = services.hospital.account.clone();
        let authorizers = api
            .authorizers_of(at, me.clone())
            .map_err(|e| format!("cannot read authorisations: {e}"))?;
        let own_epochs = api
            .search_key_epoch(at, me.clone())
            .map_err(|e| format!("cannot read the search key epoch: {e}"))?
            .saturating_add(1);
        let mut sealed_keys = Vec::with_capacity(authorizers.len());
        for from in &authorizers {
            let sealed = api
                .sealed_search_key(at, from.clone(), me.clone())
                .map_err(|e| format!("cannot read an authorisation: {e}"))?;
            sealed_keys.push((from.clone(), sealed.unwrap_or_default()));
        }
        let mut view = self.write()?;
        for key_epoch in view.own_epochs..own_epochs {
            let key = services.hospital.search_key(key_epoch);
            view.keyring.insert(me.clone().into(), key_epoch, key);
        }
        view.own_epochs = view.own_epochs.max(own_epochs);
        for (from, sealed) in sealed_keys {
            if view.opened.get(&from) != Some(&sealed) {
                keep_handed_key(services, &mut view.keyring, &from, &sealed)?;
                view.opened.insert(from, sealed);
            }
        }
        let mut searchable: Vec<AccountId> = authorizers;
        searchable.push(me);
        for hospital in &searchable {
            loop {
                let start = view.loaded.get(hospital).copied().unwrap_or_default();
                let page = api
                    .records_of(at, hospital.clone(), start, PAGE)
                    .map_err(|e| format!("cannot read records: {e}"))?;
                let count = page.len() as u64;
                for (id, record) in page {
                    if *hospital == services.hospital.account {
                        view.own_payloads
                            .entry(record.payload_hash)
                            .or_default()
                            .push(id);
                    }
                    if let Some(index) = live_index(hospital, &record) {
                        view.engine.insert(id, index);
                    }
                }
                view.loaded.insert(hospital.clone(), start + count);
                if count < u64::from(PAGE) {
                    break;
                }
            }
        }
        view.searchable = searchable.into_iter().map(Into::into).collect();
        Ok(())
    }
}

/// Opens the search key `from` sealed to this hospital, and keeps it in `keyring` and on disk:
/// once `from` rotates, the key of the older epoch is no longer on-chain but still tests the
/// indices built with it.
fn keep_handed_key(
    services: &Services,
    keyring: &mut Keyring,
    from: &AccountId,
    sealed: &[u8],
) -> Result<(), String> {
    let secret = services.hospital.encryption_key();
    let Some((key_epoch, key)) = hospital_keys::open_search_key(&secret, sealed) else {
        log::warn!("🏥 {from}'s authorisation carries no search key sealed to us");
        return Ok(());
    };
    services
        .search_keys
        .insert((from.clone(), key_epoch), *key.expose())?;
    keyring.insert(from.clone().into(), key_epoch, key);
    Ok(())
}

/// A record's index, unless the record is withdrawn or its index does not decode or names
/// another hospital than the one that published it.
fn live_index(hospital: &AccountId, record: &Record) -> Option<Index> {
    if record.withdrawn {
        return None;
    }
    let index = Index::decode(&mut &record.index[..]).ok()?;
    (index.hospital == <[u8; 32]>::from(hospital.clone())).then_some(index)
}

/// The events of block `at`.
fn events(services: &Services, at: Hash) -> Result<Vec<RuntimeEvent>, String> {
    let key = StorageKey(
        polkadot_sdk::frame_support::storage::storage_prefix(b"System", b"Events").to_vec(),
    );
    let Some(bytes) = services
        .client
        .storage(at, &key)
        .map_err(|e| format!("cannot read events: {e}"))?
    else {
        return Ok(Vec::new());
    };
    let records = Vec::<EventRecord<RuntimeEvent, Hash>>::decode(&mut &bytes.0[..])
        .map_err(|e| format!("cannot decode events: {e}"))?;
    Ok(records.into_iter().map(|r| r.event).collect())
}

/// The claim `record`'s consultation was assigned to, if it closed with one: whom this hospital
/// may serve the record besides the hospitals it authorises.
pub fn assignment(services: &Services, at: Hash, record: u64) -> Result<Option<Claim>, String> {
    services
        .client
        .runtime_api()
        .consultation(at, record)
        .map(|consultation| consultation.and_then(|c| c.assigned))
        .map_err(|e| format!("cannot read the consultation: {e}"))
}
