//! The argument groups several commands share, declared once: each role's commands flatten them
//! in, so `--key` and `--kgc` mean the same file, with the same help, everywhere. (`--node`,
//! `--json` and `--chain-spec` are global, on [`crate::Cli`].)
//!
//! Each dereferences to its path, so a command hands it on wherever a `&Path` is expected.

use std::{ops::Deref, path::Path, path::PathBuf};

use clap::Args;

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
