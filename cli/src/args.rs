//! The argument groups several commands share, declared once: each role's commands flatten them
//! in, so `--key` and `--kgc` mean the same file, with the same help, everywhere; the global
//! options every command takes are [`GlobalArgs`], which become the command's
//! [`Context`](crate::context::Context).
//!
//! The file groups dereference to their path, so a command hands one on wherever a `&Path` is
//! expected.

use std::{ops::Deref, path::Path, path::PathBuf};

use clap::Args;

/// The options of every command, given before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// JSON-RPC endpoint of a MedChain node: http(s):// or ws(s)://.
    #[arg(long, global = true, default_value = "http://127.0.0.1:9944")]
    pub node: String,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The network's chain spec, from which patients' and doctors' commands take the public
    /// parameters `pp` (never from the node). Without it: the development networks' `pp`.
    #[arg(long, global = true)]
    pub chain_spec: Option<PathBuf>,
}

/// The account key file of whoever runs the command.
#[derive(Debug, Clone, Args)]
pub struct KeyFile {
    /// Your account key file (made with this role's `keygen`): it signs what the command
    /// sends, and must be this role's.
    #[arg(id = "key", long = "key", value_name = "FILE")]
    pub path: PathBuf,
}

impl Deref for KeyFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

/// The KGC's Setup file.
#[derive(Debug, Clone, Args)]
pub struct SetupFile {
    /// The KGC's Setup file (`medchain kgc setup`), which holds the master secret `msk`.
    #[arg(id = "kgc", long = "kgc", value_name = "FILE")]
    pub path: PathBuf,
}

impl Deref for SetupFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}
