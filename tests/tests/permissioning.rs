//! Only members transact, and only registered hospitals' nodes peer.

use medchain_integration_tests::{
    network::{start_founders, wait_finalized, Node, OUTSIDER},
    tx,
};
use medchain_runtime::RuntimeCall;
use polkadot_sdk::{frame_system, sp_keyring::Sr25519Keyring};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn outsiders_can_neither_transact_nor_sync() {
    let nodes = start_founders();
    let all: Vec<&Node> = nodes.iter().collect();
    wait_finalized(&all, 2, TIMEOUT);

    // An account that is no hospital (nor doctor) is refused before the pool, with its reason.
    let remark = RuntimeCall::System(frame_system::Call::remark {
        remark: b"hello".to_vec(),
    });
    let refused = tx::submit(&nodes[0].rpc, &Sr25519Keyring::Eve.pair(), remark)
        .expect_err("Eve's transaction is refused");
    let message = refused.message().unwrap_or_default().to_owned();
    assert!(
        message.contains("Invalid Transaction"),
        "unexpected error: {refused}"
    );
    assert_eq!(
        refused.data(),
        Some(format!(
            "Custom error: {}",
            medchain_runtime::pallet_hospitals::NOT_A_MEMBER
        )),
        "the refusal names the reason: {refused}"
    );

    // A fifth node whose key no hospital registered gets no blocks from them.
    let outsider = Node::start(OUTSIDER, &[nodes[0].multiaddr(), nodes[1].multiaddr()]);
    let target = nodes[0].rpc.finalized_number().expect("node 1 reachable") + 5;
    wait_finalized(&all, target, TIMEOUT);
    assert_eq!(
        outsider.rpc.block_number(None),
        Some(0),
        "log:\n{}",
        outsider.log()
    );
    assert_eq!(
        outsider.rpc.peers(),
        0,
        "the hospitals' nodes do not keep it as a peer"
    );
}
