//! What every command runs with, built once from the global options: the node it talks to, the
//! network's chain spec and where its results go. Commands take the one [`Context`] rather than
//! a parameter per option (the way cargo hands each command its `GlobalContext`), so a new
//! global option is a field here and not a change to every signature.

use std::{path::PathBuf, process::ExitCode};

use medchain_client::{
    rpc::RpcError,
    trust::{Anchor, TrustError},
    Chain,
};

use crate::{
    args::GlobalArgs,
    error::CommandError,
    output::{Output, Render},
};

/// The global options of one invocation.
#[derive(Debug, Clone)]
pub struct Context {
    node: String,
    chain_spec: Option<PathBuf>,
    output: Output,
}

impl Context {
    /// The context the command line's global options describe.
    pub fn new(args: GlobalArgs) -> Self {
        Self {
            node: args.node,
            chain_spec: args.chain_spec,
            output: Output::new(args.json),
        }
    }

    /// The node's JSON-RPC endpoint, as given.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Where results, progress and errors go.
    pub fn output(&self) -> Output {
        self.output
    }

    /// Connects to the node.
    pub async fn connect(&self) -> Result<Chain, RpcError> {
        Chain::connect(&self.node).await
    }

    /// The network's trust anchor (`pp` and genesis, from `--chain-spec` or the development
    /// networks), checked against the genesis of the chain `chain`'s node serves.
    pub async fn anchor(&self, chain: &Chain) -> Result<Anchor, TrustError> {
        Anchor::for_node(self.chain_spec.as_deref(), chain.client()).await
    }

    /// Prints a command's result in the chosen form; the process's exit status is the
    /// result's.
    pub fn show<R: Render>(&self, result: &R) -> Result<ExitCode, CommandError> {
        Ok(self.output.show(result)?)
    }
}
