//! # MedChain command-line client
//!
//! One binary, `medchain`, with a subcommand group per role. Every group talks to a node over
//! its JSON-RPC (`--node`) and prints text for people, or one JSON document with `--json`.
//!
//! - `kgc`: the key generation centre's Setup, key issuing, revocation and update keys ([`kgc`]).
//! - `audit`: the auditor's replay of the ledger ([`audit`]).
//!
//! Each group is a module with its own `clap` subcommand enum and an async `run`; adding a
//! role is a variant of [`Command`] and one arm in [`run`].

pub mod audit;
pub mod chain;
pub mod dispatch;
pub mod error;
pub mod keygen;
pub mod keys;
pub mod kgc;
pub mod output;
pub mod rpc;
pub mod sealing;
pub mod services;
pub mod submit;
pub mod text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use output::Output;

/// Exit status when a command could not run (unreachable node, unwritable output, ...), as
/// opposed to 1, which `audit verify` uses for a ledger that fails the audit.
const EXIT_ERROR: u8 = 2;

/// MedChain's command-line client.
#[derive(Debug, Parser)]
#[command(name = "medchain", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// JSON-RPC endpoint of a MedChain node: http(s):// or ws(s)://.
    #[arg(long, global = true, default_value = "http://127.0.0.1:9944")]
    pub node: String,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The role groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The key generation centre: Setup, doctors' attribute keys, revocations, update keys.
    #[command(subcommand)]
    Kgc(kgc::KgcCommand),
    /// The auditor: replay the ledger from genesis, check its integrity, finality and rules.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

/// Parses the command line, runs the command, and returns the process's exit status.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let output = Output::new(cli.json);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            output.error(&error);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Kgc(command) => kgc::run(command, &cli.node, output).await,
            Command::Audit(command) => Ok(audit::run(command, &cli.node, output).await?),
        }
    });
    result.unwrap_or_else(|error| {
        output.error(&error);
        ExitCode::from(EXIT_ERROR)
    })
}
