//! One search over 100,000 in-memory indices of four hospitals (the target: < 1 s over
//! RPC; this is the engine's share of it).

use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use criterion::{criterion_group, criterion_main, Criterion};
use medchain_crypto::{
    hash::keyword_digest,
    index::{build_index, SearchKey, Trapdoor},
};
use medchain_search::{Keyring, SearchEngine};
use medchain_types::{KeyEpoch, RecordId};

const RECORDS: u64 = 100_000;
const HOSPITALS: u8 = 4;

fn search(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(3);
    let vocabulary: Vec<[u8; 32]> = (0..200)
        .map(|i| keyword_digest(&format!("term{i}")))
        .collect();
    let mut keys = Keyring::default();
    let hospitals: Vec<([u8; 32], SearchKey)> = (0..HOSPITALS)
        .map(|h| ([h; 32], SearchKey::generate(&mut rng)))
        .collect();
    let mut engine = SearchEngine::default();
    for record in 0..RECORDS {
        let (hospital, key) = &hospitals[(record % u64::from(HOSPITALS)) as usize];
        let words: Vec<[u8; 32]> = (0..rng.gen_range(3..12))
            .map(|_| vocabulary[rng.gen_range(0..200)])
            .collect();
        engine.insert(
            RecordId::new(record),
            build_index(key, *hospital, KeyEpoch::new(0), &words, &mut rng).unwrap(),
        );
    }
    for (hospital, key) in hospitals.iter() {
        keys.insert(
            *hospital,
            KeyEpoch::new(0),
            SearchKey::from_bytes(*key.expose()),
        );
    }
    let searchable: Vec<[u8; 32]> = hospitals.iter().map(|(h, _)| *h).collect();
    let trapdoor = Trapdoor::new(&["term1", "term2", "term3"]).unwrap();
    c.bench_function("search/100k-indices/3-interests", |b| {
        b.iter(|| engine.search(&trapdoor, &searchable, &keys))
    });
}

criterion_group!(benches, search);
criterion_main!(benches);
