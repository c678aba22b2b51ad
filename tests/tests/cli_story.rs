//! The whole story of `SPEC.md` through the `medchain` CLI on the four-hospital network, as
//! `scripts/demo.sh` tells it, each outcome asserted: the KGC's Setup, doctors registered with
//! attributes, a patient's upload at hospital 1, hospital 1 authorising hospital 2, whose doctor
//! searches, claims, is assigned, decrypts and reports, the patient reading the report, a
//! revoked doctor refused (by their hospital's node for an old record, by the cryptography for
//! a record of the epoch their revocation started), unauthorised hospital 3 finding nothing, and the auditor's replay
//! passing. Then the auditor, handed a tampered header or a tampered justification by a lying
//! proxy, names the block; and, on a second network, flags a doctor whose hospital fetches a
//! burst of records.

use medchain_client::rpc::method;
use medchain_crypto::{abe::EncryptionTables, seeded_rng};
use medchain_integration_tests::rpc::answer;
use medchain_integration_tests::{
    cli::{self, medchain},
    network::{running_founders, Node},
    services,
    tamper::TamperProxy,
    tx::{self, account},
    wait_for,
};
use medchain_rpc_api::FetchPayload;
use medchain_runtime::{genesis::dev_kgc, pallet_records, pallet_results, Runtime};
use medchain_types::{Epoch, RecordId};
use polkadot_sdk::{
    sp_core::{sr25519, Pair},
    sp_keyring::Sr25519Keyring,
};
use serde_json::Value;
use std::{path::Path, time::Duration};

const TIMEOUT: Duration = Duration::from_secs(120);
const RECORD: &str = "Holter 24h, 2026-11-20: paroxysmal atrial fibrillation.\n";
const REPORT: &str = "Start anticoagulation; review in 4 weeks.\n";

type Record = pallet_records::Record<Runtime>;

/// A path in `dir` as a CLI argument.
fn file(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// Makes a doctor's key, registers them at hospital `hospital` (its node is `node`), has the
/// doctor register their encryption key and the KGC issue their attribute key; their account.
fn register(dir: &Path, node: &Node, name: &str, hospital: usize) -> String {
    let made = medchain(&node.url(), ["doctor", "keygen", "--out", &file(dir, name)])
        .expect("doctor keygen");
    let account = made["account"].as_str().expect("an account").to_owned();
    assert!(made["doctorKey"].is_string(), "{made}");
    let hospital_key = file(dir, &format!("hospital{hospital}"));
    medchain(
        &node.url(),
        [
            "hospital",
            "add-doctor",
            "--key",
            &hospital_key,
            "--doctor",
            &account,
        ],
    )
    .expect("the hospital registers its doctor");
    medchain(
        &node.url(),
        ["doctor", "register", "--key", &file(dir, name)],
    )
    .expect("the doctor registers their encryption key");
    medchain(
        &node.url(),
        [
            "kgc",
            "issue-key",
            "--kgc",
            &file(dir, "kgc.json"),
            "--key",
            &file(dir, "kgc"),
            "--doctor",
            &account,
            "--attributes",
            "cardiology,consultant",
        ],
    )
    .expect("the KGC issues the key");
    account
}

/// `audit verify` of `node`'s ledger: whether it passed (exit status 0, and the verdict says
/// so), and the findings.
fn audit(node: &str) -> (bool, Vec<Value>) {
    let run = cli::run(node, ["audit", "verify"]);
    let verdict: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("no verdict ({e}): {}{}", run.stdout, run.stderr));
    let passed = verdict["passed"] == Value::Bool(true);
    assert_eq!(
        passed,
        run.code == Some(0),
        "the exit status agrees with the verdict"
    );
    let findings = verdict["findings"].as_array().cloned().unwrap_or_default();
    (passed, findings)
}

/// Whether `findings` hold one of `kind` at block `block`.
fn found(findings: &[Value], kind: &str, block: u64) -> bool {
    findings
        .iter()
        .any(|f| f["kind"] == kind && f["block"].as_u64() == Some(block))
}

#[test]
fn the_story_runs_through_the_cli_and_the_auditor_catches_a_lying_node() {
    let nodes = running_founders(TIMEOUT);
    let urls: Vec<String> = nodes.iter().map(Node::url).collect();
    let dir = tempfile::tempdir().expect("a key directory");
    let dir = dir.path();

    // The KGC's Setup is the one in the local chain's genesis; the roles' keys.
    let setup = medchain(
        &urls[0],
        ["kgc", "setup", "--dev", "--out", &file(dir, "kgc.json")],
    )
    .expect("kgc setup");
    assert_eq!(setup["matchesChain"], true, "{setup}");
    medchain(
        &urls[0],
        [
            "kgc",
            "keygen",
            "--suri",
            "//Ferdie",
            "--out",
            &file(dir, "kgc"),
        ],
    )
    .expect("the KGC's key");
    for (n, name) in [(1, "//Alice"), (2, "//Bob"), (3, "//Charlie")] {
        medchain(
            &urls[0],
            [
                "hospital",
                "keygen",
                "--suri",
                name,
                "--out",
                &file(dir, &format!("hospital{n}")),
            ],
        )
        .expect("a hospital's key");
    }
    register(dir, &nodes[1], "cardiologist", 2);
    let locum = register(dir, &nodes[1], "locum", 2);
    register(dir, &nodes[2], "outsider", 3);

    // The patient uploads at hospital 1; hospital 1 authorises hospital 2.
    std::fs::write(dir.join("holter.txt"), RECORD).expect("the record's file");
    medchain(
        &urls[0],
        ["patient", "keygen", "--out", &file(dir, "patient")],
    )
    .expect("keygen");
    let uploaded = medchain(
        &urls[0],
        [
            "patient",
            "upload",
            &file(dir, "holter.txt"),
            "--key",
            &file(dir, "patient"),
            "--policy",
            "cardiology and consultant",
            "--keywords",
            "cardiology,arrhythmia,holter",
        ],
    )
    .expect("the upload");
    let record = uploaded["record"]
        .as_u64()
        .expect("a record id")
        .to_string();
    let bob = account(&Sr25519Keyring::Bob.pair()).to_string();
    medchain(
        &urls[0],
        [
            "hospital",
            "authorize",
            "--key",
            &file(dir, "hospital1"),
            "--to",
            &bob,
            "--expires-in",
            "100000",
        ],
    )
    .expect("hospital 1 authorises hospital 2");

    // The cardiologist at hospital 2 finds the record, claims it and is assigned.
    let search = |node: &str, doctor: &str| {
        medchain(
            node,
            [
                "doctor",
                "search",
                "--key",
                &file(dir, doctor),
                "--interests",
                "arrhythmia,cardiology",
            ],
        )
        .expect("search runs")
    };
    let hits = search(&urls[1], "cardiologist");
    assert_eq!(hits[0]["record"].to_string(), record, "{hits}");
    assert_eq!(hits[0]["matched"], 2);
    medchain(
        &urls[0],
        [
            "hospital",
            "open-consultation",
            "--key",
            &file(dir, "hospital1"),
            "--record",
            &record,
        ],
    )
    .expect("a consultation opens");
    let claimed = medchain(
        &urls[1],
        [
            "doctor",
            "claim",
            &record,
            "--key",
            &file(dir, "cardiologist"),
            "--interests",
            "arrhythmia,cardiology",
            "--wait",
        ],
    )
    .expect("the claim");
    assert_eq!(claimed["won"], true, "{claimed}");

    // They decrypt the record and report; the patient reads the report through hospital 1.
    medchain(
        &urls[1],
        [
            "doctor",
            "open",
            &record,
            "--key",
            &file(dir, "cardiologist"),
            "--out",
            &file(dir, "opened.txt"),
        ],
    )
    .expect("the cardiologist opens the record");
    assert_eq!(
        std::fs::read_to_string(dir.join("opened.txt")).expect("opened"),
        RECORD
    );
    std::fs::write(dir.join("report.txt"), REPORT).expect("the report's file");
    medchain(
        &urls[1],
        [
            "doctor",
            "report",
            &record,
            &file(dir, "report.txt"),
            "--key",
            &file(dir, "cardiologist"),
        ],
    )
    .expect("the report");
    medchain(
        &urls[0],
        [
            "patient",
            "open-report",
            &record,
            "--key",
            &file(dir, "patient"),
            "--out",
            &file(dir, "read.txt"),
        ],
    )
    .expect("the patient reads the report");
    assert_eq!(
        std::fs::read_to_string(dir.join("read.txt")).expect("read"),
        REPORT
    );

    // The KGC revokes the locum from the next epoch, which becomes current. Their hospital's
    // node refuses them the old record; a record of the new epoch the cryptography refuses:
    // the locum's client can make no transformation key for it.
    let revoked = medchain(
        &urls[0],
        [
            "kgc",
            "revoke",
            "--kgc",
            &file(dir, "kgc.json"),
            "--key",
            &file(dir, "kgc"),
            "--doctor",
            &locum,
        ],
    )
    .expect("the KGC revokes the locum");
    assert_eq!(revoked["epoch"], 1, "{revoked}");
    let open_as_locum = |record: &str| {
        medchain(
            &urls[1],
            [
                "doctor",
                "open",
                record,
                "--key",
                &file(dir, "locum"),
                "--out",
                &file(dir, "locum.txt"),
            ],
        )
    };
    let refused = open_as_locum(&record).expect_err("the node refuses a revoked doctor");
    assert!(refused.contains("revoked"), "{refused}");
    let newer = medchain(
        &urls[0],
        [
            "patient",
            "upload",
            &file(dir, "holter.txt"),
            "--key",
            &file(dir, "patient"),
            "--policy",
            "cardiology and consultant",
            "--keywords",
            "cardiology,holter",
        ],
    )
    .expect("an upload under the new epoch");
    assert_eq!(newer["epoch"], 1, "{newer}");
    let refused = open_as_locum(&newer["record"].to_string())
        .expect_err("the cryptography refuses a revoked doctor");
    assert!(
        refused.contains("no transformation key can be made"),
        "{refused}"
    );
    assert!(!dir.join("locum.txt").exists());
    assert_eq!(search(&urls[2], "outsider"), Value::Array(Vec::new()));

    // The auditor replays the ledger through hospital 4's node: nothing to report.
    let (passed, findings) = audit(&urls[3]);
    assert!(passed && findings.is_empty(), "{findings:?}");

    // A node that lies about block 5's header, or block 3's justification, is caught.
    let lying_header = TamperProxy::start(nodes[3].rpc.port(), |called, _, result| {
        let header = match called {
            method::BLOCK => result.pointer_mut("/block/header"),
            method::HEADER => Some(result),
            _ => None,
        };
        if let Some(header) = header.filter(|h| h["number"] == "0x5") {
            header["stateRoot"] = Value::String(format!("0x{}", "11".repeat(32)));
        }
    });
    let (passed, findings) = audit(&lying_header.url());
    assert!(!passed);
    assert!(found(&findings, "header_hash_mismatch", 5), "{findings:?}");
    let lying_justification = TamperProxy::start(nodes[3].rpc.port(), |called, _, result| {
        if called != method::BLOCK
            || result.pointer("/block/header/number") != Some(&Value::from("0x3"))
        {
            return;
        }
        if let Some(Value::Array(bytes)) = result.pointer_mut("/justifications/0/1") {
            let middle = bytes.len() / 2;
            bytes[middle] = Value::from(bytes[middle].as_u64().unwrap_or_default() ^ 0xff);
        }
    });
    let (passed, findings) = audit(&lying_justification.url());
    assert!(!passed);
    assert!(found(&findings, "bad_justification", 3), "{findings:?}");
}

#[test]
fn the_auditor_flags_a_doctor_whose_hospital_fetches_a_burst_of_records() {
    let nodes = running_founders(TIMEOUT);
    let (alice, bob) = (Sr25519Keyring::Alice.pair(), Sr25519Keyring::Bob.pair());
    let scraper = sr25519::Pair::from_string("//Bob//doctor//scraper", None).expect("seed");
    let peers = ["//Alice//doctor//1", "//Alice//doctor//2"]
        .map(|seed| sr25519::Pair::from_string(seed, None).expect("seed"));
    let patient = sr25519::Pair::from_string("//patient//burst", None).expect("seed");
    let mut rng = seeded_rng(*b"medchain/tests/cli-burst-of-recs");

    for (node, hospital, doctor) in [
        (1, &bob, &scraper),
        (0, &alice, &peers[0]),
        (0, &alice, &peers[1]),
    ] {
        tx::add_doctor(&nodes[node].rpc, hospital, doctor);
    }
    tx::authorize(&nodes[0].rpc, &alice, &bob, &mut rng);

    // Twelve records at hospital 1; its two doctors open one each, hospital 2's doctor all.
    let tables = EncryptionTables::new(&dev_kgc::setup().0);
    for n in 0..12u8 {
        services::upload(
            &nodes[0].rpc,
            &patient,
            &tables,
            ("cardiology", Epoch::new(0)),
            &["cardiology"],
            &[n; 64],
            &mut rng,
        )
        .expect("hospital 1 takes the upload");
    }
    let records: Vec<RecordId> = wait_for("twelve records to be final", TIMEOUT, || {
        let page: Vec<(RecordId, Record)> = answer(
            nodes[0]
                .rpc
                .at(Some(nodes[0].rpc.finalized_head()))
                .records_of(&account(&alice), 0u64, 20u32),
        );
        (page.len() == 12).then(|| page.into_iter().map(|(id, _)| id).collect())
    });
    let fetch = |node: &Node, doctor: &sr25519::Pair, record: RecordId| {
        wait_for("the payload", TIMEOUT, || {
            services::call(&node.rpc, doctor, FetchPayload { record }).ok()
        });
    };
    fetch(&nodes[0], &peers[0], records[0]);
    fetch(&nodes[0], &peers[1], records[1]);
    for &record in &records {
        fetch(&nodes[1], &scraper, record);
    }
    // Fourteen accesses by doctors, and hospital 1's node logged the twelve payloads it served
    // hospital 2's node.
    wait_for("every access to be final", TIMEOUT, || {
        let logged = nodes[3].rpc.accesses(1, nodes[3].rpc.finalized_head());
        let transfers = logged
            .iter()
            .filter(|(hospital, access)| {
                *hospital == account(&alice)
                    && matches!(access, pallet_results::Access::ToNode { hospital, .. } if *hospital == account(&bob))
            })
            .count();
        (logged.len() == 14 + 12 && transfers == 12).then_some(())
    });

    // The ledger obeys the rules (hospital 1 authorises hospital 2), but the auditor flags the
    // scraper for review: far more records than its peers, none of them assigned to it.
    let (passed, findings) = audit(&nodes[3].url());
    assert!(passed, "{findings:?}");
    let scraper = account(&scraper).to_string();
    let flagged = |kind: &str| {
        findings.iter().any(|f| {
            f["kind"] == kind
                && f["severity"] == "review"
                && f["accounts"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == scraper.as_str()))
        })
    };
    assert!(flagged("access_burst_peers"), "{findings:?}");
    assert!(flagged("access_without_assignment"), "{findings:?}");
}
