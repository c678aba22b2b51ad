//! A record's whole on-chain life on the four-hospital network, with real cryptography: hospital
//! 1 publishes it, authorises hospital 2, the KGC issues hospital 2's doctor a key sealed to the
//! key they registered and moves to the next epoch, the doctor's claim wins the consultation, hospital 2 logs the access, the doctor
//! reports to the patient and the patient disputes. Each step goes through one node; everything is
//! read back from node 3 after finality, and the doctor opens the record with what is on-chain.

use codec::{Decode, Encode};
use medchain_crypto::{
    abe::{self, Capsule, EncryptionTables, KeyTables, PreparedTransformationKey, UpdateKey},
    aead, elgamal,
    hash::{keyword_digest, sha256},
    index::{build_index, Index, PreparedQuery, SearchKey, Trapdoor},
    seeded_rng,
    tree::Revocation,
};
use medchain_integration_tests::rpc::answer;
use medchain_integration_tests::{
    doctor_keys,
    network::running_founders,
    rpc::Rpc,
    tx::{self, account, submit_accepted},
    wait_for,
};
use medchain_runtime::{
    genesis::dev_kgc, pallet_hospitals, pallet_kgc, pallet_records, pallet_results, AccountId,
    Hash, Runtime, RuntimeCall,
};
use medchain_types::{CompressedG1, Epoch, KeyEpoch, LeafIndex, RecordId, ReportId};
use polkadot_sdk::{
    sp_core::{sr25519, Pair},
    sp_keyring::Sr25519Keyring,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const POLICY: &str = "cardiology and (consultant or 2 of (resident, icu, night))";
const ATTRIBUTES: [&str; 2] = ["cardiology", "consultant"];
const PAYLOAD: &[u8] = b"ECG 2026-11-25: atrial fibrillation, rate 132; echo: EF 45%";
const REPORT: &[u8] = b"Start anticoagulation; rate control; review in 2 weeks.";

type Record = pallet_records::Record<Runtime>;
type Consultation = pallet_records::Consultation<Runtime>;
type Report = pallet_results::Report<Runtime>;

/// Waits until `probe` answers `Some` in the node's best block.
fn wait_best<T>(what: &str, rpc: &Rpc, probe: impl Fn(Hash) -> Option<T>) -> T {
    wait_for(what, TIMEOUT, || probe(rpc.best_head()))
}

#[test]
fn a_record_is_published_claimed_assigned_accessed_reported_and_disputed() {
    let nodes = running_founders(TIMEOUT);
    let (node1, node2, node3) = (&nodes[0], &nodes[1], &nodes[2]);
    let start = node1.rpc.block_number(None).expect("node 1 answers");

    let alice = Sr25519Keyring::Alice.pair();
    let bob = Sr25519Keyring::Bob.pair();
    let kgc = Sr25519Keyring::Ferdie.pair();
    let doctor = sr25519::Pair::from_string("//Bob//doctor//cardiology", None).expect("seed");
    let mut rng = seeded_rng(*b"medchain/tests/record-lifecycle!");

    // The KGC's Setup is the development one, whose `pp` the chain holds.
    let (pp, msk) = dev_kgc::setup();
    let genesis = node1.rpc.genesis_hash();
    let on_chain_pp: Vec<u8> = answer(node1.rpc.at(Some(genesis)).params());
    assert_eq!(on_chain_pp, pp.encode(), "genesis holds the development pp");

    // The patient's record at hospital 1: sealed payload, capsule and keyword index.
    let patient = elgamal::SecretKey::generate(&mut rng);
    let patient_key: CompressedG1 = patient.public_key().compress();
    let (capsule, payload_key) =
        abe::encapsulate(&EncryptionTables::new(&pp), POLICY, Epoch::new(0), &mut rng)
            .expect("encrypts");
    let sealed = aead::seal(&payload_key, &capsule, PAYLOAD, &mut rng).expect("seals");
    let payload_hash = sha256(&sealed.encode());
    let search_key = SearchKey::generate(&mut rng);
    let keywords = ["cardiology", "arrhythmia", "echocardiography"].map(keyword_digest);
    let index = build_index(
        &search_key,
        account(&alice).into(),
        KeyEpoch::new(0),
        &keywords,
        &mut rng,
    )
    .expect("indexes");

    // Hospital 1 publishes it, authorises hospital 2 and opens a consultation, in nonce order.
    let record = RecordId::new(0);
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Records(pallet_records::Call::publish_record {
            index: index.encode(),
            capsule: capsule.encode(),
            payload_hash,
            payload_size: sealed.encode().len() as u64,
            patient_key,
        }),
    );
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Hospitals(pallet_hospitals::Call::authorize {
            to: account(&bob),
            expires_at: 1_000_000,
            encrypted_search_key: search_key.expose().to_vec(),
        }),
    );
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Records(pallet_records::Call::open_consultation { record }),
    );
    // Hospital 2 registers its cardiologist.
    tx::add_doctor(&node2.rpc, &bob, &doctor);
    wait_best("the doctor and the consultation", &node1.rpc, |at| {
        let is_doctor: bool = answer(
            node1
                .rpc
                .at(Some(at))
                .is_doctor_of(&account(&doctor), &account(&bob)),
        );
        let consultation: Option<Consultation> =
            answer(node1.rpc.at(Some(at)).consultation(record));
        (is_doctor && consultation.is_some()).then_some(())
    });

    // The KGC issues the doctor's key on a fresh leaf, sealed to the key the doctor registered,
    // then moves the chain to epoch 1 with an honest update key.
    let keys = doctor_keys::issue(
        &node2.rpc,
        &doctor_keys::Kgc {
            account: &kgc,
            pp: &pp,
            msk: &msk,
        },
        &doctor,
        &ATTRIBUTES,
        TIMEOUT,
        &mut rng,
    );
    let tables = KeyTables::new(&pp);
    let next = abe::upd_keygen(
        &pp,
        &tables,
        &msk,
        Epoch::new(1),
        &[] as &[Revocation],
        &mut rng,
    )
    .expect("update key");
    submit_accepted(
        &node1.rpc,
        &kgc,
        RuntimeCall::Kgc(pallet_kgc::Call::publish_update_key {
            key: next.encode().try_into().expect("fits MaxUpdateKeyLen"),
            revocations: 0,
        }),
    );
    let leaf = wait_best("the doctor's leaf", &node2.rpc, |at| {
        let status: Option<(LeafIndex, Option<Epoch>)> =
            answer(node2.rpc.at(Some(at)).doctor_status(&account(&doctor)));
        status.map(|(leaf, revoked)| {
            assert_eq!(revoked, None);
            leaf
        })
    });
    assert_eq!(leaf, keys.sk.leaf);

    // Hospital 2's node finds the record with the doctor's interests and claims it.
    let at = node2.rpc.best_head();
    let published: Option<Record> = answer(node2.rpc.at(Some(at)).record(record));
    let published = published.expect("the record is on node 2");
    let on_chain_index = Index::decode(&mut &published.index[..]).expect("the index decodes");
    let trapdoor = Trapdoor::new(&["arrhythmia", "cardiology", "oncology"]).expect("trapdoor");
    let matched = PreparedQuery::new(&search_key, &trapdoor).matched_count(&on_chain_index);
    assert_eq!(
        matched, 2,
        "two of the doctor's three interests are in the record"
    );
    submit_accepted(
        &node2.rpc,
        &bob,
        RuntimeCall::Records(pallet_records::Call::submit_claim {
            record,
            doctor: account(&doctor),
            matched: matched as u32,
        }),
    );

    // When the window closes, the runtime assigns the record to the doctor.
    wait_best("the assignment", &node2.rpc, |at| {
        let consultation: Option<Consultation> =
            answer(node2.rpc.at(Some(at)).consultation(record));
        consultation.and_then(|c| c.assigned)
    });

    // The doctor derives the transformation key of the capsule's epoch from its update key;
    // hospital 2 pre-decrypts with it and logs the access; the doctor opens the record with
    // their own secret.
    let epoch_0: Option<Vec<u8>> = answer(node2.rpc.at(Some(at)).update_key(Epoch::new(0)));
    let epoch_0 = UpdateKey::decode(&mut &epoch_0.expect("epoch 0's key is on-chain")[..])
        .expect("the update key decodes");
    let capsule_on_chain =
        Capsule::decode(&mut &published.capsule[..]).expect("the capsule decodes");
    let tk = abe::tk_gen(&tables, &keys.sk, &epoch_0, &keys.secret, &mut rng).expect("TK");
    let semi = abe::pre_decrypt(
        &PreparedTransformationKey::new(&tk).expect("prepared"),
        &capsule_on_chain,
    )
    .expect("the doctor's attributes satisfy the policy");
    let opened = aead::open(
        &abe::decrypt(&keys.secret, &capsule_on_chain, &semi).expect("decrypts"),
        &capsule_on_chain,
        &sealed,
    )
    .expect("the payload opens");
    assert_eq!(opened, PAYLOAD);
    submit_accepted(
        &node2.rpc,
        &bob,
        RuntimeCall::Results(pallet_results::Call::log_access {
            record,
            doctor: account(&doctor),
            kind: pallet_results::AccessKind::PreDecryption,
        }),
    );

    // The doctor reports to the patient, sealed to the key in the record.
    let report = elgamal::seal(
        &elgamal::PublicKey::decompress(&published.patient_key).expect("a valid key"),
        REPORT,
        &mut rng,
    )
    .expect("seals");
    let report_hash = sha256(&report.encode());
    submit_accepted(
        &node2.rpc,
        &doctor,
        RuntimeCall::Results(pallet_results::Call::submit_report {
            record,
            payload_hash: report_hash,
            payload_size: report.encode().len() as u64,
            ephemeral: report.ephemeral.compress(),
        }),
    );
    let (report_id, _) = wait_best("the report", &node1.rpc, |at| {
        answer(node1.rpc.at(Some(at)).report_on(record))
    });

    // The patient disputes it through hospital 1, disclosing S with its proof.
    let disclosure = medchain_crypto::dleq::disclose(&patient, &report, &mut rng);
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Results(pallet_results::Call::dispute {
            report: report_id,
            shared: disclosure.shared.compress(),
            proof: disclosure.proof.encode().try_into().expect("64 bytes"),
        }),
    );

    // Everything is final on node 3.
    let final_state = wait_for("the dispute to be final on node 3", TIMEOUT, || {
        let at = node3.rpc.finalized_head();
        let disclosed: Option<CompressedG1> = answer(node3.rpc.at(Some(at)).disclosure(report_id));
        disclosed.map(|shared| (at, shared))
    });
    let (at, shared) = final_state;
    let rpc = &node3.rpc;

    let record_3: Option<Record> = answer(rpc.at(Some(at)).record(record));
    let record_3 = record_3.expect("the record is on node 3");
    assert_eq!(record_3.hospital, account(&alice));
    assert_eq!(record_3.payload_hash, payload_hash);
    assert_eq!(record_3.epoch, Epoch::new(0));
    let page: Vec<(RecordId, Record)> =
        answer(rpc.at(Some(at)).records_of(&account(&alice), 0u64, 10u32));
    assert_eq!(page.len(), 1);

    let authorizers: Vec<AccountId> = answer(rpc.at(Some(at)).authorizers_of(&account(&bob)));
    assert_eq!(authorizers, vec![account(&alice)]);

    let epoch: Epoch = answer(rpc.at(Some(at)).current_epoch());
    assert_eq!(
        epoch,
        Epoch::new(1),
        "the KGC's update key moved the chain to epoch 1"
    );

    let consultation: Option<Consultation> = answer(rpc.at(Some(at)).consultation(record));
    let assigned = consultation
        .and_then(|c| c.assigned)
        .expect("the consultation is assigned");
    assert_eq!(
        (assigned.doctor, assigned.hospital, assigned.matched),
        (account(&doctor), account(&bob), 2)
    );

    let log = rpc.accesses(start, at);
    assert_eq!(
        log,
        [(
            account(&bob),
            pallet_results::Access::ToDoctor {
                record,
                doctor: account(&doctor),
                kind: pallet_results::AccessKind::PreDecryption
            }
        )]
    );

    let on_chain_report: Option<(ReportId, Report)> = answer(rpc.at(Some(at)).report_on(record));
    let (_, on_chain_report) = on_chain_report.expect("the report is on node 3");
    assert_eq!(on_chain_report.doctor, account(&doctor));
    assert_eq!(on_chain_report.payload_hash, report_hash);

    // With the disclosed S, anyone reads exactly what the doctor sent; the patient could anyway.
    let shared = shared.decompress().expect("G1");
    assert_eq!(
        elgamal::open_with_shared_point(&shared, &report).expect("opens"),
        REPORT
    );
    assert_eq!(patient.open(&report).expect("opens"), REPORT);
}
