//! The scheme's costs: key generation vs tree depth and revocation-list length, the doctor's
//! `TKGen` vs attributes and depth, and encryption / pre-decryption / decryption vs policy size.

mod common;

use common::{and_policy, attributes, revocation_list, rng, Kgc, EPOCH};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use medchain_crypto::{abe, aead, tree::LeafIndex};
use std::time::Duration;

const DEPTHS: [u8; 5] = [4, 8, 12, 16, 20];
const REVOCATIONS: [usize; 4] = [0, 10, 100, 1000];
const POLICY_SIZES: [usize; 5] = [1, 5, 10, 20, 50];
/// Attributes in a doctor's key for the `TKGen` table.
const TK_ATTRIBUTES: [usize; 4] = [1, 5, 10, 20];
/// Attributes in a doctor's key for the key-generation table.
const KEY_ATTRIBUTES: usize = 5;

fn key_generation(c: &mut Criterion) {
    for depth in DEPTHS {
        let kgc = Kgc::new(depth);
        let attrs = attributes(KEY_ATTRIBUTES);
        let mut group = c.benchmark_group(format!("keygen/depth-{depth}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(2));
        for revoked in REVOCATIONS {
            let rl = revocation_list(depth, revoked);
            group.bench_with_input(BenchmarkId::new("keygen", revoked), &(), |b, _| {
                b.iter(|| {
                    abe::keygen(
                        &kgc.pp,
                        &kgc.keys,
                        &kgc.msk,
                        LeafIndex::new(0),
                        &attrs,
                        &mut rng(),
                    )
                    .unwrap()
                })
            });
            group.bench_with_input(BenchmarkId::new("upd_keygen", revoked), &rl, |b, rl| {
                b.iter(|| {
                    abe::upd_keygen(&kgc.pp, &kgc.keys, &kgc.msk, EPOCH, rl, &mut rng()).unwrap()
                })
            });
        }
        group.finish();
    }
}

/// The doctor's once-per-epoch step: `9 + 4|A|` G2 exponentiations whatever the depth (only the
/// covering node's entry is used), plus finding that node on the path.
fn transformation_key(c: &mut Criterion) {
    for depth in [4, 20] {
        let kgc = Kgc::new(depth);
        let updk = abe::upd_keygen(
            &kgc.pp,
            &kgc.keys,
            &kgc.msk,
            EPOCH,
            &revocation_list(depth, 100),
            &mut rng(),
        )
        .unwrap();
        let mut group = c.benchmark_group(format!("tk_gen/depth-{depth}"));
        group.sample_size(10);
        for n in TK_ATTRIBUTES {
            let (secret, sk) = kgc.doctor(0, &attributes(n));
            group.bench_with_input(BenchmarkId::new("attributes", n), &n, |b, _| {
                b.iter(|| abe::tk_gen(&kgc.keys, &sk, &updk, &secret, &mut rng()).unwrap())
            });
        }
        group.finish();
    }
}

fn encryption_and_decryption(c: &mut Criterion) {
    let kgc = Kgc::new(10);
    let updk = abe::upd_keygen(&kgc.pp, &kgc.keys, &kgc.msk, EPOCH, &[], &mut rng()).unwrap();
    let mut group = c.benchmark_group("policy");
    group.sample_size(20);
    for n in POLICY_SIZES {
        let attrs = attributes(n);
        let policy = and_policy(n);
        let (secret, sk) = kgc.doctor(1, &attrs);
        let tk = abe::tk_gen(&kgc.keys, &sk, &updk, &secret, &mut rng()).unwrap();
        let prepared = abe::PreparedTransformationKey::new(&tk).unwrap();
        let (capsule, key) = abe::encapsulate(&kgc.enc, &policy, EPOCH, &mut rng()).unwrap();
        let sealed = aead::seal(&key, &capsule, &[0u8; 32], &mut rng()).unwrap();
        let semi = abe::pre_decrypt(&prepared, &capsule).unwrap();

        group.bench_with_input(BenchmarkId::new("encrypt", n), &policy, |b, policy| {
            b.iter(|| abe::encapsulate(&kgc.enc, policy, EPOCH, &mut rng()).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("prepare_tk", n), &tk, |b, tk| {
            b.iter(|| abe::PreparedTransformationKey::new(tk).unwrap())
        });
        group.bench_with_input(
            BenchmarkId::new("pre_decrypt", n),
            &capsule,
            |b, capsule| b.iter(|| abe::pre_decrypt(&prepared, capsule).unwrap()),
        );
        group.bench_with_input(BenchmarkId::new("decrypt", n), &semi, |b, semi| {
            b.iter(|| abe::decrypt(&secret, &capsule, semi).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("open_32B", n), &sealed, |b, sealed| {
            b.iter(|| aead::open(&key, &capsule, sealed).unwrap())
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    encryption_and_decryption,
    transformation_key,
    key_generation
);
criterion_main!(benches);
