//! The node's in-memory view of what it may search: the keyword indices of every record held by
//! this hospital or by a hospital that authorises it, with the search keys to test them. Loaded
//! from finalised state at start and brought forward on every finalised block, so a search never
//! reads storage.

use super::{
    access::Record,
    error::{unreadable, Poisoned, Unreadable},
    identity::Hospital,
    sealed_map::{SealedMap, SealedMapError},
};
use crate::service::FullClient;
use codec::Decode;
use medchain_blob_store::BlobStore;
use medchain_crypto::index::{HospitalId, Index, SearchKey, Trapdoor};
use medchain_runtime::{
    hospital_keys, pallet_hospitals::runtime_api::HospitalsApi,
    pallet_records::runtime_api::RecordsApi, AccountId, Hash, Runtime, RuntimeEvent,
};
use medchain_search::{Hit, Keyring, SearchEngine};
use medchain_types::{KeyEpoch, RecordId};
use polkadot_sdk::{
    sc_client_api::FinalityNotification, sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend,
};
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

/// The view could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The chain could not be read.
    #[error(transparent)]
    Chain(#[from] Unreadable),
    /// The view's lock is poisoned.
    #[error(transparent)]
    Poisoned(#[from] Poisoned),
    /// A search key handed to this hospital could not be kept.
    #[error("cannot keep a search key handed to this hospital: {0}")]
    Keys(#[from] SealedMapError),
    /// A withdrawn record's payload could not be deleted.
    #[error("cannot delete a withdrawn record's payload: {0}")]
    Delete(#[from] medchain_blob_store::Error),
}

/// Records fetched per runtime call while loading.
const PAGE: u32 = 256;

/// What the view's lock guards, in its errors.
const VIEW: &str = "the search view";

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
    /// This hospital's own live records, by payload hash: whom the transfer protocol may serve,
    /// and whether a payload is still some record's.
    own_payloads: HashMap<[u8; 32], Vec<RecordId>>,
}

impl View {
    /// Forgets that record `id`, now withdrawn, has payload `hash`; whether no live record of
    /// this hospital has that payload any more (two records may seal the same content: the
    /// store keeps one copy, which the second record still needs).
    fn forget_payload(&mut self, id: RecordId, hash: &[u8; 32]) -> bool {
        let Some(ids) = self.own_payloads.get_mut(hash) else {
            return true;
        };
        ids.retain(|other| *other != id);
        let last = ids.is_empty();
        if last {
            self.own_payloads.remove(hash);
        }
        last
    }
}

/// Search keys other hospitals handed this one, by hospital and key epoch, kept on disk: once a
/// hospital rotates, the key of the older epoch is no longer on-chain.
pub type HandedKeys = SealedMap<(AccountId, KeyEpoch), [u8; 32]>;

/// The node's two payload stores, which the view deletes withdrawn records' payloads from.
pub struct Stores {
    /// What this hospital holds (and serves).
    pub held: Arc<BlobStore>,
    /// Copies fetched from other hospitals.
    pub copies: Arc<BlobStore>,
}

/// The view, shared by the follower (writer) and the RPC methods (readers), with what it reads
/// the chain through and the one payload-store operation it makes (a withdrawn record's
/// payload is deleted: by its holder, and from every node's copies).
pub struct SharedView {
    view: RwLock<View>,
    client: Arc<FullClient>,
    hospital: Arc<Hospital>,
    stores: Stores,
    handed_keys: HandedKeys,
}

impl SharedView {
    /// The view of `hospital`, loaded from the last finalised block with the search keys kept
    /// in `handed_keys`.
    pub fn load(
        client: Arc<FullClient>,
        hospital: Arc<Hospital>,
        stores: Stores,
        handed_keys: HandedKeys,
    ) -> Result<Self, ViewError> {
        let mut view = View::default();
        for ((from, key_epoch), key) in handed_keys.entries() {
            view.keyring
                .insert(from.into(), key_epoch, SearchKey::from_bytes(key));
        }
        let shared = Self {
            view: RwLock::new(view),
            client,
            hospital,
            stores,
            handed_keys,
        };
        shared.sync(shared.client.info().finalized_hash)?;
        Ok(shared)
    }

    /// Applies finalised blocks: withdrawals (the holder deletes the payload, every other node
    /// its copy), then new grants and records.
    pub fn follow(
        &self,
        notification: &FinalityNotification<medchain_runtime::opaque::Block>,
    ) -> Result<(), ViewError> {
        for hash in notification
            .tree_route
            .iter()
            .chain(std::iter::once(&notification.hash))
        {
            for record in super::events::records(&self.client, *hash)? {
                if let RuntimeEvent::Records(
                    medchain_runtime::pallet_records::Event::RecordWithdrawn {
                        id,
                        hospital,
                        payload_hash,
                    },
                ) = record.event
                {
                    let ours = hospital == self.hospital.account;
                    let mut view = self.write()?;
                    view.engine.remove(id);
                    let unused = ours && view.forget_payload(id, &payload_hash);
                    drop(view);
                    if unused {
                        self.stores.held.delete(&payload_hash)?;
                        log::info!("🏥 Record {id} withdrawn: its payload is deleted");
                    } else if ours {
                        log::info!(
                            "🏥 Record {id} withdrawn: its payload stays, another live record of this hospital seals the same content"
                        );
                    } else if self.stores.copies.delete(&payload_hash)? {
                        // A copy is a cache: were the content another live record's too, it is
                        // fetched again from that record's holder when needed.
                        log::info!(
                            "🏥 Record {id} withdrawn by {hospital}: this node's copy of its payload is deleted"
                        );
                    }
                }
            }
        }
        self.sync(notification.hash)
    }

    /// The records this hospital may search whose index holds every interest of `trapdoor`.
    pub fn search(&self, trapdoor: &Trapdoor) -> Result<Vec<Hit>, Poisoned> {
        let view = self.view.read().map_err(|_| Poisoned(VIEW))?;
        Ok(view
            .engine
            .search(trapdoor, &view.searchable, &view.keyring))
    }

    /// How many interests of `trapdoor` record `record`'s index holds, if this hospital may
    /// search it now (its own, or held by a hospital authorising it) and holds its key.
    pub fn matched(&self, record: RecordId, trapdoor: &Trapdoor) -> Result<Option<u32>, Poisoned> {
        let view = self.view.read().map_err(|_| Poisoned(VIEW))?;
        Ok(view
            .engine
            .matched_count(record, trapdoor, &view.searchable, &view.keyring))
    }

    /// This hospital's records whose payload is `hash`.
    pub fn records_with_payload(&self, hash: &[u8; 32]) -> Vec<RecordId> {
        self.view
            .read()
            .ok()
            .and_then(|view| view.own_payloads.get(hash).cloned())
            .unwrap_or_default()
    }

    fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, View>, Poisoned> {
        self.view.write().map_err(|_| Poisoned(VIEW))
    }

    /// Brings grants, keys and records up to block `at`.
    fn sync(&self, at: Hash) -> Result<(), ViewError> {
        let api = self.client.runtime_api();
        let me = self.hospital.account.clone();
        let authorizers = api
            .authorizers_of(at, me.clone())
            .map_err(unreadable("the authorisations"))?;
        let own_epochs = api
            .search_key_epoch(at, me.clone())
            .map_err(unreadable("the search key epoch"))?
            .get()
            .saturating_add(1);
        let mut sealed_keys = Vec::with_capacity(authorizers.len());
        for from in &authorizers {
            let sealed = api
                .sealed_search_key(at, from.clone(), me.clone())
                .map_err(unreadable("an authorisation"))?;
            sealed_keys.push((from.clone(), sealed.unwrap_or_default()));
        }
        let mut view = self.write()?;
        for key_epoch in (view.own_epochs..own_epochs).map(KeyEpoch::new) {
            let key = self.hospital.search_key(key_epoch);
            view.keyring.insert(me.clone().into(), key_epoch, key);
        }
        view.own_epochs = view.own_epochs.max(own_epochs);
        for (from, sealed) in sealed_keys {
            if view.opened.get(&from) != Some(&sealed) {
                self.keep_handed_key(&mut view.keyring, &from, &sealed)?;
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
                    .map_err(unreadable("the records"))?;
                let count = page.len() as u64;
                for (id, record) in page {
                    if *hospital == self.hospital.account && !record.withdrawn {
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

    /// Opens the search key `from` sealed to this hospital, and keeps it in `keyring` and on
    /// disk: once `from` rotates, the key of the older epoch is no longer on-chain but still
    /// tests the indices built with it.
    fn keep_handed_key(
        &self,
        keyring: &mut Keyring,
        from: &AccountId,
        sealed: &[u8],
    ) -> Result<(), ViewError> {
        let secret = self.hospital.encryption_key();
        let Some((key_epoch, key)) = hospital_keys::open_search_key(&secret, sealed) else {
            log::warn!("🏥 {from}'s authorisation carries no search key sealed to us");
            return Ok(());
        };
        self.handed_keys
            .insert((from.clone(), key_epoch), *key.expose())?;
        keyring.insert(from.clone().into(), key_epoch, key);
        Ok(())
    }
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

/// The claim `record`'s consultation was assigned to, if it closed with one: whom this hospital
/// may serve the record besides the hospitals it authorises.
pub fn assignment(
    client: &FullClient,
    at: Hash,
    record: RecordId,
) -> Result<Option<Claim>, Unreadable> {
    client
        .runtime_api()
        .consultation(at, record)
        .map(|consultation| consultation.and_then(|c| c.assigned))
        .map_err(unreadable("the consultation"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;
    use medchain_crypto::{hash::keyword_digest, index::build_index, seeded_rng};
    use medchain_types::{CompressedG1, Epoch};

    fn record(hospital: &AccountId, index: Vec<u8>, withdrawn: bool) -> Record {
        Record {
            hospital: hospital.clone(),
            index: index.try_into().expect("fits"),
            capsule: Default::default(),
            payload_hash: [1; 32],
            payload_size: 1,
            patient_key: CompressedG1::from_bytes([0; 48]),
            epoch: Epoch::new(0),
            published_at: 1,
            withdrawn,
        }
    }

    #[test]
    fn a_withdrawal_keeps_a_payload_another_live_record_still_has() {
        let mut view = View::default();
        let (first, second) = (RecordId::new(1), RecordId::new(2));
        view.own_payloads.insert([1; 32], vec![first, second]);
        assert!(
            !view.forget_payload(first, &[1; 32]),
            "record 2 still needs it"
        );
        assert_eq!(view.own_payloads[&[1; 32]], [second]);
        assert!(view.forget_payload(second, &[1; 32]), "nobody needs it now");
        assert!(view.own_payloads.is_empty());
        assert!(view.forget_payload(second, &[9; 32]), "never held");
    }

    #[test]
    fn only_a_live_record_whose_index_names_its_publisher_is_searched() {
        let mut rng = seeded_rng([7; 32]);
        let (alice, bob) = (AccountId::new([1; 32]), AccountId::new([2; 32]));
        let key = SearchKey::derive(b"alice's account", KeyEpoch::new(0));
        let index = |hospital: &AccountId, rng: &mut _| {
            build_index(
                &key,
                hospital.clone().into(),
                KeyEpoch::new(0),
                &[keyword_digest("cardiology")],
                rng,
            )
            .expect("indexable")
            .encode()
        };
        let alices = index(&alice, &mut rng);
        assert!(live_index(&alice, &record(&alice, alices.clone(), false)).is_some());
        assert!(
            live_index(&alice, &record(&alice, alices, true)).is_none(),
            "withdrawn"
        );
        // Bob publishes an index that claims to be Alice's: it would answer searches of
        // Alice's records with Bob's.
        let forged = index(&alice, &mut rng);
        assert!(live_index(&bob, &record(&bob, forged, false)).is_none());
        assert!(live_index(&alice, &record(&alice, vec![1, 2, 3], false)).is_none());
    }
}
