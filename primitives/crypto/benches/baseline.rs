//! The `rabe` crate's AC17 and BSW CP-ABE on the same AND policies as `abe.rs`, in the same run,
//! so the ratio to our scheme is measured rather than quoted. (rabe runs on BN254 and has no
//! revocation or server-aided step; BSW's attribute hashing is forgeable: baseline only. Its
//! LSSS builder takes binary `and`s only, so the policies are nested.)

mod common;

use common::{and_policy, attributes, rng, Kgc, EPOCH};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use medchain_crypto::{abe, aead};
use rabe::{
    schemes::{ac17, bsw},
    utils::policy::pest::PolicyLanguage,
};

const POLICY_SIZES: [usize; 5] = [1, 5, 10, 20, 50];
const PLAINTEXT: [u8; 32] = [7; 32];

/// The same AND policy in rabe's human policy language, which takes binary `and`s only.
fn rabe_policy(n: usize) -> String {
    let mut attrs = attributes(n).into_iter().map(|a| format!("\"{a}\""));
    let first = attrs.next().unwrap_or_default();
    attrs.fold(first, |acc, a| format!("({acc} and {a})"))
}

fn side_by_side(c: &mut Criterion) {
    let kgc = Kgc::new(10);
    let updk = abe::upd_keygen(&kgc.pp, &kgc.keys, &kgc.msk, EPOCH, &[], &mut rng()).unwrap();
    let (ac17_pk, ac17_msk) = ac17::setup();
    let (bsw_pk, bsw_msk) = bsw::setup();
    let mut group = c.benchmark_group("baseline");
    group.sample_size(10);
    for n in POLICY_SIZES {
        let attrs = attributes(n);
        let attr_refs: Vec<&str> = attrs.iter().map(String::as_str).collect();
        let ours_policy = and_policy(n);
        let theirs_policy = rabe_policy(n);

        let (secret, sk) = kgc.doctor(1, &attrs);
        let tk = abe::tk_gen(&kgc.keys, &sk, &updk, &secret, &mut rng()).unwrap();
        let prepared = abe::PreparedTransformationKey::new(&tk).unwrap();
        let (capsule, key) = abe::encapsulate(&kgc.enc, &ours_policy, EPOCH, &mut rng()).unwrap();
        let sealed = aead::seal(&key, &capsule, &PLAINTEXT, &mut rng()).unwrap();
        group.bench_with_input(BenchmarkId::new("medchain/encrypt", n), &n, |b, _| {
            b.iter(|| {
                let (capsule, key) =
                    abe::encapsulate(&kgc.enc, &ours_policy, EPOCH, &mut rng()).unwrap();
                aead::seal(&key, &capsule, &PLAINTEXT, &mut rng()).unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("medchain/decrypt", n), &n, |b, _| {
            b.iter(|| {
                let semi = abe::pre_decrypt(&prepared, &capsule).unwrap();
                let key = abe::decrypt(&secret, &capsule, &semi).unwrap();
                aead::open(&key, &capsule, &sealed).unwrap()
            })
        });

        let ac17_sk = ac17::cp_keygen(&ac17_msk, &attr_refs).unwrap();
        let ac17_ct = ac17::cp_encrypt(
            &ac17_pk,
            &theirs_policy,
            &PLAINTEXT,
            PolicyLanguage::HumanPolicy,
        )
        .unwrap();
        group.bench_with_input(BenchmarkId::new("rabe-ac17/encrypt", n), &n, |b, _| {
            b.iter(|| {
                ac17::cp_encrypt(
                    &ac17_pk,
                    &theirs_policy,
                    &PLAINTEXT,
                    PolicyLanguage::HumanPolicy,
                )
                .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("rabe-ac17/decrypt", n), &n, |b, _| {
            b.iter(|| ac17::cp_decrypt(&ac17_sk, &ac17_ct).unwrap())
        });

        let bsw_sk = bsw::keygen(&bsw_pk, &bsw_msk, &attr_refs).unwrap();
        let bsw_ct = bsw::encrypt(
            &bsw_pk,
            &theirs_policy,
            PolicyLanguage::HumanPolicy,
            &PLAINTEXT,
        )
        .unwrap();
        group.bench_with_input(BenchmarkId::new("rabe-bsw/encrypt", n), &n, |b, _| {
            b.iter(|| {
                bsw::encrypt(
                    &bsw_pk,
                    &theirs_policy,
                    PolicyLanguage::HumanPolicy,
                    &PLAINTEXT,
                )
                .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("rabe-bsw/decrypt", n), &n, |b, _| {
            b.iter(|| bsw::decrypt(&bsw_sk, &bsw_ct).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, side_by_side);
criterion_main!(benches);
