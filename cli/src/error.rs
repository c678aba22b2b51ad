//! What stops a role command, with what to do about it.

use std::{io, path::PathBuf};

use medchain_client::{
    chain::ChainError, light::LightError, rpc::RpcError, sealing::SealingError,
    submit::SubmitError, trust::TrustError,
};

use crate::{audit::AuditError, keys::KeyFileError};

/// A command could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// An audit command failed.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// A key file could not be read or written.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The node did not answer, or refused a `medchain_` request.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// Reading the chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A transaction did not go through.
    #[error(transparent)]
    Submit(#[from] SubmitError),
    /// The node did not prove what it served.
    #[error("your hospital's node did not prove what it served, so nothing was done with it: {0}")]
    Unverified(#[from] LightError),
    /// The network's chain spec, or the node's chain, could not be trusted.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// A cryptographic step failed.
    #[error(transparent)]
    Sealing(#[from] SealingError),
    /// An input file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The result could not be printed.
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    /// The chain's state does not allow the command; the message says what to do instead.
    #[error("{0}")]
    Refused(String),
}
