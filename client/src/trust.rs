//! What patients' and doctors' clients trust about their network, and where it comes from: the
//! chain spec they were given, never a node's answer.
//!
//! `pp` and the first GRANDPA authorities are genesis state, and the genesis hash fixes that
//! state. A hospital's node that handed its patients a `pp` whose `alpha` it knew would read
//! every record they encrypt and could re-encrypt it under the real `pp` unnoticed; one that
//! named its own authorities could prove any state "final". So the client builds the genesis of
//! its chain spec itself (`--chain-spec`; without it, the development networks built into this
//! program: `--chain dev` and `--chain local`), refuses a node whose block 0 is another, and
//! reads every value its cryptography depends on from a block it proved final from there
//! ([`crate::light`]).

use std::path::Path;

use codec::DecodeAll;
use medchain_chain_specs::{ChainSpec, Genesis};
use medchain_crypto::abe::PublicParams;
use medchain_runtime::{pallet_kgc, Hash, Runtime};
use polkadot_sdk::{pallet_grandpa, sp_consensus_grandpa::AuthorityList};

use crate::{
    light::{self, FinalBlock, LightError},
    rpc::{NodeClient, RpcError},
};

/// The network could not be trusted: its chain spec is unusable, or the node serves another
/// chain or cannot prove what it serves.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The chain spec does not describe a usable MedChain network.
    #[error("the chain spec \"{name}\" is not a usable MedChain network: {why}")]
    Spec {
        /// The network's name in the spec.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// The chain spec file could not be read.
    #[error("{0}")]
    SpecFile(String),
    /// The node has no block 0.
    #[error("the node has no genesis block")]
    NoGenesis,
    /// The node's genesis is not the chain spec's.
    #[error("the node serves another chain than {expected}: nothing is encrypted, decrypted or trusted from it")]
    OtherChain {
        /// The networks it was compared with, in words.
        expected: String,
    },
    /// The node did not answer.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The node did not prove what it served.
    #[error("your hospital's node did not prove what it served, so nothing was done with it: {0}")]
    Unverified(#[from] LightError),
}

/// The network a client trusts: its genesis hash, `pp` and first GRANDPA authorities, all from
/// a chain spec.
#[derive(Debug, Clone)]
pub struct Anchor {
    genesis: Hash,
    params: PublicParams,
    authorities: AuthorityList,
}

impl Anchor {
    /// The anchor `spec` fixes. Refuses a spec whose `pp` is degenerate or missing.
    pub fn of(spec: &ChainSpec) -> Result<Self, TrustError> {
        let refused = |why: String| TrustError::Spec {
            name: polkadot_sdk::sc_chain_spec::ChainSpec::name(spec).to_owned(),
            why,
        };
        let genesis = Genesis::of(spec).map_err(|e| refused(e.to_string()))?;
        let stored = genesis
            .value(&pallet_kgc::Params::<Runtime>::hashed_key())
            .ok_or_else(|| refused("its genesis holds no public parameters".into()))?;
        let encoded = Vec::<u8>::decode_all(&mut &stored[..])
            .map_err(|e| refused(format!("its public parameters do not decode: {e}")))?;
        let params = PublicParams::decode_all(&mut &encoded[..])
            .map_err(|e| refused(format!("its public parameters are refused: {e}")))?;
        let authorities = genesis
            .value(&pallet_grandpa::Authorities::<Runtime>::hashed_key())
            .map(|bytes| AuthorityList::decode_all(&mut &bytes[..]))
            .transpose()
            .map_err(|e| refused(format!("its GRANDPA authorities do not decode: {e}")))?
            .unwrap_or_default();
        Ok(Self {
            genesis: genesis.hash(),
            params,
            authorities,
        })
    }

    /// The anchor of the chain spec file at `spec` (or of the built-in development network
    /// the node runs), checked against the node's genesis.
    pub async fn for_node(spec: Option<&Path>, client: &NodeClient) -> Result<Self, TrustError> {
        let served = client.block_hash(0).await?.ok_or(TrustError::NoGenesis)?;
        let candidates = match spec {
            Some(path) => vec![medchain_chain_specs::from_file(path)],
            None => vec![
                medchain_chain_specs::local(),
                medchain_chain_specs::development(),
            ],
        };
        for candidate in candidates {
            let candidate = candidate.map_err(|e| TrustError::SpecFile(e.to_string()))?;
            let anchor = Self::of(&candidate)?;
            if anchor.genesis == served {
                return Ok(anchor);
            }
        }
        let expected = spec.map_or_else(
            || "the development networks built into this program (pass --chain-spec for another network)".to_owned(),
            |path| format!("your chain spec {}", path.display()),
        );
        Err(TrustError::OtherChain { expected })
    }

    /// The network's public parameters.
    pub fn params(&self) -> &PublicParams {
        &self.params
    }

    /// The node's finalised head, proven final from this anchor and no older than
    /// [`light::MAX_HEAD_AGE`].
    pub async fn final_block(&self, client: &NodeClient) -> Result<FinalBlock, TrustError> {
        let block = light::finalized_head(client, self.genesis, self.authorities.clone()).await?;
        Ok(block.fresh(client).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use medchain_runtime::genesis::dev_kgc;

    fn local_spec_file() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/local-4-hospitals.json")
    }

    #[test]
    fn the_local_networks_chain_spec_holds_the_development_parameters() {
        let spec = medchain_chain_specs::from_file(&local_spec_file()).expect("reads");
        let anchor = Anchor::of(&spec).expect("usable");
        assert_eq!(anchor.params(), &dev_kgc::setup().0);
        assert_eq!(anchor.authorities.len(), 4, "the four hospitals finalise");
    }

    #[test]
    fn a_spec_with_degenerate_parameters_is_refused() {
        use codec::Encode;
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(local_spec_file()).expect("reads"))
                .expect("json");
        let mut degenerate = dev_kgc::setup().0;
        degenerate.g1 = Default::default();
        json["genesis"]["runtimeGenesis"]["patch"]["kgc"]["params"] =
            serde_json::to_value(degenerate.encode()).expect("bytes");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("degenerate.json");
        std::fs::write(&path, json.to_string()).expect("writes");
        let spec = medchain_chain_specs::from_file(&path).expect("still a chain spec");
        let refused = Anchor::of(&spec).expect_err("refused").to_string();
        assert!(
            refused.contains("not a usable MedChain network"),
            "{refused}"
        );
    }
}
