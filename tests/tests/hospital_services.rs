//! The `medchain_` JSON-RPC methods of hospitals' nodes on the four-hospital network: a patient
//! uploads at hospital 1, which authorises hospital 2; hospital 2's doctor, whose attribute key
//! the KGC delivered to hospital 2, finds the record and opens it through pre-decryption, which
//! hospital 2 logs on-chain, and fetches the payload from hospital 1's node over the transfer
//! protocol. And every refusal: an unauthorised hospital finds nothing, another
//! hospital's node serves no foreign doctor, a request is served once, a malformed one is an
//! error that leaves the node running, only the KGC delivers keys, a revoked doctor is refused.

use codec::{Decode, Encode};
use medchain_crypto::{
    abe::{self, EncryptionTables, KeyTables, SemiCt},
    aead,
    hash::keyword_digest,
    seeded_rng,
};
use medchain_integration_tests::{
    chain::bytes,
    network::{running_founders, Node},
    services::{self, signed},
    tx::{self, account, submit_accepted},
    wait_for,
};
use medchain_rpc_api::{AttributeKeyDelivery, Hit, RecordRequest, Search};
use medchain_runtime::{
    genesis::dev_kgc, pallet_hospitals, pallet_kgc, pallet_records, pallet_results, Runtime,
    RuntimeCall,
};
use polkadot_sdk::{
    sp_core::{sr25519, Pair},
    sp_keyring::Sr25519Keyring,
};
use serde_json::{json, Value};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const POLICY: &str = "cardiology and consultant";
const PAYLOAD: &[u8] = b"Holter 24h: paroxysmal AF, longest episode 3h12m";

type Record = pallet_records::Record<Runtime>;

/// Calls `medchain_<method>` on `node` as `signer`.
fn call<T: Encode + Decode>(
    node: &Node,
    signer: &sr25519::Pair,
    method: &str,
    body: T,
) -> Result<Value, String> {
    services::call(&node.rpc, signer, method, body)
}

#[test]
fn doctors_search_and_open_records_through_their_hospitals_node_and_nothing_else() {
    let nodes = running_founders(TIMEOUT);
    let (node1, node2, node3) = (&nodes[0], &nodes[1], &nodes[2]);
    let (alice, bob, charlie) = (
        Sr25519Keyring::Alice.pair(),
        Sr25519Keyring::Bob.pair(),
        Sr25519Keyring::Charlie.pair(),
    );
    let kgc = Sr25519Keyring::Ferdie.pair();
    let doctor = sr25519::Pair::from_string("//Bob//doctor//cardiology", None).expect("seed");
    let outsider = sr25519::Pair::from_string("//Charlie//doctor//cardiology", None).expect("seed");
    let patient = sr25519::Pair::from_string("//patient//1", None).expect("seed");
    let mut rng = seeded_rng(*b"medchain/tests/hospital-services");
    let (pp, msk) = dev_kgc::setup();

    // Hospitals 2 and 3 register a cardiologist each; hospital 1 authorises hospital 2 with its
    // search key sealed to hospital 2's registered key.
    tx::add_doctor(&node2.rpc, &bob, &doctor);
    tx::add_doctor(&node3.rpc, &charlie, &outsider);
    tx::authorize(&node1.rpc, &alice, &bob, &mut rng);
    wait_for("both doctors registered", TIMEOUT, || {
        let at = node1.rpc.finalized_head();
        let d2: bool = node1.rpc.runtime_call(
            "HospitalsApi_is_doctor_of",
            (account(&doctor), account(&bob)),
            at,
        );
        let d3: bool = node1.rpc.runtime_call(
            "HospitalsApi_is_doctor_of",
            (account(&outsider), account(&charlie)),
            at,
        );
        (d2 && d3).then_some(())
    });

    // The KGC gives the cardiologist a leaf and an attribute key, delivered to hospital 2.
    submit_accepted(
        &node1.rpc,
        &kgc,
        RuntimeCall::Kgc(pallet_kgc::Call::assign_leaf {
            doctor: account(&doctor),
        }),
    );
    let leaf = wait_for("the doctor's leaf", TIMEOUT, || {
        let status: Option<(u64, Option<u64>)> = node2.rpc.runtime_call(
            "KgcApi_doctor_status",
            account(&doctor),
            node2.rpc.best_head(),
        );
        status.map(|(leaf, _)| leaf)
    });
    let (beta, doctor_public) = abe::user_keygen(&mut rng);
    let tables = KeyTables::new(&pp);
    let attribute_key = abe::att_keygen(
        &pp,
        &tables,
        &msk,
        leaf,
        &doctor_public,
        &["cardiology", "consultant"],
        &mut rng,
    )
    .expect("the KGC issues the key");
    let delivery = AttributeKeyDelivery {
        doctor: account(&doctor),
        key: attribute_key.encode(),
    };
    let refused = call(node2, &alice, "importAttributeKey", delivery.clone())
        .expect_err("only the KGC delivers attribute keys");
    assert!(refused.contains("only the KGC"), "{refused}");
    call(node2, &kgc, "importAttributeKey", delivery).expect("hospital 2 keeps the key");

    // The patient's client seals the record under the current epoch and uploads it to hospital 1.
    let uploaded = services::upload(
        &node1.rpc,
        &patient,
        &EncryptionTables::new(&pp),
        (POLICY, 0),
        &["cardiology", "arrhythmia", "holter"],
        PAYLOAD,
        &mut rng,
    )
    .expect("hospital 1 takes the upload");
    let (capsule, sealed) = (uploaded.capsule, uploaded.sealed);
    assert_eq!(
        uploaded.receipt.payload_hash.0,
        medchain_crypto::hash::sha256(&sealed.encode())
    );
    let record = wait_for("the record to be final", TIMEOUT, || {
        let page: Vec<(u64, Record)> = node1.rpc.runtime_call(
            "RecordsApi_records_of",
            (account(&alice), 0u64, 10u32),
            node1.rpc.finalized_head(),
        );
        page.first().map(|(id, _)| *id)
    });

    // Hospital 2's doctor finds it with two of their interests; hospital 3's finds nothing.
    let interests = Search {
        interests: ["arrhythmia", "cardiology"].map(keyword_digest).to_vec(),
    };
    let hits: Vec<Hit> = wait_for("hospital 2's node to see the record", TIMEOUT, || {
        let hits: Vec<Hit> = serde_json::from_value(
            call(node2, &doctor, "search", interests.clone()).expect("search runs"),
        )
        .expect("hits");
        (!hits.is_empty()).then_some(hits)
    });
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].record, &hits[0].hospital, hits[0].matched),
        (record, &account(&alice), 2)
    );
    let nothing: Vec<Hit> = serde_json::from_value(
        call(node3, &outsider, "search", interests.clone()).expect("search runs"),
    )
    .expect("hits");
    assert!(
        nothing.is_empty(),
        "hospital 3 is not authorised: {nothing:?}"
    );
    let foreign = call(node1, &doctor, "search", interests.clone())
        .expect_err("hospital 1's node serves only its own doctors");
    assert!(
        foreign.contains("not a doctor of this hospital"),
        "{foreign}"
    );

    // Pre-decryption at hospital 2, finished with the doctor's own secret, opens the payload.
    let semi = bytes(
        &call(node2, &doctor, "preDecrypt", RecordRequest { record })
            .expect("hospital 2 pre-decrypts for its doctor"),
    );
    let semi = SemiCt::decode(&mut &semi[..]).expect("SemiCT");
    let key = abe::decrypt(&beta, &semi).expect("the doctor finishes");
    assert_eq!(aead::open(&key, &capsule, &sealed).expect("opens"), PAYLOAD);

    // The payload moves from hospital 1's node to hospital 2's over the transfer protocol, hash
    // checked; hospital 3's doctor is refused it.
    let fetched = bytes(
        &call(node2, &doctor, "fetchPayload", RecordRequest { record })
            .expect("hospital 2 fetches the payload from hospital 1"),
    );
    assert_eq!(fetched, sealed.encode());
    let refused = call(node3, &outsider, "fetchPayload", RecordRequest { record })
        .expect_err("hospital 3 is not authorised");
    assert!(refused.contains("does not authorise"), "{refused}");

    // The access is on-chain, logged by hospital 2.
    let logged = wait_for("the access log", TIMEOUT, || {
        let at = node3.rpc.finalized_head();
        node3
            .rpc
            .accesses(1, at)
            .into_iter()
            .find(|a| a.record == record)
    });
    assert_eq!(
        (logged.hospital, logged.doctor, logged.kind),
        (
            account(&bob),
            account(&doctor),
            pallet_results::AccessKind::PreDecryption
        )
    );

    // A request is served once; a malformed one is an error and the node keeps serving.
    let once = signed(&doctor, "search", interests.clone());
    node2
        .rpc
        .call("medchain_search", once.clone())
        .expect("first time");
    let replayed = format!(
        "{:?}",
        node2
            .rpc
            .call("medchain_search", once)
            .expect_err("a replay is refused")
    );
    assert!(replayed.contains("replay"), "{replayed}");
    let malformed = format!(
        "{:?}",
        node2
            .rpc
            .call("medchain_preDecrypt", json!(["0x0102"]))
            .expect_err("refused")
    );
    assert!(malformed.contains("does not decode"), "{malformed}");
    call(node2, &doctor, "search", interests).expect("the node still serves");

    // Once the KGC revokes the doctor, hospital 2 refuses to pre-decrypt for them.
    let epoch: u64 = node1
        .rpc
        .runtime_call("KgcApi_current_epoch", (), node1.rpc.best_head());
    submit_accepted(
        &node1.rpc,
        &kgc,
        RuntimeCall::Kgc(pallet_kgc::Call::revoke {
            doctor: account(&doctor),
            epoch,
        }),
    );
    let refusal = wait_for("the revocation to reach hospital 2", TIMEOUT, || {
        call(node2, &doctor, "preDecrypt", RecordRequest { record }).err()
    });
    assert!(refusal.contains("revoked"), "{refusal}");

    // Once hospital 1 withdraws its authorisation, hospital 2 serves its doctors no more of
    // hospital 1's records.
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Hospitals(pallet_hospitals::Call::withdraw { to: account(&bob) }),
    );
    let refusal = wait_for("the withdrawal to reach hospital 2", TIMEOUT, || {
        call(node2, &doctor, "fetchPayload", RecordRequest { record }).err()
    });
    assert!(refusal.contains("does not authorise"), "{refusal}");
}
