//! `medchain <role> keygen`: one command for every role's account key, so that every key file is
//! made, protected and printed the same way.

use std::{
    io::{self, Write},
    path::PathBuf,
};

use clap::Args;
use serde::Serialize;

use crate::{
    error::CommandError,
    keys::{AccountKey, Role},
    output::Render,
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
pub struct Made {
    kind: Role,
    account: String,
    file: PathBuf,
    /// Hospitals register it; patients' reports are sealed to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption_key: Option<String>,
    /// A doctor's `pk_D`: they register it, the KGC seals their attribute key to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    doctor_key: Option<String>,
}

impl Render for Made {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{} key written to {}", self.kind, self.file.display())?;
        writeln!(out, "account:        {}", self.account)?;
        if let Some(key) = &self.encryption_key {
            writeln!(out, "encryption key: {key}")?;
        }
        if let Some(public) = &self.doctor_key {
            writeln!(out, "doctor key:     {public}")?;
            writeln!(
                out,
                "Give the account to your hospital (`medchain hospital add-doctor`), then register this key yourself (`medchain doctor register`)."
            )?;
        }
        Ok(())
    }
}

/// Makes a `role` key as `args` say; its public parts.
pub fn exec(role: Role, args: KeygenArgs) -> Result<Made, CommandError> {
    let key = AccountKey::generate(role, args.suri.as_deref())?;
    key.save(&args.out, args.force)?;
    Ok(Made {
        kind: role,
        account: key.ss58(),
        file: args.out,
        encryption_key: matches!(role, Role::Hospital | Role::Patient)
            .then(|| text::hex(key.encryption_public_key().as_bytes())),
        doctor_key: key
            .doctor
            .as_ref()
            .map(|d| text::hex(d.public.compress().as_bytes())),
    })
}
