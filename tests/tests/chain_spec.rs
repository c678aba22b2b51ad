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

#[test]
fn the_committed_local_spec_matches_the_built_in_one() {
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
    let built_in: Value = serde_json::from_slice(&output.stdout).expect("build-spec prints JSON");

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
