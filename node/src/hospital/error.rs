//! The failures the hospital services' components share. Each component has its own error
//! type built from these; the RPC maps each to a refusal once (`rpc/refusal.rs`).

use std::fmt::Display;

/// Part of the chain's state could not be read at a block.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {what}: {reason}")]
pub struct Unreadable {
    /// What was read.
    pub what: &'static str,
    /// The client's reason.
    pub reason: String,
}

/// For `map_err` on a read of `what`.
pub fn unreadable<E: Display>(what: &'static str) -> impl FnOnce(E) -> Unreadable {
    move |e| Unreadable {
        what,
        reason: e.to_string(),
    }
}

/// The operating system gave no randomness.
#[derive(Debug, thiserror::Error)]
#[error("no randomness from the operating system: {0}")]
pub struct NoRandomness(pub String);

/// A lock was poisoned: a thread panicked while changing what it guards.
#[derive(Debug, thiserror::Error)]
#[error("{0} is unusable: a thread failed while changing it")]
pub struct Poisoned(pub &'static str);
