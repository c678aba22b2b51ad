//! Built-in chains: `dev` (one hospital, sudo) and `local` (the four-hospital local network).
//! Any other `--chain` value is read as a chain spec file.

use medchain_runtime::{
    genesis::{self, dev_kgc},
    WASM_BINARY,
};
use polkadot_sdk::sc_service::{self, ChainType};

/// Chain spec of MedChain: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm() -> Result<&'static [u8], String> {
    WASM_BINARY
        .ok_or_else(|| "the node was built without its WASM runtime (SKIP_WASM_BUILD)".into())
}

/// Alice's hospital alone, Alice holds sudo, and the development KGC (Ferdie): for development.
pub fn development() -> Result<ChainSpec, String> {
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
pub fn local() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm()?, None)
        .with_name("MedChain Local (4 hospitals)")
        .with_id("medchain_local")
        .with_chain_type(ChainType::Local)
        .with_genesis_config_patch(genesis::local_testnet_genesis(Some(dev_kgc::genesis())))
        .build())
}
