//! Match throughput: index checks per second for query sizes 1, 3, 5 and padded sizes 8, 16.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use medchain_crypto::{
    hash::keyword_digest,
    index::{build_index, Index, PreparedQuery, SearchKey, Trapdoor},
};
use medchain_types::KeyEpoch;

const INDICES: usize = 10_000;

fn indices(key: &SearchKey, keywords: &[String], rng: &mut StdRng) -> Vec<Index> {
    let digests: Vec<_> = keywords.iter().map(|w| keyword_digest(w)).collect();
    (0..INDICES)
        .map(|_| build_index(key, [0; 32], KeyEpoch::new(0), &digests, rng).unwrap())
        .collect()
}

fn matching(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(7);
    let key = SearchKey::generate(&mut rng);
    let mut group = c.benchmark_group("match");
    group.throughput(Throughput::Elements(INDICES as u64));
    for padded in [8usize, 16] {
        // Records whose keyword sets fill the class exactly (`padded - 1` keywords pad to it).
        let keywords: Vec<String> = (0..padded - 1).map(|i| format!("kw{i}")).collect();
        let hits = indices(&key, &keywords, &mut rng);
        let others: Vec<String> = (0..padded - 1).map(|i| format!("other{i}")).collect();
        let misses = indices(&key, &others, &mut rng);
        for q in [1usize, 3, 5] {
            let query = PreparedQuery::new(&key, &Trapdoor::new(&keywords[..q]).unwrap());
            assert!(hits.iter().all(|i| query.matches(i)));
            assert!(misses.iter().all(|i| !query.matches(i)));
            let label = format!("q{q}-padded{padded}");
            // Every index matches: all q tags are computed, the worst case.
            group.bench_with_input(BenchmarkId::new("all-match", &label), &hits, |b, hits| {
                b.iter(|| hits.iter().filter(|i| query.matches(i)).count())
            });
            // No index matches: the scan stops at the first missing interest, the usual case.
            group.bench_with_input(
                BenchmarkId::new("no-match", &label),
                &misses,
                |b, misses| b.iter(|| misses.iter().filter(|i| query.matches(i)).count()),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
