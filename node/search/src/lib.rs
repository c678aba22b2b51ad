//! The hospital node's search engine (`SPEC.md` steps 6-9, `CRYPTO.md` section 3).
//!
//! Every record's keyword index is held in memory, grouped by owning hospital, so a search never
//! reads storage: the node loads the indices from chain state at start and applies each imported
//! block's publications and withdrawals ([`SearchEngine::insert`], [`SearchEngine::remove`]).
//! A search runs the doctor's trapdoor against the indices of every hospital that authorises the
//! doctor's hospital, with that hospital's search key of each index's key epoch; a trapdoor is
//! keyed once per (hospital, key epoch), so each index costs `|Q|` short HMACs at most.

use medchain_crypto::index::{HospitalId, Index, PreparedQuery, SearchKey, Trapdoor};
use medchain_types::{KeyEpoch, RecordId};
use std::collections::{BTreeMap, HashMap};

/// The search keys this hospital holds: its own, and those other hospitals sent it in their
/// authorisations, by (hospital, key epoch). Old epochs stay: older indices need them.
#[derive(Default)]
pub struct Keyring {
    keys: HashMap<(HospitalId, KeyEpoch), SearchKey>,
}

impl Keyring {
    /// Adds `hospital`'s key of `key_epoch`.
    pub fn insert(&mut self, hospital: HospitalId, key_epoch: KeyEpoch, key: SearchKey) {
        self.keys.insert((hospital, key_epoch), key);
    }

    /// `hospital`'s key of `key_epoch`, if held.
    pub fn get(&self, hospital: &HospitalId, key_epoch: KeyEpoch) -> Option<&SearchKey> {
        self.keys.get(&(*hospital, key_epoch))
    }
}

/// A record that matched a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The record.
    pub record: RecordId,
    /// The hospital holding it.
    pub hospital: HospitalId,
    /// How many of the doctor's interests it matched (all of them: `Q ⊆ W`).
    pub matched: u32,
}

/// Every live record's index, by owning hospital.
#[derive(Default)]
pub struct SearchEngine {
    by_hospital: HashMap<HospitalId, BTreeMap<RecordId, Index>>,
    owner: HashMap<RecordId, HospitalId>,
}

impl SearchEngine {
    /// Adds (or replaces) record `record`'s index.
    pub fn insert(&mut self, record: RecordId, index: Index) {
        self.remove(record);
        self.owner.insert(record, index.hospital);
        self.by_hospital
            .entry(index.hospital)
            .or_default()
            .insert(record, index);
    }

    /// Forgets a withdrawn record; `false` if it was not held.
    pub fn remove(&mut self, record: RecordId) -> bool {
        let Some(hospital) = self.owner.remove(&record) else {
            return false;
        };
        if let Some(records) = self.by_hospital.get_mut(&hospital) {
            records.remove(&record);
            if records.is_empty() {
                self.by_hospital.remove(&hospital);
            }
        }
        true
    }

    /// Number of records held.
    pub fn len(&self) -> usize {
        self.owner.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.owner.is_empty()
    }

    /// How many interests of `trapdoor` record `record`'s index holds: the count a claim names.
    /// `None` if the record is not held, its hospital is not in `searchable`, or `keys` lacks the
    /// key of its index's epoch.
    pub fn matched_count(
        &self,
        record: RecordId,
        trapdoor: &Trapdoor,
        searchable: &[HospitalId],
        keys: &Keyring,
    ) -> Option<u32> {
        let hospital = self.owner.get(&record)?;
        if !searchable.contains(hospital) {
            return None;
        }
        let index = self.by_hospital.get(hospital)?.get(&record)?;
        let key = keys.get(hospital, index.key_epoch)?;
        Some(PreparedQuery::new(key, trapdoor).matched_count(index) as u32)
    }

    /// The records of `searchable` hospitals (those authorising the searcher now, and the
    /// searcher itself) whose index contains every interest of `trapdoor`, in record order.
    /// Indices whose key epoch this node holds no key for cannot be tested and are skipped.
    pub fn search(
        &self,
        trapdoor: &Trapdoor,
        searchable: &[HospitalId],
        keys: &Keyring,
    ) -> Vec<Hit> {
        let matched = trapdoor.interests.len() as u32;
        let mut hits = Vec::new();
        for hospital in searchable {
            let Some(records) = self.by_hospital.get(hospital) else {
                continue;
            };
            let mut queries: HashMap<KeyEpoch, Option<PreparedQuery>> = HashMap::new();
            for (&record, index) in records {
                let query = queries.entry(index.key_epoch).or_insert_with(|| {
                    keys.get(hospital, index.key_epoch)
                        .map(|k| PreparedQuery::new(k, trapdoor))
                });
                if query.as_ref().is_some_and(|q| q.matches(index)) {
                    hits.push(Hit {
                        record,
                        hospital: *hospital,
                        matched,
                    });
                }
            }
        }
        hits.sort_by_key(|hit| hit.record);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use medchain_crypto::{hash::keyword_digest, index::build_index};

    const H1: HospitalId = [1; 32];
    const H2: HospitalId = [2; 32];
    const H3: HospitalId = [3; 32];

    fn index(
        key: &SearchKey,
        hospital: HospitalId,
        epoch: u32,
        words: &[&str],
        rng: &mut StdRng,
    ) -> Index {
        let digests: Vec<_> = words.iter().map(|w| keyword_digest(w)).collect();
        build_index(key, hospital, KeyEpoch::new(epoch), &digests, rng).unwrap()
    }

    struct World {
        engine: SearchEngine,
        keys: Keyring,
    }

    /// H1 has records 0 (asthma, child) and 1 (asthma) under key epoch 0 and record 2 (asthma)
    /// under key epoch 1; H3 has record 3 (asthma). The searcher holds H1's keys only.
    fn world() -> World {
        let mut rng = StdRng::seed_from_u64(1);
        let (k1_0, k1_1, k3) = (
            SearchKey::generate(&mut rng),
            SearchKey::generate(&mut rng),
            SearchKey::generate(&mut rng),
        );
        let mut engine = SearchEngine::default();
        engine.insert(
            RecordId::new(0),
            index(&k1_0, H1, 0, &["asthma", "child"], &mut rng),
        );
        engine.insert(RecordId::new(1), index(&k1_0, H1, 0, &["asthma"], &mut rng));
        engine.insert(RecordId::new(2), index(&k1_1, H1, 1, &["asthma"], &mut rng));
        engine.insert(RecordId::new(3), index(&k3, H3, 0, &["asthma"], &mut rng));
        let mut keys = Keyring::default();
        keys.insert(H1, KeyEpoch::new(0), k1_0);
        keys.insert(H1, KeyEpoch::new(1), k1_1);
        World { engine, keys }
    }

    /// The hits' record numbers.
    fn records(hits: &[Hit]) -> Vec<u64> {
        hits.iter().map(|h| h.record.get()).collect()
    }

    #[test]
    fn finds_exactly_the_supersets_across_key_epochs() {
        let w = world();
        let asthma = Trapdoor::new(&["asthma"]).unwrap();
        assert_eq!(
            records(&w.engine.search(&asthma, &[H1], &w.keys)),
            [0, 1, 2]
        );
        let both = Trapdoor::new(&["asthma", "child"]).unwrap();
        let hits = w.engine.search(&both, &[H1], &w.keys);
        assert_eq!(
            hits,
            [Hit {
                record: RecordId::new(0),
                hospital: H1,
                matched: 2
            }]
        );
    }

    #[test]
    fn hospitals_that_do_not_authorise_the_searcher_are_not_searched() {
        let w = world();
        let asthma = Trapdoor::new(&["asthma"]).unwrap();
        assert!(w.engine.search(&asthma, &[H2], &w.keys).is_empty());
        // Even listed, a hospital whose keys this node never received matches nothing.
        assert!(w.engine.search(&asthma, &[H3], &w.keys).is_empty());
    }

    #[test]
    fn a_claim_counts_the_interests_a_searchable_index_holds() {
        let w = world();
        let query = Trapdoor::new(&["asthma", "child", "fever"]).unwrap();
        assert_eq!(
            w.engine
                .matched_count(RecordId::new(0), &query, &[H1], &w.keys),
            Some(2)
        );
        assert_eq!(
            w.engine
                .matched_count(RecordId::new(2), &query, &[H1], &w.keys),
            Some(1)
        );
        // Not searchable, no key for it, or not held: no count.
        assert_eq!(
            w.engine
                .matched_count(RecordId::new(0), &query, &[H2], &w.keys),
            None
        );
        assert_eq!(
            w.engine
                .matched_count(RecordId::new(3), &query, &[H3], &w.keys),
            None
        );
        assert_eq!(
            w.engine
                .matched_count(RecordId::new(9), &query, &[H1], &w.keys),
            None
        );
    }

    #[test]
    fn withdrawn_records_are_no_longer_found() {
        let mut w = world();
        assert!(w.engine.remove(RecordId::new(1)));
        assert!(!w.engine.remove(RecordId::new(1)));
        let asthma = Trapdoor::new(&["asthma"]).unwrap();
        assert_eq!(records(&w.engine.search(&asthma, &[H1], &w.keys)), [0, 2]);
        assert_eq!(w.engine.len(), 3);
    }
}
