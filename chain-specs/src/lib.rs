//! MedChain's chain specs, and the genesis block each one fixes.
//!
//! A chain spec is what a hospital, a patient's or doctor's client and an auditor are given to
//! say which network they mean. Its genesis state holds what every client must not take on a
//! node's word (the ABE public parameters `pp`, the first GRANDPA authorities), and its genesis
//! hash names the chain. [`Genesis::of`] builds that state the way a node does (running the
//! spec's runtime genesis builder for a plain spec, taking the storage of a raw one) and hashes
//! the genesis header, so a client compares one hash with the node's block 0 and from then on
//! trusts the values it read from its own copy of the state.
//!
//! The node takes its built-in chains from here too, so the two can never drift apart.

use std::path::Path;

use medchain_runtime::{
    genesis::{self, dev_kgc},
    Block, Hash, WASM_BINARY,
};
use polkadot_sdk::{
    sc_chain_spec::{self, construct_genesis_block, ChainType},
    sc_executor::read_embedded_version,
    sc_executor_common::runtime_blob::RuntimeBlob,
    sp_core::storage::{well_known_keys, Storage},
    sp_runtime::{
        traits::{BlakeTwo256, Block as _},
        BuildStorage,
    },
    sp_state_machine::TrieBackend,
};

/// A MedChain chain spec: no extensions.
pub type ChainSpec = sc_chain_spec::GenericChainSpec;

/// Why a chain spec yields no genesis.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// This program was built without the WASM runtime.
    #[error("this program was built without its WASM runtime (SKIP_WASM_BUILD)")]
    NoRuntime,
    /// The file is not a chain spec.
    #[error("{path} is not a chain spec: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// What the parser said.
        reason: String,
    },
    /// The spec's genesis cannot be built.
    #[error("the chain spec's genesis cannot be built: {0}")]
    Genesis(String),
    /// The genesis holds no runtime whose version names the state layout.
    #[error("the chain spec's genesis runtime gives no version: {0}")]
    RuntimeVersion(String),
}

fn wasm() -> Result<&'static [u8], SpecError> {
    WASM_BINARY.ok_or(SpecError::NoRuntime)
}

/// Alice's hospital alone, Alice holds sudo, and the development KGC (Ferdie): for development.
pub fn development() -> Result<ChainSpec, SpecError> {
    Ok(ChainSpec::builder(wasm()?, None)
        .with_name("MedChain Development")
        .with_id("medchain_dev")
        .with_chain_type(ChainType::Development)
        .with_genesis_config_patch(genesis::development_genesis(Some(dev_kgc::genesis())))
        .build())
}

/// Four hospitals (Alice, Bob, Charlie, Dave) with development seeds and node keys `0x00..01`
/// to `0x00..04`, the development KGC (Ferdie), no sudo: what `scripts/local-network.sh` runs and
/// `chain-specs/local-4-hospitals.json` holds.
pub fn local() -> Result<ChainSpec, SpecError> {
    Ok(ChainSpec::builder(wasm()?, None)
        .with_name("MedChain Local (4 hospitals)")
        .with_id("medchain_local")
        .with_chain_type(ChainType::Local)
        .with_genesis_config_patch(genesis::local_testnet_genesis(Some(dev_kgc::genesis())))
        .build())
}

/// The built-in chains, by the name `--chain` gives them.
pub fn built_in(name: &str) -> Option<Result<ChainSpec, SpecError>> {
    match name {
        "dev" => Some(development()),
        "local" => Some(local()),
        _ => None,
    }
}

/// The chain spec in the file at `path` (plain or raw).
pub fn from_file(path: &Path) -> Result<ChainSpec, SpecError> {
    ChainSpec::from_json_file(path.to_owned()).map_err(|reason| SpecError::Unreadable {
        path: path.display().to_string(),
        reason,
    })
}

/// The genesis block a chain spec fixes: its hash and its whole state.
pub struct Genesis {
    hash: Hash,
    storage: Storage,
}

impl Genesis {
    /// Builds the genesis state of `spec` and hashes its header, as a node does when it starts
    /// a chain from that spec.
    pub fn of(spec: &ChainSpec) -> Result<Self, SpecError> {
        let storage = spec.build_storage().map_err(SpecError::Genesis)?;
        let code = storage
            .top
            .get(well_known_keys::CODE)
            .ok_or_else(|| SpecError::RuntimeVersion("there is no runtime code".into()))?;
        let version = RuntimeBlob::uncompress_if_needed(code)
            .and_then(|blob| read_embedded_version(&blob))
            .map_err(|e| SpecError::RuntimeVersion(e.to_string()))?
            .ok_or_else(|| SpecError::RuntimeVersion("the code embeds no version".into()))?;
        let state_version = version.state_version();
        let root = *TrieBackend::<_, BlakeTwo256>::from((storage.clone(), state_version)).root();
        let block = construct_genesis_block::<Block>(root, state_version);
        Ok(Self {
            hash: block.header().hash(),
            storage,
        })
    }

    /// The genesis hash: the name of the chain.
    pub fn hash(&self) -> Hash {
        self.hash
    }

    /// The genesis value under the top-level storage `key`.
    pub fn value(&self, key: &[u8]) -> Option<&[u8]> {
        self.storage.top.get(key).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_local_spec_fixes_the_built_in_local_genesis_but_for_its_code() {
        // The file embeds the runtime of the build that exported it; with this build's runtime
        // in its place, it must name the same chain as `--chain local`.
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("local-4-hospitals.json");
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).expect("reads")).expect("json");
        assert!(sc_chain_spec::update_code_in_json_chain_spec(
            &mut json,
            wasm().expect("runtime")
        ));
        let from_file =
            ChainSpec::from_json_bytes(json.to_string().into_bytes()).expect("a chain spec");
        let built_in = Genesis::of(&local().expect("local")).expect("builds");
        assert_eq!(
            Genesis::of(&from_file).expect("builds").hash(),
            built_in.hash()
        );
        let dev = Genesis::of(&development().expect("dev")).expect("builds");
        assert_ne!(dev.hash(), built_in.hash(), "two networks, two names");
    }
}
