//! Genesis presets: the founding hospitals of the built-in chains.
//!
//! Both presets use the well-known development seeds (`//Alice`, `//Bob`, ...) for accounts and
//! session keys, and node keys `0x00..01` to `0x00..04`: they are for development and local
//! networks only, since anyone can sign with them. The encryption keys are placeholders (not
//! valid G1 points) until hospitals register real ones. A real network's chain spec is made by
//! exporting the `local_testnet` preset and replacing these fields; see the README.

use crate::{AccountId, RuntimeGenesisConfig, SessionKeys};
use alloc::{vec, vec::Vec};
use hex_literal::hex;
use pallet_hospitals::EncryptionKey;
use polkadot_sdk::{
    frame_support::build_struct_json_patch,
    sp_consensus_aura::sr25519::AuthorityId as AuraId,
    sp_consensus_grandpa::AuthorityId as GrandpaId,
    sp_core::OpaquePeerId,
    sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
    sp_keyring::{Ed25519Keyring, Sr25519Keyring},
    *,
};
use serde_json::Value;

/// A hospital named in genesis, with everything the runtime needs to make it a validator.
pub struct FoundingHospital {
    pub account: AccountId,
    pub name: &'static str,
    /// libp2p peer id of its node, as bytes.
    pub peer_id: Vec<u8>,
    pub encryption_key: EncryptionKey,
    pub aura: AuraId,
    pub grandpa: GrandpaId,
}

/// The genesis of a chain founded by `hospitals`, with `sudo` as the sudo key (dev chains only).
pub fn network_genesis(hospitals: Vec<FoundingHospital>, sudo: Option<AccountId>) -> Value {
    let mut council: Vec<AccountId> = hospitals.iter().map(|h| h.account.clone()).collect();
    council.sort();
    build_struct_json_patch!(RuntimeGenesisConfig {
        hospitals: pallet_hospitals::GenesisConfig {
            hospitals: hospitals
                .iter()
                .map(|h| {
                    (
                        h.account.clone(),
                        h.name.as_bytes().to_vec(),
                        h.peer_id.clone(),
                        h.encryption_key.to_vec(),
                    )
                })
                .collect(),
        },
        session: pallet_session::GenesisConfig {
            keys: hospitals
                .iter()
                .map(|h| {
                    let keys = SessionKeys {
                        aura: h.aura.clone(),
                        grandpa: h.grandpa.clone(),
                    };
                    (h.account.clone(), h.account.clone(), keys)
                })
                .collect(),
        },
        node_authorization: pallet_node_authorization::GenesisConfig {
            nodes: hospitals
                .iter()
                .map(|h| (OpaquePeerId(h.peer_id.clone()), h.account.clone()))
                .collect(),
        },
        council: pallet_collective::GenesisConfig { members: council },
        sudo: pallet_sudo::GenesisConfig { key: sudo },
    })
}

/// Peer ids of the node keys `0x00..01` to `0x00..04` (ed25519 public key behind the identity
/// multihash prefix `0x0024080112 20`), which the local network's nodes are started with.
pub const DEV_PEER_IDS: [[u8; 38]; 4] = [
    hex!("0024080112204cb5abf6ad79fbf5abbccafcc269d85cd2651ed4b885b5869f241aedf0a5ba29"),
    hex!("0024080112207422b9887598068e32c4448a949adb290d0f4e35b9e01b0ee5f1a1e600fe2674"),
    hex!("002408011220f381626e41e7027ea431bfe3009e94bdd25a746beec468948d6c3c7c5dc9a54b"),
    hex!("002408011220fd50b8e3b144ea244fbf7737f550bc8dd0c2650bbc1aada833ca17ff8dbf329b"),
];

/// A founding hospital whose every key derives from a development seed.
fn dev_hospital(
    index: usize,
    name: &'static str,
    sr: Sr25519Keyring,
    ed: Ed25519Keyring,
) -> FoundingHospital {
    FoundingHospital {
        account: sr.to_account_id(),
        name,
        peer_id: DEV_PEER_IDS[index].to_vec(),
        encryption_key: [index as u8 + 1; 48],
        aura: sr.public().into(),
        grandpa: ed.public().into(),
    }
}

/// The four hospitals of the local network.
pub fn local_hospitals() -> Vec<FoundingHospital> {
    vec![
        dev_hospital(
            0,
            "Alice General Hospital",
            Sr25519Keyring::Alice,
            Ed25519Keyring::Alice,
        ),
        dev_hospital(
            1,
            "Bob University Hospital",
            Sr25519Keyring::Bob,
            Ed25519Keyring::Bob,
        ),
        dev_hospital(
            2,
            "Charlie Children's Hospital",
            Sr25519Keyring::Charlie,
            Ed25519Keyring::Charlie,
        ),
        dev_hospital(
            3,
            "Dave County Hospital",
            Sr25519Keyring::Dave,
            Ed25519Keyring::Dave,
        ),
    ]
}

/// The presets: `dev` (Alice's hospital alone, Alice is sudo) and `local_testnet` (four
/// hospitals, no sudo).
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let genesis = match id.as_ref() {
        DEV_RUNTIME_PRESET => {
            let alice = local_hospitals().into_iter().take(1).collect();
            network_genesis(alice, Some(Sr25519Keyring::Alice.to_account_id()))
        }
        LOCAL_TESTNET_RUNTIME_PRESET => network_genesis(local_hospitals(), None),
        _ => return None,
    };
    serde_json::to_vec(&genesis).ok()
}

/// Names of the presets [`get_preset`] knows.
pub fn preset_names() -> Vec<PresetId> {
    vec![
        PresetId::from(DEV_RUNTIME_PRESET),
        PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
    ]
}
