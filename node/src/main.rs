//! MedChain hospital node: a Substrate full node with Aura block production and GRANDPA
//! finality, peering only with the nodes of registered hospitals.

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
    command::run()
}
