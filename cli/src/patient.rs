//! `medchain patient`: a patient's commands, through their hospital's node (`--node`). The
//! patient's client encrypts before anything leaves the machine: the hospital stores a sealed
//! payload and sees only keyword digests (unkeyed: it can test guesses of the words).

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::Subcommand;
use medchain_crypto::hash::sha256;
use medchain_rpc_api::Uploaded;
use medchain_runtime::{AccountId, BlockNumber, Hash};
use medchain_types::{CompressedG1, Epoch, RecordId, ReportId};
use polkadot_sdk::sp_core::Bytes;
use rand::rngs::OsRng;
use serde::Serialize;

use medchain_client::{
    chain::{Chain, ChainError},
    light::{state::keys as storage, LightError},
    runtime_api::{Consultation, Record, Report},
    sealing,
};

use crate::{
    args::KeyFile,
    context::Context,
    error::CommandError,
    keygen::{self, KeygenArgs},
    keys::{write_private, AccountKey, Role},
    names::{Hospitals, Named},
    output::Render,
    records,
    submit::wait_final,
    text,
};

/// Records read per `records_of` runtime API call.
const PAGE: u32 = 100;

/// A patient's commands.
#[derive(Debug, Subcommand)]
pub enum PatientCommand {
    /// Make a patient's account key; their report key is derived from it.
    Keygen(KeygenArgs),
    /// Encrypt a record under an access policy and upload it to the hospital (`--node`), which
    /// indexes the keywords and publishes it; prints the record's id once it is final.
    Upload {
        /// The record to upload.
        file: PathBuf,
        #[command(flatten)]
        key: KeyFile,
        /// Who may read it, over doctors' attributes: e.g. "cardiology and (consultant or 2 of
        /// (resident, icu, night))".
        #[arg(long)]
        policy: String,
        /// Keywords doctors find it by, comma-separated. Only their unkeyed digests leave the
        /// machine, and your hospital (which indexes them) can test guesses of the words.
        #[arg(long, value_delimiter = ',', required = true)]
        keywords: Vec<String>,
    },
    /// List this patient's records, their consultations and reports.
    Reports {
        #[command(flatten)]
        key: KeyFile,
    },
    /// Fetch and decrypt the report on a record (written with mode 0600).
    OpenReport {
        /// The record's id.
        record: RecordId,
        #[command(flatten)]
        key: KeyFile,
        /// File to write the report to.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Dispute the report on a record: disclose its key with a proof, so that anyone can read
    /// exactly what the doctor sent (the hospital files it on-chain).
    Dispute {
        /// The record's id.
        record: RecordId,
        #[command(flatten)]
        key: KeyFile,
    },
}

/// Runs `command` in `context`.
pub async fn exec(command: PatientCommand, context: &Context) -> Result<ExitCode, CommandError> {
    match command {
        PatientCommand::Keygen(args) => context.show(&keygen::exec(Role::Patient, args)?),
        PatientCommand::Upload {
            file,
            key,
            policy,
            keywords,
        } => context.show(&upload(&file, &key, (&policy, &keywords), context).await?),
        PatientCommand::Reports { key } => context.show(&reports(&key, context).await?),
        PatientCommand::OpenReport {
            record,
            key,
            out,
            force,
        } => context.show(&open_report(record, &key, (&out, force), context).await?),
        PatientCommand::Dispute { record, key } => {
            context.show(&dispute(record, &key, context).await?)
        }
    }
}

/// Reads an input file.
pub fn read(path: &Path) -> Result<Vec<u8>, CommandError> {
    fs::read(path).map_err(|source| CommandError::Read {
        path: path.to_owned(),
        source,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UploadDone {
    record: RecordId,
    hospital: Named,
    payload_hash: String,
    payload_size: usize,
    epoch: Epoch,
    block: BlockNumber,
}

impl Render for UploadDone {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Record {} published by {} (block #{}, epoch {}, {} bytes sealed).",
            self.record, self.hospital, self.block, self.epoch, self.payload_size
        )
    }
}

async fn upload(
    file: &Path,
    key: &Path,
    (policy, keywords): (&str, &[String]),
    context: &Context,
) -> Result<UploadDone, CommandError> {
    let patient = AccountKey::load(key, Role::Patient)?;
    let plaintext = read(file)?;
    let chain = context.connect().await?;
    let anchor = context.anchor(&chain).await?;
    // The epoch from a block proven final: a node that named an earlier one would get a capsule
    // that doctors revoked since could still open.
    let epoch: Epoch = anchor
        .final_block(chain.client())
        .await?
        .read_value(chain.client(), storage::current_epoch())
        .await
        .map_err(LightError::from)?
        .unwrap_or_default();
    let sealed = sealing::seal_record(
        anchor.params(),
        (policy, epoch),
        keywords,
        &plaintext,
        patient.encryption_public_key(),
        &mut OsRng,
    )?;
    let payload_hash = sha256(&sealed.upload.payload);
    let payload_size = sealed.upload.payload.len();
    let spinner = context
        .output()
        .spinner(&format!("uploading {payload_size} bytes"));
    let receipt: Result<Uploaded, _> = chain.client().request(&patient.pair, sealed.upload).await;
    spinner.finish_and_clear();
    let receipt = receipt?;
    if receipt.payload_hash.0 != payload_hash {
        return Err(CommandError::Refused(format!(
            "the hospital's receipt names payload {}, not the uploaded {}",
            text::hex(&receipt.payload_hash),
            text::hex(&payload_hash)
        )));
    }
    let hospital = receipt.hospital;
    let (record, block) = wait_final(&chain, context.output(),
            "the record to be published and final",
            "the hospital took the payload but its record is not on-chain: ask the hospital to check its node",
            |at| {
                let (chain, hospital) = (&chain, &hospital);
                async move { find_by_payload(chain, hospital, &payload_hash, at).await }
            },
        )
        .await?;
    let (at, _) = chain.finalized().await?;
    Ok(UploadDone {
        record,
        hospital: Hospitals::load(&chain, at).await?.named(&hospital),
        payload_hash: text::hex(&payload_hash),
        payload_size,
        epoch,
        block,
    })
}

/// The id and publication block of `hospital`'s record with payload `hash`, at block `at`.
async fn find_by_payload(
    chain: &Chain,
    hospital: &AccountId,
    hash: &[u8; 32],
    at: Hash,
) -> Result<Option<(RecordId, BlockNumber)>, ChainError> {
    let found = records_of(chain, hospital, at)
        .await?
        .into_iter()
        .find(|(_, record)| &record.payload_hash == hash)
        .map(|(id, record)| (id, record.published_at));
    Ok(found)
}

/// Every record `hospital` publishes, at block `at`.
async fn records_of(
    chain: &Chain,
    hospital: &AccountId,
    at: Hash,
) -> Result<Vec<(RecordId, Record)>, ChainError> {
    let mut all = Vec::new();
    loop {
        let start = all.len() as u64;
        let page: Vec<(RecordId, Record)> =
            chain.at(Some(at)).records_of(hospital, start, PAGE).await?;
        let full = page.len() as u32 == PAGE;
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordView {
    record: RecordId,
    hospital: Named,
    published_at: BlockNumber,
    consultation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<ReportView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportView {
    id: ReportId,
    doctor: String,
    hospital: Named,
    submitted_at: BlockNumber,
    disputed: bool,
}

/// A consultation's state in words.
fn consultation_state(consultation: Option<&Consultation>) -> String {
    match consultation {
        None => "none".to_owned(),
        Some(c) => match &c.assigned {
            Some(claim) => format!("assigned to {}", text::account(&claim.doctor)),
            None if c.closed => "closed without claims".to_owned(),
            None => format!(
                "open until block #{} ({} claims)",
                c.closes_at,
                c.claims.len()
            ),
        },
    }
}

/// A patient's records, as `reports` lists them.
#[derive(Serialize)]
#[serde(transparent)]
struct RecordList(Vec<RecordView>);

impl Render for RecordList {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.0.is_empty() {
            return writeln!(out, "No records of this patient are on-chain.");
        }
        writeln!(
            out,
            "{:>8}  {:<24}  {:<58}  report",
            "record", "hospital", "consultation"
        )?;
        for v in &self.0 {
            let report = match &v.report {
                Some(r) if r.disputed => format!("#{} by {} (disputed)", r.id, r.doctor),
                Some(r) => format!("#{} by {}", r.id, r.doctor),
                None => "none".to_owned(),
            };
            writeln!(
                out,
                "{:>8}  {:<24}  {:<58}  {}",
                v.record, v.hospital, v.consultation, report
            )?;
        }
        Ok(())
    }
}

async fn reports(key: &Path, context: &Context) -> Result<RecordList, CommandError> {
    let patient = AccountKey::load(key, Role::Patient)?;
    let mine = patient.encryption_public_key();
    let chain = context.connect().await?;
    let (at, _) = chain.finalized().await?;
    let hospitals = Hospitals::load(&chain, at).await?;
    let mut views = Vec::new();
    for hospital in hospitals.accounts() {
        for (id, record) in records_of(&chain, hospital, at).await? {
            if record.patient_key != mine {
                continue;
            }
            let consultation: Option<Consultation> = chain.at(Some(at)).consultation(id).await?;
            let report: Option<(ReportId, Report)> = chain.at(Some(at)).report_on(id).await?;
            let report = match report {
                Some((report_id, report)) => {
                    let disclosed: Option<CompressedG1> =
                        chain.at(Some(at)).disclosure(report_id).await?;
                    Some(ReportView {
                        id: report_id,
                        doctor: text::account(&report.doctor),
                        hospital: hospitals.named(&report.hospital),
                        submitted_at: report.submitted_at,
                        disputed: disclosed.is_some(),
                    })
                }
                None => None,
            };
            views.push(RecordView {
                record: id,
                hospital: hospitals.named(&record.hospital),
                published_at: record.published_at,
                consultation: consultation_state(consultation.as_ref()),
                report,
            });
        }
    }
    Ok(RecordList(views))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Opened {
    record: RecordId,
    report: ReportId,
    doctor: String,
    file: PathBuf,
    size: usize,
}

impl Render for Opened {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Report {} on record {} by {} written to {} ({} bytes).",
            self.report,
            self.record,
            self.doctor,
            self.file.display(),
            self.size
        )
    }
}

async fn open_report(
    record: RecordId,
    key: &Path,
    (out_file, force): (&Path, bool),
    context: &Context,
) -> Result<Opened, CommandError> {
    let patient = AccountKey::load(key, Role::Patient)?;
    let chain = context.connect().await?;
    let (report_id, report) = records::report_on(&chain, record).await?;
    let spinner = context.output().spinner("fetching the report");
    let sealed = records::fetch_report(&chain, &patient.pair, record, &report).await;
    spinner.finish_and_clear();
    let plaintext = sealing::open_report(&patient.encryption_key(), &sealed?)?;
    write_private(out_file, &plaintext, force)?;
    Ok(Opened {
        record,
        report: report_id,
        doctor: text::account(&report.doctor),
        file: out_file.to_owned(),
        size: plaintext.len(),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Disputed {
    record: RecordId,
    report: ReportId,
    transaction: String,
    shared: String,
}

impl Render for Disputed {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Report {} on record {} is disclosed on-chain: anyone can now read what the doctor sent.",
            self.report, self.record
        )
    }
}

async fn dispute(
    record: RecordId,
    key: &Path,
    context: &Context,
) -> Result<Disputed, CommandError> {
    let patient = AccountKey::load(key, Role::Patient)?;
    let chain = context.connect().await?;
    let (report_id, report) = records::report_on(&chain, record).await?;
    if report.patient_key != patient.encryption_public_key() {
        return Err(CommandError::Refused(format!(
            "the report on record {record} is sealed to another patient's key: use the key file of the record's patient"
        )));
    }
    let sealed = records::fetch_report(&chain, &patient.pair, record, &report).await?;
    let body = sealing::disclose(&patient.encryption_key(), record, &sealed, &mut OsRng)?;
    let transaction: Bytes = chain.client().request(&patient.pair, body).await?;
    let shared = wait_final(
        &chain,
        context.output(),
        "the disclosure to be final",
        "the hospital filed the dispute but it is not on-chain: ask the hospital to check its node",
        |at| {
            let chain = &chain;
            async move { chain.at(Some(at)).disclosure(report_id).await }
        },
    )
    .await?;
    Ok(Disputed {
        record,
        report: report_id,
        transaction: text::hex(&transaction),
        shared: text::hex(shared.as_bytes()),
    })
}
