//! # MedChain command-line client
//!
//! One binary, `medchain`, with a subcommand group per role. Every group talks to a node over
//! its JSON-RPC (`--node`) and prints text for people, or one JSON document with `--json`.
//!
//! - `kgc`: the key generation centre's Setup, key issuing, revocation and update keys ([`kgc`]).
//! - `hospital`: admissions by the council, authorisations, doctors, consultations ([`hospital`]).
//! - `patient`: encrypted uploads, reports, disputes ([`patient`]).
//! - `doctor`: search, claims, decryption, reports ([`doctor`]).
//! - `audit`: the auditor's replay of the ledger ([`audit`]).
//!
//! Each group is a module in cargo's shape: its `clap` subcommand enum says what may be asked,
//! its `exec` does it with the invocation's [`Context`] and returns the result as a value, and
//! the result's [`Render`](output::Render) implementation says how it reads for people. Adding a
//! role is a variant of [`Command`] and one arm in [`exec`].

pub mod args;
pub mod audit;
pub mod context;
pub mod doctor;
pub mod error;
pub mod hospital;
pub mod keygen;
pub mod keys;
pub mod kgc;
pub mod names;
pub mod output;
pub mod patient;
pub mod records;
pub mod submit;
pub mod text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{args::GlobalArgs, context::Context, error::CommandError};

/// Exit status when a command could not run (unreachable node, unwritable output, ...), as
/// opposed to 1, which `audit verify` uses for a ledger that fails the audit.
const EXIT_ERROR: u8 = 2;

/// MedChain's command-line client.
#[derive(Debug, Parser)]
#[command(name = "medchain", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The options of every command.
    #[command(flatten)]
    pub global: GlobalArgs,
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
    /// A hospital's administrator: council admissions, authorisations, doctors, consultations.
    #[command(subcommand)]
    Hospital(hospital::HospitalCommand),
    /// A patient: upload an encrypted record, read and dispute its reports.
    #[command(subcommand)]
    Patient(patient::PatientCommand),
    /// A doctor: search records, claim consultations, decrypt records, send reports.
    #[command(subcommand)]
    Doctor(doctor::DoctorCommand),
    /// The auditor: replay the ledger from genesis, check its integrity, finality and rules.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

/// Parses the command line, runs the command, and returns the process's exit status.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let context = Context::new(cli.global);
    let output = context.output();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            output.error(&error);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    runtime
        .block_on(exec(cli.command, &context))
        .unwrap_or_else(|error| {
            output.error(&error);
            ExitCode::from(EXIT_ERROR)
        })
}

/// Runs `command` in `context`.
pub async fn exec(command: Command, context: &Context) -> Result<ExitCode, CommandError> {
    match command {
        Command::Kgc(command) => kgc::exec(command, context).await,
        Command::Hospital(command) => hospital::exec(command, context).await,
        Command::Patient(command) => patient::exec(command, context).await,
        Command::Doctor(command) => doctor::exec(command, context).await,
        Command::Audit(command) => Ok(audit::exec(command, context).await?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    fn parses(args: &[&str]) -> Command {
        let mut line = vec!["medchain"];
        line.extend_from_slice(args);
        match Cli::try_parse_from(&line) {
            Ok(cli) => cli.command,
            Err(error) => panic!("{args:?} does not parse: {error}"),
        }
    }

    fn refused(args: &[&str]) -> String {
        let mut line = vec!["medchain"];
        line.extend_from_slice(args);
        match Cli::try_parse_from(&line) {
            Ok(cli) => panic!("{args:?} parsed as {:?}", cli.command),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn every_role_command_parses() {
        let proposal = format!("0x{}", "11".repeat(32));
        // A key that is a point: `--encryption-key` is checked as it is parsed.
        let encryption_key =
            hex::encode(medchain_runtime::genesis::DEV_ENCRYPTION_KEYS[0].as_bytes());
        let commands: Vec<Vec<&str>> = vec![
            vec!["kgc", "keygen", "--out", "kgc.json"],
            vec![
                "kgc", "keygen", "--out", "kgc.json", "--suri", "//Ferdie", "--force",
            ],
            vec!["kgc", "setup", "--out", "s.json", "--dev"],
            vec!["kgc", "setup", "--out", "s.json", "--depth", "10"],
            vec![
                "kgc",
                "issue-key",
                "--kgc",
                "s.json",
                "--key",
                "k.json",
                "--doctor",
                ALICE,
                "--attributes",
                "cardiology,consultant",
            ],
            vec![
                "kgc", "revoke", "--kgc", "s.json", "--key", "k.json", "--doctor", ALICE,
            ],
            vec![
                "kgc",
                "publish-update",
                "--kgc",
                "s.json",
                "--key",
                "k.json",
            ],
            vec!["kgc", "status"],
            vec!["hospital", "keygen", "--out", "h.json"],
            vec![
                "hospital",
                "admit",
                "--key",
                "k.json",
                "--hospital",
                ALICE,
                "--name",
                "Eve Clinic",
                "--peer-id",
                "12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x",
                "--encryption-key",
                &encryption_key,
                "--session-keys",
                "0x00",
            ],
            vec![
                "hospital",
                "vote",
                "--key",
                "k.json",
                "--proposal",
                &proposal,
                "--approve",
            ],
            vec![
                "hospital",
                "authorize",
                "--key",
                "k.json",
                "--to",
                ALICE,
                "--expires-in",
                "100",
            ],
            vec!["hospital", "withdraw", "--key", "k.json", "--to", ALICE],
            vec![
                "hospital",
                "add-doctor",
                "--key",
                "k.json",
                "--doctor",
                ALICE,
            ],
            vec![
                "hospital",
                "open-consultation",
                "--key",
                "k.json",
                "--record",
                "3",
            ],
            vec!["hospital", "status"],
            vec!["hospital", "status", "--hospital", ALICE],
            vec!["patient", "keygen", "--out", "p.json"],
            vec![
                "patient",
                "upload",
                "ecg.txt",
                "--key",
                "k.json",
                "--policy",
                "cardiology and consultant",
                "--keywords",
                "cardiology,arrhythmia",
            ],
            vec!["patient", "reports", "--key", "k.json"],
            vec![
                "patient",
                "open-report",
                "3",
                "--key",
                "k.json",
                "--out",
                "r.txt",
            ],
            vec!["patient", "dispute", "3", "--key", "k.json"],
            vec!["doctor", "keygen", "--out", "d.json"],
            vec!["doctor", "register", "--key", "d.json"],
            vec![
                "doctor",
                "search",
                "--key",
                "k.json",
                "--interests",
                "cardiology,arrhythmia",
            ],
            vec![
                "doctor",
                "claim",
                "3",
                "--key",
                "k.json",
                "--interests",
                "cardiology",
                "--wait",
            ],
            vec![
                "doctor", "open", "3", "--key", "k.json", "--out", "r.txt", "--force",
            ],
            vec!["doctor", "report", "3", "report.txt", "--key", "k.json"],
        ];
        for command in commands {
            let mut line = vec!["--node", "ws://127.0.0.1:9945", "--json"];
            line.extend(command);
            parses(&line);
        }
        match parses(&[
            "kgc",
            "issue-key",
            "--kgc",
            "s",
            "--key",
            "k",
            "--doctor",
            ALICE,
            "--attributes",
            "a,b,c",
        ]) {
            Command::Kgc(kgc::KgcCommand::IssueKey(args)) => {
                assert_eq!(args.attributes, ["a", "b", "c"]);
                assert_eq!(text::account(&args.doctor), ALICE);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_arguments_are_refused_with_what_was_expected() {
        assert!(refused(&["kgc", "setup", "--out", "s.json"]).contains("--dev"));
        assert!(
            refused(&["kgc", "setup", "--out", "s.json", "--dev", "--depth", "3"])
                .contains("cannot be used with")
        );
        assert!(refused(&["kgc", "revoke", "--key", "k", "--doctor", "bob"]).contains("SS58"));
        assert!(
            refused(&["hospital", "vote", "--key", "k", "--proposal", "0x11"]).contains("32 bytes")
        );
        let hash = format!("0x{}", "11".repeat(32));
        assert!(
            refused(&["hospital", "vote", "--key", "k", "--proposal", &hash]).contains("--approve")
        );
        assert!(refused(&[
            "hospital",
            "authorize",
            "--key",
            "k",
            "--to",
            ALICE,
            "--expires-in",
            "0"
        ])
        .contains("expires-in"));
        assert!(refused(&[
            "hospital",
            "admit",
            "--key",
            "k",
            "--hospital",
            ALICE,
            "--name",
            "E",
            "--peer-id",
            "12D3",
            "--encryption-key",
            "0x01",
            "--session-keys",
            "0x"
        ])
        .contains("48 bytes"));
        assert!(
            refused(&["patient", "upload", "f", "--key", "k", "--policy", "p"])
                .contains("--keywords")
        );
        assert!(
            refused(&["doctor", "claim", "x", "--key", "k", "--interests", "a"])
                .contains("invalid digit")
        );
    }
}
