//! MedChain hospital node: a Substrate full node with Aura block production and GRANDPA
//! finality, peering only with the nodes of registered hospitals.

// `sc_cli::Error` and `sc_service::Error`, which the Substrate runner and service builders
// require, are large enums; boxing them here would only add conversions at every call.
#![allow(clippy::result_large_err)]

mod cli;
mod command;
mod hospital;
mod rpc;
mod service;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
    command::run()
}
