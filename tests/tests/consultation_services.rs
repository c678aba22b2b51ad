//! Consultations and results through hospitals' nodes on the four-hospital network: a patient
//! uploads at hospital 1, which authorises hospital 2 and opens a consultation; hospital 2's
//! doctor claims the record through their node (which counts the matched interests), is
//! assigned, and hands their node a report sealed to the patient; the patient collects it from
//! hospital 1's node, which fetches it from hospital 2's over the transfer protocol, opens it, and
//! disputes it through hospital 1's node. And the refusals: a claim from an unauthorised
//! hospital's doctor, a report from a doctor not assigned, a report asked of a hospital that does
//! not hold the record, a dispute without the patient's secret.

use codec::{Decode, Encode};
use medchain_crypto::{abe::EncryptionTables, dleq, elgamal, hash::keyword_digest, seeded_rng};
use medchain_integration_tests::{
    doctor_keys,
    network::running_founders,
    rpc::answer,
    services,
    tx::{self, account, submit_accepted},
    wait_for,
};
use medchain_rpc_api::{ClaimRequest, Claimed, DisputeRequest, FetchReport, ReportUpload};
use medchain_runtime::{
    genesis::dev_kgc, pallet_records, pallet_results, AccountId, Runtime, RuntimeCall,
};
use medchain_types::{Epoch, RecordId, ReportId};
use polkadot_sdk::{
    sp_core::{sr25519, Pair},
    sp_keyring::Sr25519Keyring,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const REPORT: &[u8] = b"Rate control with bisoprolol 2.5 mg; anticoagulate; review in 4 weeks.";

type Record = pallet_records::Record<Runtime>;
type Consultation = pallet_records::Consultation<Runtime>;
type Report = pallet_results::Report<Runtime>;

#[test]
fn a_doctor_claims_reports_and_the_patient_reads_and_disputes_through_the_nodes() {
    let nodes = running_founders(TIMEOUT);
    let (node1, node2, node3) = (&nodes[0], &nodes[1], &nodes[2]);
    let (alice, bob, charlie) = (
        Sr25519Keyring::Alice.pair(),
        Sr25519Keyring::Bob.pair(),
        Sr25519Keyring::Charlie.pair(),
    );
    let doctor = sr25519::Pair::from_string("//Bob//doctor//cardiology", None).expect("seed");
    let colleague = sr25519::Pair::from_string("//Bob//doctor//radiology", None).expect("seed");
    let outsider = sr25519::Pair::from_string("//Charlie//doctor//cardiology", None).expect("seed");
    let patient = sr25519::Pair::from_string("//patient//consultation", None).expect("seed");
    let mut rng = seeded_rng(*b"medchain/tests/consultation-svc!");

    for (node, hospital, member) in [
        (node2, &bob, &doctor),
        (node2, &bob, &colleague),
        (node3, &charlie, &outsider),
    ] {
        tx::add_doctor(&node.rpc, hospital, member);
    }
    wait_for("the doctors to be registered", TIMEOUT, || {
        let at = node1.rpc.best_head();
        [&doctor, &colleague, &outsider]
            .iter()
            .all(|member| {
                let hospital: Option<AccountId> =
                    answer(node1.rpc.at(Some(at)).hospital_of(&account(member)));
                hospital.is_some()
            })
            .then_some(())
    });
    // The KGC issues hospital 2's doctors and hospital 3's a key: claims need an active one.
    let kgc = Sr25519Keyring::Ferdie.pair();
    let (pp, msk) = dev_kgc::setup();
    let kgc_keys = doctor_keys::Kgc {
        account: &kgc,
        pp: &pp,
        msk: &msk,
    };
    for (node, member) in [(node2, &doctor), (node2, &colleague), (node3, &outsider)] {
        doctor_keys::issue(
            &node.rpc,
            &kgc_keys,
            member,
            &["cardiology", "consultant"],
            TIMEOUT,
            &mut rng,
        );
    }
    tx::authorize(&node1.rpc, &alice, &bob, &mut rng);
    services::upload(
        &node1.rpc,
        &patient,
        &EncryptionTables::new(&pp),
        ("cardiology and consultant", Epoch::new(0)),
        &["cardiology", "arrhythmia", "holter"],
        b"Holter: paroxysmal AF",
        &mut rng,
    )
    .expect("hospital 1 takes the upload");
    let record = wait_for("the record to be final", TIMEOUT, || {
        let page: Vec<(RecordId, Record)> = answer(
            node1
                .rpc
                .at(Some(node1.rpc.finalized_head()))
                .records_of(&account(&alice), 0u64, 1u32),
        );
        page.first().map(|(id, _)| *id)
    });

    // Hospital 1 opens a consultation; the doctor at hospital 2 claims through their node, which
    // counts two of their three interests; hospital 3's doctor is refused.
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Records(pallet_records::Call::open_consultation { record }),
    );
    let interests = |words: [&str; 3]| ClaimRequest {
        record,
        interests: words.map(keyword_digest).to_vec(),
    };
    let claimed: Claimed = wait_for("hospital 2's node to take the claim", TIMEOUT, || {
        services::call(
            &node2.rpc,
            &doctor,
            interests(["arrhythmia", "cardiology", "oncology"]),
        )
        .ok()
    });
    assert_eq!(claimed.matched, 2);
    let refused = services::call(
        &node3.rpc,
        &outsider,
        interests(["arrhythmia", "cardiology", "holter"]),
    )
    .expect_err("hospital 3 is not authorised");
    assert!(refused.contains("may search"), "{refused}");
    let consultation = wait_for("the assignment", TIMEOUT, || {
        let consultation: Option<Consultation> = answer(
            node2
                .rpc
                .at(Some(node2.rpc.finalized_head()))
                .consultation(record),
        );
        consultation.filter(|c| c.assigned.is_some())
    });
    let assigned = consultation.assigned.expect("assigned");
    assert_eq!((assigned.doctor, assigned.matched), (account(&doctor), 2));

    // The assigned doctor seals the report to the patient's key in the record and hands it to
    // their node; a colleague who is not assigned is refused.
    let published: Option<Record> = answer(
        node2
            .rpc
            .at(Some(node2.rpc.finalized_head()))
            .record(record),
    );
    let patient_key = elgamal::PublicKey::decompress(&published.expect("the record").patient_key)
        .expect("a valid key");
    let report = elgamal::seal(&patient_key, REPORT, &mut rng).expect("seals");
    let upload = ReportUpload {
        record,
        sealed: report.encode(),
    };
    let refused = services::call(&node2.rpc, &colleague, upload.clone())
        .expect_err("only the assigned doctor reports");
    assert!(refused.contains("not the doctor assigned"), "{refused}");
    let stored = services::call(&node2.rpc, &doctor, upload)
        .expect("the node keeps it")
        .0;
    assert_eq!(stored, medchain_crypto::hash::sha256(&report.encode()));
    submit_accepted(
        &node2.rpc,
        &doctor,
        RuntimeCall::Results(pallet_results::Call::submit_report {
            record,
            payload_hash: stored.try_into().expect("32 bytes"),
            payload_size: report.encode().len() as u64,
            ephemeral: report.ephemeral.compress(),
        }),
    );

    // The patient collects it from hospital 1's node, which fetches it from hospital 2's, and
    // opens it; hospital 3's node does not hold the record and refuses.
    let request = FetchReport { record };
    let collected = wait_for("hospital 1's node to collect the report", TIMEOUT, || {
        services::call(&node1.rpc, &patient, request.clone())
            .ok()
            .map(|answer| answer.0)
    });
    assert_eq!(collected, report.encode());
    let secret = elgamal::SecretKey::derive(&patient.to_raw_vec());
    let sealed = elgamal::Ciphertext::decode(&mut &collected[..]).expect("a sealed report");
    assert_eq!(secret.open(&sealed).expect("the patient opens it"), REPORT);
    let refused = services::call(&node3.rpc, &patient, request)
        .expect_err("hospital 3 does not hold the record");
    assert!(refused.contains("ask that hospital's node"), "{refused}");

    // A dispute needs the patient's secret: a disclosure made with another key is refused;
    // the patient's own is filed by hospital 1 and settled on-chain.
    let dispute = |key: &elgamal::SecretKey, rng: &mut _| {
        let disclosure = dleq::disclose(key, &sealed, rng);
        DisputeRequest {
            record,
            shared: disclosure.shared.compress(),
            proof: disclosure.proof.encode().try_into().expect("64 bytes"),
        }
    };
    let forged = dispute(&elgamal::SecretKey::generate(&mut rng), &mut rng);
    let refused = services::call(&node1.rpc, &patient, forged)
        .expect_err("a disclosure without the patient's key");
    assert!(refused.contains("only the patient"), "{refused}");
    let honest = dispute(&secret, &mut rng);
    services::call(&node1.rpc, &patient, honest.clone()).expect("filed");
    let disclosed = wait_for("the dispute to be final", TIMEOUT, || {
        let at = node3.rpc.finalized_head();
        let (id, _): (ReportId, Report) = answer(node3.rpc.at(Some(at)).report_on(record))?;
        answer(node3.rpc.at(Some(at)).disclosure(id))
    });
    assert_eq!(disclosed, honest.shared);
}
