//! `medchain doctor`: a doctor's commands, through their own hospital's node (`--node`). The
//! node matches interests and pre-decrypts with the doctor's key of the record's epoch; only the
//! doctor's own ABE secret, which never leaves their machine, finishes the decryption.

use std::{path::PathBuf, process::ExitCode};

use clap::Subcommand;
use codec::Encode;
use medchain_crypto::hash::{keyword_digest, sha256};
use medchain_rpc_api::{ClaimRequest, Claimed, Hit, RecordRequest, ReportUpload, Search};
use medchain_runtime::{pallet_results, BlockNumber, Runtime, RuntimeCall};
use polkadot_sdk::sp_core::Bytes;
use rand::rngs::OsRng;
use serde::Serialize;

use crate::{
    chain::Chain,
    error::CommandError,
    keygen::{self, KeygenArgs},
    keys::{write_private, AccountKey, Role},
    output::Output,
    patient,
    records::{self, check_hash, Consultation},
    sealing,
    services::{self, Service},
    submit::{events_of, submit},
    text,
};

/// A doctor's commands.
#[derive(Debug, Subcommand)]
pub enum DoctorCommand {
    /// Make a doctor's account key and ABE key pair; give the printed account and ABE public
    /// key to the KGC, and the account to your hospital.
    Keygen(KeygenArgs),
    /// Find records matching your interests in every hospital that authorises yours.
    Search {
        /// The doctor's key file.
        #[arg(long)]
        key: PathBuf,
        /// Interests, comma-separated (only their digests leave the machine).
        #[arg(long, value_delimiter = ',', required = true)]
        interests: Vec<String>,
    },
    /// Claim a record in consultation: the doctor whose interests match most is assigned.
    Claim {
        /// The record's id.
        record: u64,
        /// The doctor's key file.
        #[arg(long)]
        key: PathBuf,
        /// Interests, comma-separated: the node counts how many the record matches.
        #[arg(long, value_delimiter = ',', required = true)]
        interests: Vec<String>,
        /// Wait for the consultation to close and say who was assigned.
        #[arg(long)]
        wait: bool,
    },
    /// Decrypt a record your attributes allow (written with mode 0600); the access is logged
    /// on-chain.
    Open {
        /// The record's id.
        record: u64,
        /// The doctor's key file.
        #[arg(long)]
        key: PathBuf,
        /// File to write the record to.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Send the report on a record assigned to you, sealed to its patient.
    Report {
        /// The record's id.
        record: u64,
        /// The report to send.
        file: PathBuf,
        /// The doctor's key file.
        #[arg(long)]
        key: PathBuf,
    },
}

/// Runs `command` against the node at `node`.
pub async fn run(
    command: DoctorCommand,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    match command {
        DoctorCommand::Keygen(args) => keygen::run(Role::Doctor, args, output),
        DoctorCommand::Search { key, interests } => search(&key, &interests, node, output).await,
        DoctorCommand::Claim {
            record,
            key,
            interests,
            wait,
        } => claim(record, &key, &interests, wait, node, output).await,
        DoctorCommand::Open {
            record,
            key,
            out,
            force,
        } => open(record, &key, &out, force, node, output).await,
        DoctorCommand::Report { record, file, key } => {
            report(record, &file, &key, node, output).await
        }
    }
}

fn digests(interests: &[String]) -> Vec<[u8; 32]> {
    interests.iter().map(|word| keyword_digest(word)).collect()
}

#[derive(Serialize)]
struct HitView {
    record: u64,
    hospital: String,
    matched: u32,
}

async fn search(
    key: &std::path::Path,
    interests: &[String],
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let chain = Chain::connect(node).await?;
    let spinner = output.spinner("searching");
    let hits: Result<Vec<Hit>, _> = services::request(
        &chain,
        &doctor.pair,
        Service::Search,
        Search {
            interests: digests(interests),
        },
    )
    .await;
    spinner.finish_and_clear();
    let views: Vec<HitView> = hits?
        .into_iter()
        .map(|hit| HitView {
            record: hit.record,
            hospital: text::account(&hit.hospital),
            matched: hit.matched,
        })
        .collect();
    output.print(&views, |views, out| {
        if views.is_empty() {
            return writeln!(out, "No record matches.");
        }
        writeln!(out, "{:>8}  {:<48}  matched", "record", "hospital")?;
        for v in views {
            writeln!(out, "{:>8}  {:<48}  {}", v.record, v.hospital, v.matched)?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimView {
    record: u64,
    matched: u32,
    transaction: String,
    closes_at: BlockNumber,
    /// With `--wait`: the doctor the consultation assigned (`None` while open or if none was).
    #[serde(skip_serializing_if = "Option::is_none")]
    assigned: Option<String>,
    /// With `--wait`: whether it assigned this doctor.
    #[serde(skip_serializing_if = "Option::is_none")]
    won: Option<bool>,
}

async fn claim(
    record: u64,
    key: &std::path::Path,
    interests: &[String],
    wait: bool,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let chain = Chain::connect(node).await?;
    let body = ClaimRequest {
        record,
        interests: digests(interests),
    };
    let claimed: Claimed = services::request(&chain, &doctor.pair, Service::Claim, body).await?;
    let account = &doctor.account;
    let outcome = chain
        .wait_final(
            output,
            "the claim to be final",
            "the node submitted the claim but it is not on-chain: the consultation may have closed meanwhile (`medchain patient reports` shows it)",
            |at| {
                let chain = &chain;
                async move {
                    let consultation: Option<Consultation> =
                        chain.api("RecordsApi_consultation", record, Some(at)).await?;
                    Ok(match consultation {
                        Some(c) if c.claims.iter().any(|claim| &claim.doctor == account) => {
                            Some(Ok(c.closes_at))
                        }
                        Some(c) if c.closed => Some(Err("the consultation closed before the claim")),
                        None => Some(Err("the record has no consultation")),
                        Some(_) => None,
                    })
                }
            },
        )
        .await?;
    let closes_at = outcome.map_err(|why| {
        CommandError::Refused(format!(
            "record {record}: {why}; its hospital opens consultations with `medchain hospital open-consultation`"
        ))
    })?;
    let assigned = if wait {
        let assigned = chain
            .wait_final(
                output,
                "the consultation to close",
                "the consultation did not close in time: `medchain patient reports` shows it later",
                |at| {
                    let chain = &chain;
                    async move {
                        let consultation: Option<Consultation> = chain
                            .api("RecordsApi_consultation", record, Some(at))
                            .await?;
                        Ok(consultation
                            .filter(|c| c.closed)
                            .map(|c| c.assigned.map(|claim| claim.doctor)))
                    }
                },
            )
            .await?;
        Some(assigned)
    } else {
        None
    };
    let view = ClaimView {
        record,
        matched: claimed.matched,
        transaction: text::hex(&claimed.transaction),
        closes_at,
        won: assigned.as_ref().map(|a| a.as_ref() == Some(account)),
        assigned: assigned.flatten().map(|doctor| doctor.to_string()),
    };
    output.print(&view, |v, out| {
        writeln!(
            out,
            "Claimed record {} with {} matched interests; the consultation closes at block #{} and assigns the best match.",
            v.record, v.matched, v.closes_at
        )?;
        match (v.won, &v.assigned) {
            (Some(true), _) => writeln!(out, "Assigned to you: you may report on it."),
            (Some(false), Some(other)) => writeln!(out, "Assigned to another doctor, {other}."),
            (Some(false), None) => writeln!(out, "The consultation closed without an assignment."),
            (None, _) => Ok(()),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenedRecord {
    record: u64,
    file: PathBuf,
    size: usize,
}

async fn open(
    record: u64,
    key: &std::path::Path,
    out_file: &std::path::Path,
    force: bool,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let abe = doctor.abe.as_ref().ok_or_else(|| {
        CommandError::Refused("the doctor's key file holds no ABE secret".to_owned())
    })?;
    let chain = Chain::connect(node).await?;
    let published = records::record(&chain, record, None).await?;
    let request = RecordRequest { record };
    let semi: Bytes =
        services::request(&chain, &doctor.pair, Service::PreDecrypt, request.clone()).await?;
    let spinner = output.spinner(&format!(
        "fetching the sealed record ({} bytes)",
        published.payload_size
    ));
    let payload: Result<Bytes, _> =
        services::request(&chain, &doctor.pair, Service::FetchPayload, request).await;
    spinner.finish_and_clear();
    let payload = payload?;
    check_hash("payload", &payload, &published.payload_hash)?;
    let plaintext = sealing::open_record(&abe.secret, &semi, &published.capsule, &payload)?;
    write_private(out_file, &plaintext, force)?;
    let opened = OpenedRecord {
        record,
        file: out_file.to_owned(),
        size: plaintext.len(),
    };
    output.print(&opened, |o, out| {
        writeln!(
            out,
            "Record {} written to {} ({} bytes).",
            o.record,
            o.file.display(),
            o.size
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reported {
    record: u64,
    report: Option<u64>,
    payload_hash: String,
    block: BlockNumber,
}

async fn report(
    record: u64,
    file: &std::path::Path,
    key: &std::path::Path,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let text_of_report = patient::read(file)?;
    let chain = Chain::connect(node).await?;
    let published = records::record(&chain, record, None).await?;
    let sealed = sealing::seal_report(&published.patient_key, &text_of_report, &mut OsRng)?;
    let encoded = sealed.encode();
    let payload_hash = sha256(&encoded);
    let payload_size = encoded.len() as u64;
    let spinner = output.spinner(&format!("storing the sealed report ({payload_size} bytes)"));
    let stored: Result<Bytes, _> = services::request(
        &chain,
        &doctor.pair,
        Service::StoreReport,
        ReportUpload {
            record,
            sealed: encoded,
        },
    )
    .await;
    spinner.finish_and_clear();
    let stored = stored?;
    if stored.0 != payload_hash {
        return Err(CommandError::Refused(format!(
            "the node stored the report under {}, not its SHA-256 {}",
            text::hex(&stored),
            text::hex(&payload_hash)
        )));
    }
    let mut ephemeral = [0u8; 48];
    ephemeral.copy_from_slice(&sealed.ephemeral.encode());
    let call = RuntimeCall::Results(pallet_results::Call::submit_report {
        record,
        payload_hash,
        payload_size,
        ephemeral,
    });
    let included = submit(&chain, &doctor.pair, call, output).await?;
    let report = events_of::<pallet_results::Event<Runtime>>(&included.events)
        .into_iter()
        .find_map(|event| match event {
            pallet_results::Event::ReportSubmitted { id, .. } => Some(id),
            _ => None,
        });
    let reported = Reported {
        record,
        report,
        payload_hash: text::hex(&payload_hash),
        block: included.number,
    };
    output.print(&reported, |r, out| {
        writeln!(
            out,
            "Report{} on record {} submitted (block #{}); the patient opens it with `medchain patient open-report {}`.",
            r.report.map(|id| format!(" {id}")).unwrap_or_default(),
            r.record,
            r.block,
            r.record
        )
    })?;
    Ok(ExitCode::SUCCESS)
}
