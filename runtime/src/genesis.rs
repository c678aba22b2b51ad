//! Genesis presets: the founding hospitals of the built-in chains.
//!
//! Both presets use the well-known development seeds (`//Alice`, `//Bob`, ...) for accounts and
//! session keys, and node keys `0x00..01` to `0x00..04`: they are for development and local
//! networks only, since anyone can sign with them, and anyone can derive the hospitals'
//! encryption keys from them. A real network's chain spec is made by
//! exporting the `local_testnet` preset and replacing these fields; see the README.

use crate::{AccountId, RuntimeGenesisConfig, SessionKeys};
use alloc::{vec, vec::Vec};
use hex_literal::hex;
use medchain_types::CompressedG1;
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
    pub encryption_key: CompressedG1,
    pub aura: AuraId,
    pub grandpa: GrandpaId,
}

/// The KGC named in genesis: its account, `pp` and the update key of epoch 0 (nobody revoked),
/// both SCALE-encoded. The KGC runs Setup off-chain, natively, and hands these over.
pub struct KgcGenesis {
    pub account: AccountId,
    pub params: Vec<u8>,
    pub initial_update_key: Vec<u8>,
}

/// The genesis of a chain founded by `hospitals`, whose KGC is `kgc` (or none yet), with `sudo`
/// as the sudo key (dev chains only).
pub fn network_genesis(
    hospitals: Vec<FoundingHospital>,
    kgc: Option<KgcGenesis>,
    sudo: Option<AccountId>,
) -> Value {
    let (kgc_account, params, initial_update_key) = match kgc {
        Some(kgc) => (Some(kgc.account), kgc.params, kgc.initial_update_key),
        None => (None, Vec::new(), Vec::new()),
    };
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
                        h.encryption_key.as_bytes().to_vec(),
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
        kgc: pallet_kgc::GenesisConfig {
            kgc: kgc_account,
            params,
            initial_update_key,
        },
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

/// Encryption keys of the four development hospitals, derived from their account keys
/// (`//Alice` ... `//Dave`) as every node derives its own ([`crate::hospital_keys`]); a test
/// below recomputes them.
pub const DEV_ENCRYPTION_KEYS: [CompressedG1; 4] = [
    CompressedG1::from_bytes(hex!("a88bd0515170f6c64c72450624a659e6bebcf9d5967bf1c072fb6ff2cb8586db143e17f294b4e0c112234552d5972712")),
    CompressedG1::from_bytes(hex!("b8c60af7ed751718789a32c5667b3b6c6b509fe001e470fa3df9724be11fccd580c8432b6fa4899d61c40e06d3d6a498")),
    CompressedG1::from_bytes(hex!("adae69122fb0c76da47042692c423db418afa9bd8ae7c1a7319486b4c39b37ceff1ff6dafd02ead879bc64b7bad1579a")),
    CompressedG1::from_bytes(hex!("a85bee2caf3cf0a05a924de0cce1b8910e62fe1c97106bbdbb26bddf6d73f4d6c4328a512d28ceb3768f0bc4e2cf944c")),
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
        encryption_key: DEV_ENCRYPTION_KEYS[index],
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

/// The development chain's genesis: Alice's hospital alone, Alice is sudo.
pub fn development_genesis(kgc: Option<KgcGenesis>) -> Value {
    let alice = local_hospitals().into_iter().take(1).collect();
    network_genesis(alice, kgc, Some(Sr25519Keyring::Alice.to_account_id()))
}

/// The local network's genesis: four hospitals, no sudo.
pub fn local_testnet_genesis(kgc: Option<KgcGenesis>) -> Value {
    network_genesis(local_hospitals(), kgc, None)
}

/// The presets: `dev` (Alice's hospital alone, Alice is sudo) and `local_testnet` (four
/// hospitals, no sudo). They name no KGC: Setup is too heavy for the runtime to run, so the node
/// adds the development KGC ([`dev_kgc`]) to its built-in chains natively.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let genesis = match id.as_ref() {
        DEV_RUNTIME_PRESET => development_genesis(None),
        LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(None),
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

/// The development KGC: Ferdie's account and a Setup from a published seed, so that anyone can
/// derive its master secret. For development and local networks only, like the `//Alice` keys.
#[cfg(feature = "std")]
pub mod dev_kgc {
    use super::KgcGenesis;
    use crate::AccountId;
    use codec::Encode;
    use medchain_crypto::{
        abe::{self, KeyTables, MasterSecretKey, PublicParams},
        seeded_rng,
    };
    use medchain_types::Epoch;
    use polkadot_sdk::sp_keyring::Sr25519Keyring;

    /// Seed of the development KGC's Setup.
    pub const SEED: [u8; 32] = *b"medchain/dev-kgc/well-known-seed";
    /// Seed of the randomness in its update keys.
    pub const UPDATE_KEY_SEED: [u8; 32] = *b"medchain/dev-kgc/update-key-seed";
    /// Depth of its revocation tree: 65,536 doctors.
    pub const TREE_DEPTH: u8 = 16;

    /// The development KGC's account (`//Ferdie`).
    pub fn account() -> AccountId {
        Sr25519Keyring::Ferdie.to_account_id()
    }

    /// Its public parameters and master secret.
    pub fn setup() -> (PublicParams, MasterSecretKey) {
        abe::setup(TREE_DEPTH, &mut seeded_rng(SEED)).expect("the development tree depth is valid")
    }

    /// What the genesis of a development chain says about it.
    pub fn genesis() -> KgcGenesis {
        let (pp, msk) = setup();
        let initial_update_key = abe::upd_keygen(
            &pp,
            &KeyTables::new(&pp),
            &msk,
            Epoch::new(0),
            &[],
            &mut seeded_rng(UPDATE_KEY_SEED),
        )
        .expect("nobody is revoked at genesis")
        .encode();
        KgcGenesis {
            account: account(),
            params: pp.encode(),
            initial_update_key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_encryption_keys_derive_from_the_account_keys() {
        let derived: Vec<CompressedG1> = [
            Sr25519Keyring::Alice,
            Sr25519Keyring::Bob,
            Sr25519Keyring::Charlie,
            Sr25519Keyring::Dave,
        ]
        .iter()
        .map(|k| crate::hospital_keys::registered_encryption_key(&k.pair()))
        .collect();
        let hex: Vec<String> = derived
            .iter()
            .map(|k| format!("{}", HexDisplay(k.as_bytes())))
            .collect();
        assert_eq!(derived, DEV_ENCRYPTION_KEYS.to_vec(), "{hex:#?}");
    }

    struct HexDisplay<'a>(&'a [u8]);
    impl core::fmt::Display for HexDisplay<'_> {
        fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
            self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
        }
    }
}
