//! `chain-specs/local-4-hospitals.json` is the node's built-in `local` chain.

use medchain_integration_tests::network::node_binary;
use serde_json::Value;
use std::process::Command;

/// The spec without its runtime code, which changes with every runtime build.
fn without_code(mut spec: Value) -> Value {
    if let Some(genesis) = spec
        .pointer_mut("/genesis/runtimeGenesis")
        .and_then(Value::as_object_mut)
    {
        genesis.remove("code");
    }
    spec
}

/// The node's built-in `local` spec, as `build-spec` prints it.
fn built_in_local_spec() -> Value {
    let output = Command::new(node_binary())
        .args([
            "build-spec",
            "--chain",
            "local",
            "--disable-default-bootnode",
        ])
        .output()
        .expect("medchain-node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("build-spec prints JSON")
}

#[test]
fn the_committed_local_spec_matches_the_built_in_one() {
    let built_in = built_in_local_spec();

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../chain-specs/local-4-hospitals.json"
    );
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(path).expect("chain-specs/local-4-hospitals.json exists"),
    )
    .expect("the committed spec is JSON");

    assert_eq!(
        without_code(committed),
        without_code(built_in),
        "regenerate it: medchain-node build-spec --chain local --disable-default-bootnode \
         > chain-specs/local-4-hospitals.json"
    );
}

/// An operator who starts a node of a live network with `--alice` (whose secret is public) is
/// stopped before the node signs anything, with a sentence saying why.
#[test]
fn a_live_chain_refuses_the_public_development_seeds() {
    let mut spec = built_in_local_spec();
    spec["chainType"] = Value::String("Live".to_owned());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("live.json");
    std::fs::write(&path, spec.to_string()).expect("the live spec is written");

    let mut node = Command::new(node_binary())
        .arg("--chain")
        .arg(&path)
        .args([
            "--alice",
            "--tmp",
            "--port",
            "0",
            "--rpc-port",
            "0",
            "--no-prometheus",
        ])
        // A live chain's node must be given its network key: it would not make one up.
        .args(["--node-key", &"09".repeat(32)])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("medchain-node starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = node.try_wait().expect("the node's status") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = node.kill();
            panic!("a live chain's node ran with the public seed //Alice");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut node.stderr.take().expect("piped"), &mut stderr)
        .expect("the node's stderr");
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("is public") && stderr.contains("live chain"),
        "{stderr}"
    );
}
