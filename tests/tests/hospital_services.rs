//! The `medchain_` JSON-RPC methods of hospitals' nodes on the four-hospital network: a patient
//! uploads at hospital 1, which authorises hospital 2; hospital 2's doctor, whose attribute key
//! the KGC sealed to them and delivered through hospital 2, finds the record, registers the
//! epoch's transformation key and opens the record through pre-decryption, which hospital 2 logs
//! on-chain, and fetches the payload from hospital 1's node over the transfer protocol. Each
//! access is answered once its log entry is in a block, and hospital 1 logs the payload its node
//! served; hospital 2 keeps its copy apart, and deletes it when the record is withdrawn. And
//! every refusal: an unauthorised hospital finds nothing, another hospital's node serves no
//! foreign doctor, a request is served once, a malformed one is an error that leaves the node
//! running, only the KGC delivers keys, and a revoked doctor is refused by their hospital's node
//! for old records and by the cryptography for new ones (no transformation key can be made).

use codec::{Decode, Encode};
use medchain_client::{services::sign, Service};
use medchain_crypto::{
    abe::{self, EncryptionTables, KeyTables, SemiCt},
    aead,
    hash::keyword_digest,
    seeded_rng,
    tree::Revocation,
};
use medchain_integration_tests::{
    doctor_keys::{self, Kgc},
    network::{running_founders, Node},
    rpc::{answer, block_on},
    services,
    tx::{self, account, submit_accepted},
    wait_for,
};
use medchain_rpc_api::{AttributeKeyDelivery, FetchPayload, Hit, PreDecrypt, Search};
use medchain_runtime::{
    genesis::dev_kgc, pallet_hospitals, pallet_kgc, pallet_records, pallet_results, Runtime,
    RuntimeCall,
};
use medchain_types::{Epoch, LeafIndex, NodeId, RecordId};
use polkadot_sdk::{
    sp_core::{sr25519, Bytes, Pair},
    sp_keyring::Sr25519Keyring,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const POLICY: &str = "cardiology and consultant";
const PAYLOAD: &[u8] = b"Holter 24h: paroxysmal AF, longest episode 3h12m";

type Record = pallet_records::Record<Runtime>;

/// Sends `body` to its `medchain_` method on `node`, signed by `signer`.
fn call<S: Service>(node: &Node, signer: &sr25519::Pair, body: S) -> Result<S::Answer, String> {
    services::call(&node.rpc, signer, body)
}

#[test]
fn doctors_search_and_open_records_through_their_hospitals_node_and_nothing_else() {
    let mut nodes = running_founders(TIMEOUT);
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
        let d2: bool = answer(
            node1
                .rpc
                .at(Some(at))
                .is_doctor_of(&account(&doctor), &account(&bob)),
        );
        let d3: bool = answer(
            node1
                .rpc
                .at(Some(at))
                .is_doctor_of(&account(&outsider), &account(&charlie)),
        );
        (d2 && d3).then_some(())
    });

    // The cardiologist registers their key; the KGC issues their attribute key sealed to it and
    // delivers it through hospital 2, where the doctor fetches and opens it. A hospital cannot
    // pose as the KGC to hand its doctor a key of its own making.
    let kgc_keys = Kgc {
        account: &kgc,
        pp: &pp,
        msk: &msk,
    };
    let keys = doctor_keys::issue(
        &node2.rpc,
        &kgc_keys,
        &doctor,
        &["cardiology", "consultant"],
        TIMEOUT,
        &mut rng,
    );
    let forged = AttributeKeyDelivery {
        doctor: account(&doctor),
        sealed: Vec::new(),
    };
    let refused = call(node2, &bob, forged).expect_err("only the KGC delivers attribute keys");
    assert!(refused.contains("only the KGC"), "{refused}");

    // The patient's client seals the record under the current epoch and uploads it to hospital 1.
    let uploaded = services::upload(
        &node1.rpc,
        &patient,
        &EncryptionTables::new(&pp),
        (POLICY, Epoch::new(0)),
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
        let page: Vec<(RecordId, Record)> =
            answer(node1.rpc.at(Some(node1.rpc.finalized_head())).records_of(
                &account(&alice),
                0u64,
                10u32,
            ));
        page.first().map(|(id, _)| *id)
    });

    // Hospital 2's doctor finds it with two of their interests; hospital 3's finds nothing.
    let interests = Search {
        interests: ["arrhythmia", "cardiology"].map(keyword_digest).to_vec(),
    };
    let hits: Vec<Hit> = wait_for("hospital 2's node to see the record", TIMEOUT, || {
        let hits: Vec<Hit> = call(node2, &doctor, interests.clone()).expect("search runs");
        (!hits.is_empty()).then_some(hits)
    });
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].record, &hits[0].hospital, hits[0].matched),
        (record, &account(&alice), 2)
    );
    let nothing: Vec<Hit> = call(node3, &outsider, interests.clone()).expect("search runs");
    assert!(
        nothing.is_empty(),
        "hospital 3 is not authorised: {nothing:?}"
    );
    let foreign = call(node1, &doctor, interests.clone())
        .expect_err("hospital 1's node serves only its own doctors");
    assert!(
        foreign.contains("not a doctor of this hospital"),
        "{foreign}"
    );

    // Hospital 2 holds no transformation key of the doctor yet; once the doctor registers the
    // epoch's, pre-decryption there, finished with the doctor's own secret, opens the payload.
    let missing =
        call(node2, &doctor, PreDecrypt { record }).expect_err("no transformation key yet");
    assert!(missing.contains("no transformation key"), "{missing}");
    doctor_keys::register_transformation_key(
        &node2.rpc,
        &doctor,
        &keys,
        &pp,
        Epoch::new(0),
        &mut rng,
    )
    .expect("a doctor who is not revoked makes a transformation key");
    // A key claiming another leaf, or a node the epoch's update key does not cover there, is
    // refused: the node keeps only keys that fit the doctor's on-chain issuance.
    let epoch_0: Option<Vec<u8>> = answer(
        node2
            .rpc
            .at(Some(node2.rpc.finalized_head()))
            .update_key(Epoch::new(0)),
    );
    let epoch_0 = abe::UpdateKey::decode(&mut &epoch_0.expect("epoch 0's key")[..]).expect("key");
    let genuine = abe::tk_gen(
        &KeyTables::new(&pp),
        &keys.sk,
        &epoch_0,
        &keys.secret,
        &mut rng,
    )
    .expect("TK");
    for (forged, why) in [
        (
            abe::TransformationKey {
                leaf: LeafIndex::new(genuine.leaf.get() + 1),
                ..genuine.clone()
            },
            "holds leaf",
        ),
        (
            abe::TransformationKey {
                node: NodeId::new(genuine.node.get() * 2),
                ..genuine.clone()
            },
            "not where",
        ),
    ] {
        let refused = call(
            node2,
            &doctor,
            medchain_rpc_api::TransformationKeyUpload {
                key: forged.encode(),
            },
        )
        .expect_err("a key that does not fit the issuance is refused");
        assert!(refused.contains(why), "{refused}");
    }
    let semi = call(node2, &doctor, PreDecrypt { record })
        .expect("hospital 2 pre-decrypts for its doctor");
    let semi = SemiCt::decode(&mut &semi[..]).expect("SemiCT");
    let key = abe::decrypt(&keys.secret, &capsule, &semi).expect("the doctor finishes");
    assert_eq!(aead::open(&key, &capsule, &sealed).expect("opens"), PAYLOAD);

    // The payload moves from hospital 1's node to hospital 2's over the transfer protocol, hash
    // checked; hospital 3's doctor is refused it.
    let fetched = call(node2, &doctor, FetchPayload { record })
        .expect("hospital 2 fetches the payload from hospital 1");
    assert_eq!(fetched.0, sealed.encode());
    let refused =
        call(node3, &outsider, FetchPayload { record }).expect_err("hospital 3 is not authorised");
    assert!(refused.contains("does not authorise"), "{refused}");

    // Each access was answered once its log entry was in a block: hospital 2 logged both of
    // its doctor's, and hospital 1 the payload its node served hospital 2's.
    let logged = wait_for("the access log to be final", TIMEOUT, || {
        let at = node3.rpc.finalized_head();
        let logged = node3.rpc.accesses(1, at);
        (logged.len() == 3).then_some(logged)
    });
    let to_doctor = |kind| {
        (
            account(&bob),
            pallet_results::Access::ToDoctor {
                record,
                doctor: account(&doctor),
                kind,
            },
        )
    };
    for expected in [
        to_doctor(pallet_results::AccessKind::PreDecryption),
        to_doctor(pallet_results::AccessKind::PayloadFetch),
        (
            account(&alice),
            pallet_results::Access::ToNode {
                record,
                hospital: account(&bob),
            },
        ),
    ] {
        assert!(logged.contains(&expected), "{expected:?} in {logged:?}");
    }

    // A request is served once, by the node it names only; a malformed one is an error and the
    // node keeps serving.
    let client = node2.rpc.client();
    let audience = block_on(client.audience()).expect("hospital 2's node proves who it is");
    assert_eq!(audience.hospital, account(&bob));
    let once = sign(&doctor, &audience, interests.clone());
    block_on(client.send::<Search>(once.clone())).expect("first time");
    let elsewhere = block_on(node3.rpc.client().send::<Search>(once.clone()))
        .expect_err("a request captured on its way to hospital 2 is refused by hospital 3")
        .to_string();
    assert!(elsewhere.contains("another hospital's node"), "{elsewhere}");
    let replayed = block_on(client.send::<Search>(once))
        .expect_err("a replay is refused")
        .to_string();
    assert!(replayed.contains("replay"), "{replayed}");
    let malformed = block_on(client.send::<PreDecrypt>(Bytes(vec![1, 2])))
        .expect_err("refused")
        .to_string();
    assert!(malformed.contains("does not decode"), "{malformed}");
    call(node2, &doctor, interests).expect("the node still serves");

    // The KGC revokes the doctor from the next epoch, publishing its update key and making it
    // current in the same transaction. Hospital 2 then refuses the old record, and for a record
    // of the new epoch the doctor can make no transformation key at all.
    let now: Epoch = answer(node1.rpc.at(Some(node1.rpc.best_head())).current_epoch());
    let next = now.next().expect("far from the last epoch");
    let revocations = [Revocation {
        leaf: keys.sk.leaf,
        epoch: next,
    }];
    let update_key = abe::upd_keygen(
        &pp,
        &KeyTables::new(&pp),
        &msk,
        next,
        &revocations,
        &mut rng,
    )
    .expect("update key");
    submit_accepted(
        &node1.rpc,
        &kgc,
        RuntimeCall::Kgc(pallet_kgc::Call::revoke {
            doctor: account(&doctor),
            key: update_key.encode().try_into().expect("fits"),
            revocations: 1,
        }),
    );
    let refusal = wait_for("the revocation to reach hospital 2", TIMEOUT, || {
        call(node2, &doctor, PreDecrypt { record }).err()
    });
    assert!(refusal.contains("revoked"), "{refusal}");
    wait_for("the new epoch to be final", TIMEOUT, || {
        (answer(
            node2
                .rpc
                .at(Some(node2.rpc.finalized_head()))
                .current_epoch(),
        ) == next)
            .then_some(())
    });
    let refused =
        doctor_keys::register_transformation_key(&node2.rpc, &doctor, &keys, &pp, next, &mut rng)
            .expect_err("the update key covers none of a revoked doctor's nodes");
    assert!(refused.contains("revoked"), "{refused}");

    // Once hospital 1 withdraws its authorisation, hospital 2 serves its doctors no more of
    // hospital 1's records.
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Hospitals(pallet_hospitals::Call::withdraw { to: account(&bob) }),
    );
    let refusal = wait_for("the withdrawal to reach hospital 2", TIMEOUT, || {
        call(node2, &doctor, FetchPayload { record }).err()
    });
    assert!(refusal.contains("does not authorise"), "{refusal}");

    // Hospital 2's node keeps the copy it fetched for its doctor (apart from what it holds)...
    let payload = hex::encode(medchain_crypto::hash::sha256(&sealed.encode()));
    nodes[1].kill();
    let (intact, report) = nodes[1].check_payloads();
    assert!(intact && report.contains(&payload), "{report}");
    nodes[1].restart();
    // ... until the patient withdraws the record through hospital 1: then the holder deletes
    // the payload, and every other node its copy.
    submit_accepted(
        &nodes[0].rpc,
        &alice,
        RuntimeCall::Records(pallet_records::Call::withdraw_record { id: record }),
    );
    let rpc = &nodes[1].rpc;
    let withdrawn_at = wait_for("the withdrawal to be final at hospital 2", TIMEOUT, || {
        let at = rpc.finalized_head();
        let held: Option<Record> = answer(rpc.at(Some(at)).record(record));
        held.filter(|r| r.withdrawn)
            .and_then(|_| rpc.finalized_number())
    });
    // The nodes apply a finalised block just after it is final.
    wait_for("two more final blocks", TIMEOUT, || {
        (rpc.finalized_number()? >= withdrawn_at + 2).then_some(())
    });
    for node in &mut nodes[..2] {
        node.kill();
        let (intact, report) = node.check_payloads();
        assert!(intact && !report.contains(&payload), "{report}");
    }
}
