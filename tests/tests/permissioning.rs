//! Only members transact, only for MedChain's calls, and only registered hospitals' nodes peer.

use medchain_integration_tests::{
    network::{start_founders, wait_finalized, Node, OUTSIDER},
    tx,
};
use medchain_runtime::{pallet_hospitals, RuntimeCall};
use polkadot_sdk::{
    frame_system, pallet_node_authorization, pallet_utility, sp_core::OpaquePeerId,
    sp_keyring::Sr25519Keyring,
};
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

    // A member, trying the calls that would have let it fill blocks for free, run a call as an
    // account that is no member or let in a peer of its own, is refused before the pool too.
    let hospital = Sr25519Keyring::Alice.pair();
    let remark = || {
        RuntimeCall::System(frame_system::Call::remark {
            remark: vec![0; 64 * 1024],
        })
    };
    let own_call = RuntimeCall::Hospitals(pallet_hospitals::Call::withdraw {
        to: Sr25519Keyring::Bob.to_account_id(),
    });
    let smuggled = [
        remark(),
        RuntimeCall::Utility(pallet_utility::Call::batch_all {
            calls: vec![own_call.clone(), remark()],
        }),
        RuntimeCall::Utility(pallet_utility::Call::as_derivative {
            index: 7,
            call: Box::new(own_call),
        }),
        RuntimeCall::NodeAuthorization(pallet_node_authorization::Call::claim_node {
            node: OpaquePeerId(vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20, 7, 7, 7]),
        }),
    ];
    for call in smuggled {
        let refused = tx::submit(&nodes[0].rpc, &hospital, call.clone())
            .expect_err("the pool refuses a call the chain does not dispatch");
        assert_eq!(
            refused.data().as_deref(),
            Some("Transaction call is not expected"),
            "{call:?}: {refused}"
        );
    }

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
