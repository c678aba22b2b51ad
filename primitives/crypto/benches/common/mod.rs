//! Shared set-up for the benchmarks: one KGC, doctors, AND policies of a given size.

#![allow(dead_code)] // each bench binary uses a different part

use ark_std::rand::{rngs::StdRng, seq::SliceRandom, SeedableRng};
use medchain_crypto::{
    abe::{
        self, AttributeKey, DoctorSecretKey, EncryptionTables, KeyTables, MasterSecretKey,
        PublicParams,
    },
    tree::{Epoch, LeafIndex, Revocation},
};

/// The epoch every benchmarked capsule, update key and transformation key is made for.
pub const EPOCH: Epoch = Epoch::new(1);

pub fn rng() -> StdRng {
    StdRng::seed_from_u64(0x6d65_6463_6861_696e)
}

pub struct Kgc {
    pub pp: PublicParams,
    pub msk: MasterSecretKey,
    pub enc: EncryptionTables,
    pub keys: KeyTables,
}

impl Kgc {
    pub fn new(depth: u8) -> Self {
        let (pp, msk) = abe::setup(depth, &mut rng()).expect("valid depth");
        Self {
            enc: EncryptionTables::new(&pp),
            keys: KeyTables::new(&pp),
            pp,
            msk,
        }
    }

    /// A doctor on `leaf`: their secrets and the attribute key the KGC issues them.
    pub fn doctor(&self, leaf: u64, attributes: &[String]) -> (DoctorSecretKey, AttributeKey) {
        let mut rng = rng();
        let (secret, _) = abe::doctor_setup(&mut rng);
        let leaf = LeafIndex::new(leaf);
        let sk = abe::keygen(&self.pp, &self.keys, &self.msk, leaf, attributes, &mut rng)
            .expect("leaf in the tree");
        (secret, sk)
    }
}

/// `n` attributes `attr0 .. attr(n-1)`.
pub fn attributes(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("attr{i}")).collect()
}

/// `attr0 and attr1 and ...`: every row is needed, the worst case for decryption.
pub fn and_policy(n: usize) -> String {
    attributes(n).join(" and ")
}

/// A revocation list of `len` distinct random leaves (all leaves if the tree is smaller), none of
/// them leaf 0, which the benchmarked doctor holds.
pub fn revocation_list(depth: u8, len: usize) -> Vec<Revocation> {
    let leaves = 1u64 << depth;
    let mut candidates: Vec<u64> = if leaves <= 1 << 16 {
        (1..leaves).collect()
    } else {
        let mut rng = rng();
        let mut set = std::collections::BTreeSet::new();
        while set.len() < len {
            set.insert(ark_std::rand::Rng::gen_range(&mut rng, 1..leaves));
        }
        set.into_iter().collect()
    };
    candidates.shuffle(&mut rng());
    candidates.truncate(len);
    candidates
        .into_iter()
        .map(|leaf| Revocation {
            leaf: LeafIndex::new(leaf),
            epoch: EPOCH,
        })
        .collect()
}
