//! `medchain <role> keygen`: one command for every role's account key, so that every key file is
//! made, protected and printed the same way.

use std::{path::PathBuf, process::ExitCode};

use clap::Args;
use codec::Encode;
use serde::Serialize;

use crate::{
    error::CommandError,
    keys::{AccountKey, Role},
    output::Output,
    text,
};

/// Where and how to make an account key.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// File to write the key to (JSON, mode 0600).
    #[arg(long)]
    pub out: PathBuf,
    /// Derive the key from a secret URI instead of the OS generator: `//Alice` and friends for
    /// development networks, whose accounts the chain spec knows.
    #[arg(long)]
    pub suri: Option<String>,
    /// Overwrite an existing file (the key in it is lost).
    #[arg(long)]
    pub force: bool,
}

/// What keygen prints: what others need to know about the new key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Made {
    kind: Role,
    account: String,
    file: PathBuf,
    /// Hospitals register it; patients' reports are sealed to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption_key: Option<String>,
    /// The KGC issues a doctor's attribute key to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    abe_public: Option<String>,
}

/// Makes a `role` key as `args` say and prints its public parts.
pub fn run(role: Role, args: KeygenArgs, output: Output) -> Result<ExitCode, CommandError> {
    let key = AccountKey::generate(role, args.suri.as_deref())?;
    key.save(&args.out, args.force)?;
    let made = Made {
        kind: role,
        account: key.ss58(),
        file: args.out,
        encryption_key: matches!(role, Role::Hospital | Role::Patient)
            .then(|| text::hex(&key.encryption_public_key())),
        abe_public: key.abe.as_ref().map(|abe| text::hex(&abe.public.encode())),
    };
    output.print(&made, |made, out| {
        writeln!(out, "{} key written to {}", made.kind, made.file.display())?;
        writeln!(out, "account:        {}", made.account)?;
        if let Some(key) = &made.encryption_key {
            writeln!(out, "encryption key: {key}")?;
        }
        if let Some(public) = &made.abe_public {
            writeln!(out, "ABE public key: {public}")?;
            writeln!(
                out,
                "Give the account and the ABE public key to the KGC (`medchain kgc issue-key`)."
            )?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
