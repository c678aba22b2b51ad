//! A search authorisation submitted through one hospital's node is in every node's state once
//! final.

use medchain_integration_tests::rpc::answer;
use medchain_integration_tests::{network::running_founders, tx, wait_for};
use medchain_runtime::{pallet_hospitals, AccountId, RuntimeCall};
use polkadot_sdk::sp_keyring::Sr25519Keyring;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn an_authorization_sent_to_node_1_is_final_on_node_3() {
    let nodes = running_founders(TIMEOUT);

    let bob = Sr25519Keyring::Bob.to_account_id();
    let authorize = RuntimeCall::Hospitals(pallet_hospitals::Call::authorize {
        to: bob.clone(),
        expires_at: 1_000_000,
        encrypted_search_key: vec![0xAB; 96],
    });
    tx::submit(&nodes[0].rpc, &Sr25519Keyring::Alice.pair(), authorize)
        .expect("node 1 accepts Alice's authorisation");

    let authorizers = wait_for("the authorisation to be final on node 3", TIMEOUT, || {
        let finalized = nodes[2].rpc.finalized_head();
        let authorizers: Vec<AccountId> =
            answer(nodes[2].rpc.at(Some(finalized)).authorizers_of(&bob));
        (!authorizers.is_empty()).then_some(authorizers)
    });
    assert_eq!(authorizers, vec![Sr25519Keyring::Alice.to_account_id()]);
}
