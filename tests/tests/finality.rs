//! The four founding hospitals author and finalise one chain, and finality survives one of them
//! going down.

use medchain_integration_tests::{
    network::{start_founders, wait_finalized, Node},
    wait_for,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The finalised block every node agrees on: the lowest finalised number, and its hash on each.
fn common_finalized_hashes(nodes: &[&Node]) -> Vec<medchain_runtime::Hash> {
    let lowest = nodes
        .iter()
        .map(|n| n.rpc.finalized_number().expect("node reachable"))
        .min()
        .expect("at least one node");
    nodes
        .iter()
        .map(|n| {
            n.rpc
                .block_hash(lowest)
                .expect("a finalised block is on the best chain")
        })
        .collect()
}

#[test]
fn four_hospitals_finalise_one_chain_and_survive_an_outage() {
    let mut nodes = start_founders();

    // All four import and finalise blocks, with the same finalised hash.
    let all: Vec<&Node> = nodes.iter().collect();
    wait_finalized(&all, 3, TIMEOUT);
    let hashes = common_finalized_hashes(&all);
    assert!(
        hashes.windows(2).all(|w| w[0] == w[1]),
        "finalised hashes differ: {hashes:?}"
    );

    // With one validator down, the other three (more than two thirds) keep finalising.
    nodes[3].kill();
    let before = nodes[0].rpc.finalized_number().expect("node 1 reachable");
    let up: Vec<&Node> = nodes[..3].iter().collect();
    wait_finalized(&up, before + 3, TIMEOUT);

    // Restarted, it catches up to the same finalised hash as the others.
    nodes[3].restart();
    let target = nodes[0].rpc.finalized_number().expect("node 1 reachable");
    wait_for("the restarted node to catch up", TIMEOUT, || {
        nodes[3].rpc.finalized_number().filter(|n| *n >= target)
    });
    let target_hash = nodes[0].rpc.block_hash(target);
    assert_eq!(
        nodes[3].rpc.block_hash(target),
        target_hash,
        "log:\n{}",
        nodes[3].log()
    );
}
