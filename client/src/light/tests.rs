//! The light client against a lying node: the in-process fake node serves the chain intact or
//! altered as a hospital's node might, and every alteration is refused.

use medchain_types::Epoch;
use polkadot_sdk::sp_keyring::Ed25519Keyring::{Alice, Bob, Charlie, Dave, Eve};

use super::{fake_node::*, justification::tests as grandpa, *};

/// Follows the chain served with `tamper`, trusting the genesis and authorities of the intact
/// chain (what the client's chain spec says), or `authorities` when given.
async fn follow(
    tamper: Tamper,
    authorities: Option<AuthorityList>,
) -> (Result<FinalBlock, LightError>, NodeClient, ServerGuard) {
    let chain = FakeChain::new(tamper);
    let genesis = FakeChain::new(Tamper::default()).genesis();
    debug_assert_eq!(chain.genesis(), genesis, "tampering starts after genesis");
    let (url, server) = serve(chain).await;
    let client = NodeClient::connect(&url).await.expect("connects");
    let authorities =
        authorities.unwrap_or_else(|| grandpa::authorities(&[Alice, Bob, Charlie, Dave]));
    let head = finalized_head(&client, genesis, authorities).await;
    (head, client, ServerGuard(server))
}

/// Stops the fake node when the test ends.
struct ServerGuard(jsonrpsee::server::ServerHandle);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.stop();
    }
}

#[tokio::test]
async fn light_proves_an_intact_chain_final_and_reads_its_update_key() {
    let (head, client, _server) = follow(Tamper::default(), None).await;
    let head = head.expect("verified").fresh(&client).await.expect("fresh");
    assert_eq!(head.header.number, LAST);
    let key: Option<Vec<u8>> = head
        .read_value(&client, keys::update_key(Epoch::new(0)))
        .await
        .expect("proven");
    assert_eq!(key.as_deref(), Some(UPDATE_KEY));
}

#[tokio::test]
async fn light_refuses_a_node_of_another_genesis() {
    let chain = FakeChain::new(Tamper::default());
    let (url, server) = serve(chain).await;
    let _server = ServerGuard(server);
    let client = NodeClient::connect(&url).await.expect("connects");
    let other = Hash::repeat_byte(7);
    let refused = finalized_head(&client, other, grandpa::authorities(&[Alice])).await;
    assert!(
        matches!(refused, Err(LightError::WrongGenesis { expected, .. }) if expected == other),
        "{refused:?}"
    );
}

#[tokio::test]
async fn light_refuses_a_header_altered_under_its_hash() {
    let (head, ..) = follow(
        Tamper {
            header: Some(3),
            ..Tamper::default()
        },
        None,
    )
    .await;
    assert!(matches!(head, Err(LightError::Broken(3))), "{head:?}");
}

/// Follows the chain served with `tamper` and checks that its head is refused: the finality
/// signatures the node offers for it do not verify.
async fn assert_forged_finality_refused(tamper: Tamper) {
    let (head, ..) = follow(tamper, None).await;
    assert!(
        matches!(&head, Err(LightError::Unproven { number: LAST, why }) if why.contains("invalid signature")),
        "{head:?}"
    );
}

#[tokio::test]
async fn light_refuses_a_forged_justification() {
    assert_forged_finality_refused(Tamper {
        justification: true,
        ..Tamper::default()
    })
    .await;
}

/// A node that keeps no justification with the head, so that the client falls back on its
/// finality proof, and forges that proof.
#[tokio::test]
async fn light_refuses_a_forged_finality_proof_for_a_head_without_a_justification() {
    assert_forged_finality_refused(Tamper {
        justification: true,
        unstored: true,
        ..Tamper::default()
    })
    .await;
}

/// The same head, honestly proved by the finality proof alone.
#[tokio::test]
async fn light_proves_a_head_without_a_justification_by_its_finality_proof() {
    let (head, ..) = follow(
        Tamper {
            unstored: true,
            ..Tamper::default()
        },
        None,
    )
    .await;
    assert!(head.is_ok(), "{head:?}");
}

#[tokio::test]
async fn light_refuses_finality_signed_by_others_than_the_spec_names() {
    let (head, ..) = follow(Tamper::default(), Some(grandpa::authorities(&[Eve]))).await;
    assert!(
        matches!(head, Err(LightError::Unproven { number: LAST, .. })),
        "{head:?}"
    );
}

#[tokio::test]
async fn light_refuses_a_forced_change_that_names_the_nodes_own_signer() {
    let (head, ..) = follow(
        Tamper {
            forced_change: Some(2),
            ..Tamper::default()
        },
        None,
    )
    .await;
    assert!(matches!(head, Err(LightError::ForcedChange(2))), "{head:?}");
}

#[tokio::test]
async fn light_refuses_an_update_key_of_the_nodes_making() {
    let (head, client, _server) = follow(
        Tamper {
            update_key: true,
            ..Tamper::default()
        },
        None,
    )
    .await;
    let read: Result<Option<Vec<u8>>, _> = head
        .expect("the headers are intact")
        .read_value(&client, keys::update_key(Epoch::new(0)))
        .await;
    assert!(
        matches!(read, Err(StateError::InvalidProof { .. })),
        "{read:?}"
    );
}

#[tokio::test]
async fn light_refuses_a_head_hours_old() {
    let (head, client, _server) = follow(
        Tamper {
            stale: true,
            ..Tamper::default()
        },
        None,
    )
    .await;
    let stale = head.expect("verified").fresh(&client).await;
    assert!(
        matches!(stale, Err(LightError::Stale { minutes, .. }) if minutes >= 24 * 60 - 1),
        "{stale:?}"
    );
}
