//! Keyword indices, trapdoors and matching (`CRYPTO.md` section 3).
//!
//! An index is public and on-chain, yet only a holder of the owning hospital's search key for
//! the index's key epoch can test it: each tag is `HMAC(HMAC(k, H(w)), nonce)`, so without `k`
//! nobody can run a dictionary of medical terms against it. Per-record nonces make two indices of
//! the same keywords unlinkable; padding to a size class hides how many keywords a record has.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use core::fmt;
use hmac::{Hmac, KeyInit, Mac};
use medchain_types::KeyEpoch;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{encoding::BoundedList, hash::keyword_digest, CryptoRngCore, Error, Result};

/// Most keywords one record can carry (the largest size class).
pub const MAX_KEYWORDS: usize = 64;
/// Most interests in one search.
pub const MAX_INTERESTS: usize = 32;
/// Tag-set sizes an index is padded to.
pub const SIZE_CLASSES: [usize; 4] = [8, 16, 32, 64];

/// `H(w)`: a keyword or interest digest.
pub type KeywordDigest = [u8; 32];
/// One 16-byte index tag.
pub type Tag = [u8; 16];
/// A hospital's on-chain identity (its 32-byte account id).
pub type HospitalId = [u8; 32];

type HmacSha256 = Hmac<Sha256>;

/// `k_h,e`: a hospital's search key for one key epoch. Zeroised on drop, never printed.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Zeroize, ZeroizeOnDrop)]
pub struct SearchKey([u8; 32]);

impl fmt::Debug for SearchKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SearchKey(<redacted>)")
    }
}

impl SearchKey {
    /// A fresh random key (on creation and on every rotation).
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        Self(key)
    }

    /// The key of `key_epoch` derived from secret material `ikm` (at least 32 bytes of entropy):
    /// a hospital's node derives its search keys from its account key, and rotating to a new key
    /// epoch needs no new secret to store.
    pub fn derive(ikm: &[u8], key_epoch: KeyEpoch) -> Self {
        let info = [
            b"medchain/search-key/".as_slice(),
            &key_epoch.get().to_le_bytes(),
        ]
        .concat();
        Self(crate::hash::expand(ikm, &info))
    }

    /// The key's bytes, to encrypt it to an authorised hospital.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// Rebuilds a key from bytes received in an authorisation.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// `tok_w = HMAC-SHA256(k, H(w))`, ready to key the per-index tag HMAC.
    fn token_mac(&self, digest: &KeywordDigest) -> HmacSha256 {
        let mut mac = keyed_hmac(&self.0);
        mac.update(digest);
        let mut token: [u8; 32] = mac.finalize().into_bytes().into();
        let keyed = keyed_hmac(&token);
        token.zeroize();
        keyed
    }
}

/// HMAC-SHA256 keyed with a 32-byte key. RFC 2104 zero-pads short keys to the 64-byte block,
/// which is exactly the block passed here.
fn keyed_hmac(key: &[u8; 32]) -> HmacSha256 {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mac = HmacSha256::new(&block.into());
    block.zeroize();
    mac
}

/// `Index = (h, e, n, tags)`: the public, searchable description of one record.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Index {
    /// The owning hospital.
    pub hospital: HospitalId,
    /// Which of the hospital's search keys built it.
    pub key_epoch: KeyEpoch,
    /// Per-record nonce.
    pub nonce: [u8; 16],
    /// Sorted tags, padded with random ones to a size class.
    pub tags: BoundedList<Tag, MAX_KEYWORDS>,
}

/// `IndexBuild(k_h,e, {H(w)})`.
pub fn build_index(
    key: &SearchKey,
    hospital: HospitalId,
    key_epoch: KeyEpoch,
    keywords: &[KeywordDigest],
    rng: &mut impl CryptoRngCore,
) -> Result<Index> {
    let mut keywords = keywords.to_vec();
    keywords.sort_unstable();
    keywords.dedup();
    let class = SIZE_CLASSES
        .into_iter()
        .find(|&class| class >= keywords.len())
        .filter(|_| !keywords.is_empty())
        .ok_or(Error::InvalidKeywordSet)?;
    let mut nonce = [0u8; 16];
    rng.fill_bytes(&mut nonce);
    let mut tags: Vec<Tag> = keywords
        .iter()
        .map(|w| tag(key.token_mac(w), &nonce))
        .collect();
    while tags.len() < class {
        let mut padding = [0u8; 16];
        rng.fill_bytes(&mut padding);
        tags.push(padding);
    }
    tags.sort_unstable();
    Ok(Index {
        hospital,
        key_epoch,
        nonce,
        tags: BoundedList::new(tags).map_err(|_| Error::InvalidKeywordSet)?,
    })
}

fn tag(mut keyed: HmacSha256, nonce: &[u8; 16]) -> Tag {
    keyed.update(nonce);
    let full = keyed.finalize().into_bytes();
    let mut tag = [0u8; 16];
    tag.copy_from_slice(&full[..16]);
    tag
}

/// `TrdGen(Q)`: what a doctor's client sends its hospital, the digests of its interests.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Trapdoor {
    /// `{H(q)}`, sorted and without duplicates.
    pub interests: BoundedList<KeywordDigest, MAX_INTERESTS>,
}

impl Trapdoor {
    /// A trapdoor for plain-text interests.
    pub fn new(interests: &[impl AsRef<str>]) -> Result<Self> {
        Self::from_digests(
            interests
                .iter()
                .map(|q| keyword_digest(q.as_ref()))
                .collect(),
        )
    }

    /// A trapdoor from digests (as received over RPC): deduplicated and bounded.
    pub fn from_digests(mut digests: Vec<KeywordDigest>) -> Result<Self> {
        digests.sort_unstable();
        digests.dedup();
        if digests.is_empty() {
            return Err(Error::InvalidKeywordSet);
        }
        let interests = BoundedList::new(digests).map_err(|_| Error::InvalidKeywordSet)?;
        Ok(Self { interests })
    }
}

/// A trapdoor keyed for one hospital's search key: `|Q|` HMAC key schedules done once, so each
/// index costs `|Q|` two-block HMACs and `|Q|` lookups.
#[derive(Clone)]
pub struct PreparedQuery {
    keyed: Vec<HmacSha256>,
}

impl fmt::Debug for PreparedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PreparedQuery({} interests, <redacted>)",
            self.keyed.len()
        )
    }
}

impl PreparedQuery {
    /// Prepares `trapdoor` against the key that built the indices to search.
    pub fn new(key: &SearchKey, trapdoor: &Trapdoor) -> Self {
        Self {
            keyed: trapdoor
                .interests
                .iter()
                .map(|q| key.token_mac(q))
                .collect(),
        }
    }

    /// Number of interests.
    pub fn len(&self) -> usize {
        self.keyed.len()
    }

    /// Whether there are no interests (never, for a query built from a [`Trapdoor`]).
    pub fn is_empty(&self) -> bool {
        self.keyed.is_empty()
    }

    /// `Match`: whether every interest is in `index` (`Q ⊆ W`); stops at the first miss.
    pub fn matches(&self, index: &Index) -> bool {
        self.keyed.iter().all(|keyed| contains(index, keyed))
    }

    /// How many of the interests are in `index`.
    pub fn matched_count(&self, index: &Index) -> usize {
        self.keyed
            .iter()
            .filter(|keyed| contains(index, keyed))
            .count()
    }
}

fn contains(index: &Index, keyed: &HmacSha256) -> bool {
    index
        .tags
        .binary_search(&tag(keyed.clone(), &index.nonce))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{collections::BTreeSet, string::String};
    use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};

    const HOSPITAL: HospitalId = [1; 32];

    fn digests(words: &[&str]) -> Vec<KeywordDigest> {
        words.iter().map(|w| keyword_digest(w)).collect()
    }

    #[test]
    fn derived_search_keys_are_reproducible_and_separate_epochs_and_secrets() {
        assert_eq!(
            SearchKey::derive(&[7; 64], KeyEpoch::new(3)),
            SearchKey::derive(&[7; 64], KeyEpoch::new(3))
        );
        assert_ne!(
            SearchKey::derive(&[7; 64], KeyEpoch::new(3)),
            SearchKey::derive(&[7; 64], KeyEpoch::new(4))
        );
        assert_ne!(
            SearchKey::derive(&[7; 64], KeyEpoch::new(3)),
            SearchKey::derive(&[8; 64], KeyEpoch::new(3))
        );
    }

    #[test]
    fn two_indices_of_the_same_keywords_differ() {
        let mut rng = StdRng::seed_from_u64(1);
        let key = SearchKey::generate(&mut rng);
        let words = digests(&["diabetes", "insulin"]);
        let a = build_index(&key, HOSPITAL, KeyEpoch::new(0), &words, &mut rng).unwrap();
        let b = build_index(&key, HOSPITAL, KeyEpoch::new(0), &words, &mut rng).unwrap();
        assert_ne!(a.nonce, b.nonce);
        assert!(a.tags.iter().all(|t| !b.tags.contains(t)));
    }

    #[test]
    fn indices_are_padded_to_size_classes() {
        let mut rng = StdRng::seed_from_u64(2);
        let key = SearchKey::generate(&mut rng);
        let sizes: Vec<usize> = [1usize, 8, 9, 33]
            .iter()
            .map(|&n| {
                let words: Vec<KeywordDigest> =
                    (0..n).map(|i| keyword_digest(&format!("w{i}"))).collect();
                build_index(&key, HOSPITAL, KeyEpoch::new(0), &words, &mut rng)
                    .unwrap()
                    .tags
                    .len()
            })
            .collect();
        assert_eq!(sizes, [8, 8, 16, 64]);
    }

    #[test]
    fn empty_and_oversize_keyword_sets_are_refused() {
        let mut rng = StdRng::seed_from_u64(3);
        let key = SearchKey::generate(&mut rng);
        assert_eq!(
            build_index(&key, HOSPITAL, KeyEpoch::new(0), &[], &mut rng),
            Err(Error::InvalidKeywordSet)
        );
        let many: Vec<KeywordDigest> = (0..=MAX_KEYWORDS)
            .map(|i| keyword_digest(&format!("w{i}")))
            .collect();
        assert_eq!(
            build_index(&key, HOSPITAL, KeyEpoch::new(0), &many, &mut rng),
            Err(Error::InvalidKeywordSet)
        );
        assert_eq!(Trapdoor::new(&[] as &[&str]), Err(Error::InvalidKeywordSet));
    }

    #[test]
    fn another_hospitals_key_or_epoch_matches_nothing() {
        let mut rng = StdRng::seed_from_u64(4);
        let key = SearchKey::generate(&mut rng);
        let rotated = SearchKey::generate(&mut rng);
        let index = build_index(
            &key,
            HOSPITAL,
            KeyEpoch::new(0),
            &digests(&["asthma"]),
            &mut rng,
        )
        .unwrap();
        let trapdoor = Trapdoor::new(&["asthma"]).unwrap();
        assert!(PreparedQuery::new(&key, &trapdoor).matches(&index));
        assert!(!PreparedQuery::new(&rotated, &trapdoor).matches(&index));
        assert_eq!(
            PreparedQuery::new(&rotated, &trapdoor).matched_count(&index),
            0
        );
    }

    #[test]
    fn interests_are_normalised_like_keywords() {
        let mut rng = StdRng::seed_from_u64(5);
        let key = SearchKey::generate(&mut rng);
        let index = build_index(
            &key,
            HOSPITAL,
            KeyEpoch::new(0),
            &digests(&["Asthma "]),
            &mut rng,
        )
        .unwrap();
        assert!(PreparedQuery::new(&key, &Trapdoor::new(&["  asthma"]).unwrap()).matches(&index));
    }

    #[test]
    fn match_is_exactly_subset_on_random_data() {
        let vocabulary: Vec<String> = (0..20).map(|i| format!("term{i}")).collect();
        let mut rng = StdRng::seed_from_u64(6);
        let key = SearchKey::generate(&mut rng);
        let records: Vec<(BTreeSet<usize>, Index)> = (0..200)
            .map(|_| {
                let n = rng.gen_range(1..=10);
                let set: BTreeSet<usize> =
                    (0..n).map(|_| rng.gen_range(0..vocabulary.len())).collect();
                let words: Vec<KeywordDigest> = set
                    .iter()
                    .map(|&i| keyword_digest(&vocabulary[i]))
                    .collect();
                let index =
                    build_index(&key, HOSPITAL, KeyEpoch::new(0), &words, &mut rng).unwrap();
                (set, index)
            })
            .collect();
        for _ in 0..50 {
            let q: BTreeSet<usize> = (0..rng.gen_range(1..=3))
                .map(|_| rng.gen_range(0..vocabulary.len()))
                .collect();
            let interests: Vec<&str> = q.iter().map(|&i| vocabulary[i].as_str()).collect();
            let query = PreparedQuery::new(&key, &Trapdoor::new(&interests).unwrap());
            for (set, index) in &records {
                assert_eq!(query.matches(index), q.is_subset(set));
                assert_eq!(query.matched_count(index), q.intersection(set).count());
            }
        }
    }

    #[test]
    fn search_key_is_not_printed() {
        let key = SearchKey::from_bytes([7; 32]);
        assert_eq!(format!("{key:?}"), "SearchKey(<redacted>)");
    }
}
