//! A majority of the founding hospitals admits a fifth one, which becomes a validator.

use codec::{Decode, Encode};
use medchain_integration_tests::rpc::answer;
use medchain_integration_tests::{network::running_founders, tx, wait_for};
use medchain_runtime::{
    pallet_hospitals, AccountId, BlockNumber, CouncilInstance, Runtime, RuntimeCall, SessionKeys,
};
use polkadot_sdk::{
    pallet_collective::{self, Voting},
    sp_consensus_aura::sr25519::AuthorityId as AuraId,
    sp_keyring::{Ed25519Keyring, Sr25519Keyring},
    sp_runtime::traits::Hash,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(240);

/// `pallet_collective::Votes`, whose fields are private to the pallet: read as the pallet's type,
/// then decoded again as this one, which has the same encoding.
#[derive(Decode)]
struct Motion {
    index: u32,
    _threshold: u32,
    ayes: Vec<AccountId>,
    _nays: Vec<AccountId>,
    _end: BlockNumber,
}

/// Peer id of node key `0x00..05` (Eve's node; it need not run for Eve to be elected).
const EVE_PEER_ID: [u8; 38] = hex_literal::hex!(
    "002408011220fde4fba030ad002f7c2f7d4c331f49d13fb0ec747eceebec634f1ff4cbca9def"
);

#[test]
fn a_fifth_hospital_admitted_by_the_council_becomes_a_validator() {
    let nodes = running_founders(TIMEOUT);
    let node = &nodes[0].rpc;

    let eve_aura: AuraId = Sr25519Keyring::Eve.public().into();
    let admit = RuntimeCall::Hospitals(pallet_hospitals::Call::admit_hospital {
        hospital: Sr25519Keyring::Eve.to_account_id(),
        name: b"Eve Clinic".to_vec(),
        peer_id: EVE_PEER_ID.to_vec(),
        encryption_key: medchain_runtime::hospital_keys::registered_encryption_key(
            &Sr25519Keyring::Eve.pair(),
        ),
        keys: SessionKeys {
            aura: eve_aura.clone(),
            grandpa: Ed25519Keyring::Eve.public().into(),
        },
    });
    let length_bound = admit.encoded_size() as u32;
    let proposal_hash = polkadot_sdk::sp_runtime::traits::BlakeTwo256::hash_of(&admit);

    // Alice proposes; Alice, Bob and Charlie (3 of 4, a majority) approve; Alice closes.
    let propose = RuntimeCall::Council(pallet_collective::Call::propose {
        threshold: 3,
        proposal: Box::new(admit),
        length_bound,
    });
    tx::submit(node, &Sr25519Keyring::Alice.pair(), propose).expect("Alice proposes");
    let votes = || {
        answer(node.map_value::<Voting<Runtime, CouncilInstance>>(&proposal_hash, None))
            .map(|votes| Motion::decode(&mut &votes.encode()[..]).expect("the same encoding"))
    };
    let index = wait_for("the proposal", TIMEOUT, || votes().map(|v| v.index));
    for voter in [
        Sr25519Keyring::Alice,
        Sr25519Keyring::Bob,
        Sr25519Keyring::Charlie,
    ] {
        let vote = RuntimeCall::Council(pallet_collective::Call::vote {
            proposal: proposal_hash,
            index,
            approve: true,
        });
        tx::submit(node, &voter.pair(), vote).expect("the vote is accepted");
    }
    wait_for("three ayes", TIMEOUT, || {
        votes().filter(|v| v.ayes.len() >= 3).map(|_| ())
    });
    let close = RuntimeCall::Council(pallet_collective::Call::close {
        proposal_hash,
        index,
        proposal_weight_bound: polkadot_sdk::frame_support::weights::Weight::from_parts(
            10_000_000_000,
            1_000_000,
        ),
        length_bound,
    });
    tx::submit(node, &Sr25519Keyring::Alice.pair(), close).expect("Alice closes the motion");

    // Eve is a member once the motion executes, and an Aura authority a session or two later.
    wait_for("Eve among the block authors", TIMEOUT, || {
        let finalized = node.finalized_head();
        let authorities: Vec<AuraId> = answer(node.at(Some(finalized)).authorities());
        authorities.contains(&eve_aura).then_some(())
    });
    let finalized = node.finalized_head();
    let member: bool = answer(
        node.at(Some(finalized))
            .is_member(&Sr25519Keyring::Eve.to_account_id()),
    );
    assert!(member);
}
