//! A hospital node's payload store under faults, on the four-hospital network:
//!
//! - hospital 1's node is killed (SIGKILL) while a 6 MiB upload is in flight: the operator's
//!   `check-payloads` finds no partial payload, only whole ones, and the restarted node serves
//!   its old payloads;
//! - a stored payload is then damaged on disk: `check-payloads` names it, the node refuses to
//!   serve it to its own doctor, and hospital 2's node, fetching it over the transfer protocol,
//!   detects the mismatch with the on-chain hash.

use codec::Encode;
use medchain_client::{services::sign, RpcError};
use medchain_crypto::{abe::EncryptionTables, hash::sha256, seeded_rng};
use medchain_integration_tests::{
    network::{running_founders, Node},
    rpc::{answer, block_on},
    services,
    tx::{self, account},
    wait_for,
};
use medchain_rpc_api::{FetchPayload, Upload};
use medchain_runtime::{genesis::dev_kgc, pallet_records, Runtime};
use medchain_types::{CompressedG1, Epoch, RecordId};
use polkadot_sdk::{
    sp_core::{sr25519, Pair},
    sp_keyring::Sr25519Keyring,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const POLICY: &str = "cardiology and consultant";

type Record = pallet_records::Record<Runtime>;

/// A stored chunk: its key and its bytes.
type Chunk = (Box<[u8]>, Box<[u8]>);

/// Flips the first byte of every stored chunk of `node`'s (stopped) payload store.
fn damage_every_chunk(node: &Node) {
    let path = node.base_path().join("medchain").join("blobs");
    let families = ["meta", "chunks", "uploads"];
    let db = rocksdb::DB::open_cf(&rocksdb::Options::default(), path, families)
        .expect("the store opens");
    let chunks = db.cf_handle("chunks").expect("the chunks column family");
    let entries: Vec<Chunk> = db
        .iterator_cf(chunks, rocksdb::IteratorMode::Start)
        .collect::<Result<_, _>>()
        .expect("the chunks read");
    assert!(!entries.is_empty(), "there are chunks to damage");
    for (key, value) in entries {
        let mut damaged = value.to_vec();
        damaged[0] ^= 0xff;
        db.put_cf(chunks, key, damaged)
            .expect("the chunk is rewritten");
    }
}

/// Fetches `record`'s payload through `node` as `doctor`.
fn fetch(node: &Node, doctor: &sr25519::Pair, record: RecordId) -> Result<Vec<u8>, RpcError> {
    block_on(node.rpc.client().request(doctor, FetchPayload { record })).map(|payload| payload.0)
}

#[test]
fn a_killed_node_keeps_only_whole_payloads_and_a_damaged_one_is_never_served() {
    let mut nodes = running_founders(TIMEOUT);
    let (alice, bob) = (Sr25519Keyring::Alice.pair(), Sr25519Keyring::Bob.pair());
    let alices_doctor =
        sr25519::Pair::from_string("//Alice//doctor//cardiology", None).expect("seed");
    let bobs_doctor = sr25519::Pair::from_string("//Bob//doctor//cardiology", None).expect("seed");
    let patient = sr25519::Pair::from_string("//patient//store", None).expect("seed");
    let mut rng = seeded_rng(*b"medchain/tests/payload-store!!!!");
    let tables = EncryptionTables::new(&dev_kgc::setup().0);

    // Each hospital has a doctor; hospital 1 authorises hospital 2.
    for (node, hospital, doctor) in [(0, &alice, &alices_doctor), (1, &bob, &bobs_doctor)] {
        tx::add_doctor(&nodes[node].rpc, hospital, doctor);
    }
    tx::authorize(&nodes[0].rpc, &alice, &bob, &mut rng);

    // A first payload is stored and served.
    let old = services::upload(
        &nodes[0].rpc,
        &patient,
        &tables,
        (POLICY, Epoch::new(0)),
        &["cardiology"],
        b"echo 2026-11-20: EF 38%",
        &mut rng,
    )
    .expect("hospital 1 takes the upload")
    .sealed
    .encode();
    let record = wait_for("the first record to be final", TIMEOUT, || {
        let page: Vec<(RecordId, Record)> = answer(
            nodes[0]
                .rpc
                .at(Some(nodes[0].rpc.finalized_head()))
                .records_of(&account(&alice), 0u64, 1u32),
        );
        page.first().map(|(id, _)| *id)
    });
    wait_for("hospital 1 to serve its doctor", TIMEOUT, || {
        fetch(&nodes[0], &alices_doctor, record).ok()
    });

    // An upload whose publication fails on-chain (its patient key is no key) leaves no payload.
    let (mut unpublishable, _, failed) = services::seal_upload(
        &patient,
        &tables,
        (POLICY, Epoch::new(0)),
        &["cardiology"],
        b"never published",
        &mut rng,
    );
    unpublishable.patient_key = CompressedG1::from_bytes([0; 48]);
    let refused = services::call(&nodes[0].rpc, &patient, unpublishable)
        .expect_err("the runtime refuses an invalid patient key");
    assert!(refused.contains("not published"), "{refused}");
    let failed = sha256(&failed.encode());

    // Hospital 1's node is killed while a 6 MiB upload is in flight.
    let (request, _, big) = services::seal_upload(
        &patient,
        &tables,
        (POLICY, Epoch::new(0)),
        &["cardiology", "mri"],
        &vec![0x5a; 6 << 20],
        &mut rng,
    );
    let big = sha256(&big.encode());
    let audience = block_on(nodes[0].rpc.client().audience()).expect("hospital 1's node");
    let signed = sign(&patient, &audience, request);
    // A request served before the node stops...
    let served = sign(&alices_doctor, &audience, FetchPayload { record });
    block_on(nodes[0].rpc.client().send::<FetchPayload>(served.clone())).expect("served");
    let rpc = nodes[0].rpc.clone();
    let in_flight = std::thread::spawn(move || block_on(rpc.client().send::<Upload>(signed)));
    std::thread::sleep(Duration::from_millis(150));
    nodes[0].kill();
    let _ = in_flight.join().expect("the uploading thread ends");

    // Only whole payloads are in the store: the old one, and the new one only if it was finished.
    let (intact, report) = nodes[0].check_payloads();
    assert!(intact, "{report}");
    assert!(report.contains("0 damaged"), "{report}");
    assert!(report.contains(&hex::encode(sha256(&old))), "{report}");
    assert!(!report.contains(&hex::encode(failed)), "{report}");
    let count = if report.contains(&hex::encode(big)) {
        2
    } else {
        1
    };
    assert!(report.contains(&format!("{count} payload(s)")), "{report}");

    // Restarted, it serves its old payload, but not again a request it served before it stopped.
    nodes[0].restart();
    let refetched = wait_for("the restarted node to serve", TIMEOUT, || {
        fetch(&nodes[0], &alices_doctor, record).ok()
    });
    assert_eq!(refetched, old);
    let replayed = block_on(nodes[0].rpc.client().send::<FetchPayload>(served))
        .expect_err("a request served before the restart is not served again")
        .to_string();
    assert!(replayed.contains("before this node started"), "{replayed}");

    // A stored payload damaged on disk is named by the check and never served.
    nodes[0].kill();
    damage_every_chunk(&nodes[0]);
    let (intact, report) = nodes[0].check_payloads();
    assert!(!intact, "{report}");
    assert!(
        report.contains(&format!("DAMAGED   {}", hex::encode(sha256(&old)))),
        "{report}"
    );
    nodes[0].restart();
    let refused = wait_for("the restarted node to answer", TIMEOUT, || {
        match fetch(&nodes[0], &alices_doctor, record) {
            // No JSON-RPC error object: the node is not answering yet.
            Err(e) if e.code().is_none() => None,
            answer => Some(answer),
        }
    })
    .expect_err("a damaged payload is not served")
    .to_string();
    assert!(refused.contains("corrupted"), "{refused}");
    let refused = fetch(&nodes[1], &bobs_doctor, record)
        .expect_err("hospital 2 does not accept a payload that fails the on-chain hash")
        .to_string();
    assert!(refused.to_lowercase().contains("hash"), "{refused}");
}
