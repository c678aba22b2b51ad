//! Search-speed load: fills a development chain with `--records` keyword indices published by
//! hospital Alice in `utility.batch_all` transactions (as an archive import would), waits until
//! they are final and in the node's search view, then times `medchain_search` over JSON-RPC.
//!
//! Run by `scripts/search-bench.sh`, which starts the node; by hand:
//! `medchain-node --dev --tmp --rpc-port 9944` then
//! `cargo run --release -p medchain-integration-tests --example search_load -- 9944 100000`.
//!
//! Every record gets three to six keywords from a 2,000-word vocabulary (so a common keyword is
//! in about one record in 450), and one record in a thousand also gets the rare keyword
//! `"benchmark-rare"`, so a search for it has known hits.

use codec::Encode;
use medchain_crypto::{
    abe::{self, EncryptionTables},
    elgamal,
    hash::keyword_digest,
    index::{build_index, KeywordDigest},
    seeded_rng, CryptoRngCore,
};
use medchain_integration_tests::{
    rpc::{answer, Rpc},
    services,
    tx::{account, submit_accepted},
    wait_for,
};
use medchain_rpc_api::{Hit, Search};
use medchain_runtime::{
    genesis::dev_kgc, hospital_keys, pallet_hospitals, pallet_records, transaction, Hash,
    RuntimeCall,
};
use medchain_types::{Epoch, KeyEpoch};
use polkadot_sdk::{
    pallet_utility,
    sp_core::{sr25519, Pair},
    sp_keyring::Sr25519Keyring,
};
use std::time::{Duration, Instant};

/// Records per `batch_all`: about 0.15 s of weight, inside one member's share of a block (a
/// quarter of its 0.75 s of normal-class weight).
const BATCH: usize = 250;
/// Transactions one account may have waiting (`MaxPendingPerAccount`), counted from its
/// on-chain nonce.
const MAX_PENDING: u32 = 16;
const VOCABULARY: usize = 2_000;
const RARE: &str = "benchmark-rare";
const SEARCHES: usize = 20;

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|a| a.parse().ok()).unwrap_or(9944);
    let records: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let rpc = Rpc::new(port);
    let alice = Sr25519Keyring::Alice.pair();
    let doctor = sr25519::Pair::from_string("//Alice//doctor//bench", None).expect("seed");
    let mut rng = seeded_rng(*b"medchain/bench/search-load/seed!");

    wait_for("the node", Duration::from_secs(60), || {
        rpc.block_number(None)
    });
    submit_accepted(
        &rpc,
        &alice,
        RuntimeCall::Hospitals(pallet_hospitals::Call::add_doctor {
            doctor: account(&doctor),
        }),
    );

    let started = Instant::now();
    publish(&rpc, &alice, records, &mut rng);
    eprintln!(
        "published {records} records in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let rare = Search {
        interests: vec![keyword_digest(RARE)],
    };
    let expected = records.div_ceil(1_000);
    wait_for(
        "the search view to hold every record",
        Duration::from_secs(600),
        || {
            let hits = search(&rpc, &doctor, &rare).ok()?;
            (hits.len() == expected).then_some(())
        },
    );

    let common = Search {
        interests: vec![keyword_digest("w1")],
    };
    for (name, query) in [("rare keyword", &rare), ("one common keyword", &common)] {
        let mut times: Vec<Duration> = (0..SEARCHES)
            .map(|_| {
                let start = Instant::now();
                let hits = search(&rpc, &doctor, query).expect("search runs");
                let elapsed = start.elapsed();
                eprintln!("{name}: {} hits in {elapsed:?}", hits.len());
                elapsed
            })
            .collect();
        times.sort();
        println!(
            "| {records} | {name} | {:.1} ms | {:.1} ms | {:.1} ms |",
            ms(times[0]),
            ms(times[SEARCHES / 2]),
            ms(times[SEARCHES - 1])
        );
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn search(rpc: &Rpc, doctor: &sr25519::Pair, query: &Search) -> Result<Vec<Hit>, String> {
    services::call(rpc, doctor, query.clone())
}

/// Publishes `count` records as Alice, keeping the pool topped up with batches.
fn publish(rpc: &Rpc, alice: &sr25519::Pair, count: usize, rng: &mut impl CryptoRngCore) {
    let tables = EncryptionTables::new(&dev_kgc::setup().0);
    let (capsule, _) = abe::encapsulate(&tables, "cardiology and consultant", Epoch::new(0), rng)
        .expect("encrypts");
    let capsule = capsule.encode();
    let patient_key = elgamal::SecretKey::derive(b"bench patient")
        .public_key()
        .compress();
    let key = hospital_keys::search_key(alice, KeyEpoch::new(0));
    let genesis = rpc.genesis_hash();
    let mut nonce = answer(rpc.next_nonce(&account(alice)));
    let last = nonce + count.div_ceil(BATCH) as u32;
    let mut published = 0;
    while published < count {
        while nonce >= on_chain_nonce(rpc, alice, rpc.best_head()) + MAX_PENDING {
            std::thread::sleep(Duration::from_millis(500));
        }
        let calls = (published..count.min(published + BATCH))
            .map(|i| {
                let keywords = keywords(i, rng);
                let index = build_index(
                    &key,
                    account(alice).into(),
                    KeyEpoch::new(0),
                    &keywords,
                    rng,
                )
                .expect("indexable");
                RuntimeCall::Records(pallet_records::Call::publish_record {
                    index: index.encode(),
                    capsule: capsule.clone(),
                    payload_hash: medchain_crypto::hash::sha256(&(i as u64).to_le_bytes()),
                    payload_size: 1,
                    patient_key,
                })
            })
            .collect::<Vec<_>>();
        published += calls.len();
        let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls });
        let extrinsic = transaction::sign(alice, batch, nonce, genesis);
        answer(rpc.client().submit_extrinsic(extrinsic.encode()));
        nonce += 1;
        eprintln!("submitted {published}/{count}");
    }
    wait_for(
        "every batch to be final",
        Duration::from_secs(3_600),
        || (on_chain_nonce(rpc, alice, rpc.finalized_head()) >= last).then_some(()),
    );
}

/// `who`'s nonce in the state of block `at`: transactions included, not those in the pool.
fn on_chain_nonce(rpc: &Rpc, who: &sr25519::Pair, at: Hash) -> u32 {
    answer(rpc.at(Some(at)).account_nonce(&account(who)))
}

/// Three to six vocabulary keywords, plus the rare one for every thousandth record.
fn keywords(i: usize, rng: &mut impl CryptoRngCore) -> Vec<KeywordDigest> {
    let n = 3 + rng.next_u32() % 4;
    let mut words: Vec<String> = (0..n)
        .map(|_| format!("w{}", rng.next_u32() as usize % VOCABULARY))
        .collect();
    if i.is_multiple_of(1_000) {
        words.push(RARE.into());
    }
    words.sort();
    words.dedup();
    words.iter().map(|w| keyword_digest(w)).collect()
}
