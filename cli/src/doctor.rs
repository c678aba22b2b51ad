//! `medchain doctor`: a doctor's commands, through their own hospital's node (`--node`). The
//! doctor registers their encryption key `pk_D` on-chain; the KGC seals their attribute key `SK`
//! to it, and the hospital's node relays it sealed. When the doctor first opens a record of an
//! epoch, their client derives that epoch's transformation key from `SK` and the chain's update
//! key and registers it with the node, which then pre-decrypts; only the doctor's `zseed`, which
//! never leaves their machine, finishes the decryption. A revoked doctor's client can make no
//! transformation key for an epoch from which they are revoked: the cryptography refuses them.

use std::{
    io::{self, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::Subcommand;
use codec::Encode;
use medchain_crypto::{
    abe::{AttributeKey, PublicParams},
    hash::{keyword_digest, sha256},
};
use medchain_rpc_api::{
    AttributeKeyRequest, ClaimRequest, Claimed, FetchPayload, Hit, PreDecrypt, ReportUpload,
    Search, TransformationKeyUpload, NEEDS_TRANSFORMATION_KEY,
};
use medchain_runtime::{
    pallet_kgc::{self, KeyIssue},
    pallet_results, AccountId, BlockNumber, Runtime, RuntimeCall,
};
use medchain_types::{Epoch, RecordId, ReportId};
use polkadot_sdk::sp_core::Bytes;
use rand::rngs::OsRng;
use serde::Serialize;

use medchain_client::{
    chain::ChainError,
    light::{state::keys as storage, LightError},
    runtime_api::Consultation,
    sealing::{self, SealingError},
    trust::Anchor,
    Chain,
};

use crate::{
    args::KeyFile,
    context::Context,
    error::CommandError,
    keygen::{self, KeygenArgs},
    keys::{write_private, AccountKey, DoctorKeys, Role},
    names::{Hospitals, Named},
    output::{Output, Render},
    patient,
    records::{self, check_hash},
    submit::{events_of, submit, wait_final},
    text,
};

/// A doctor's commands.
#[derive(Debug, Subcommand)]
pub enum DoctorCommand {
    /// Make a doctor's account key and decryption secrets; give the printed account to your
    /// hospital, then register your encryption key (`register`).
    Keygen(KeygenArgs),
    /// Register your encryption key on-chain, signed with your account key, once your hospital
    /// has added you: the KGC seals your attribute key to it and to nothing else.
    Register {
        #[command(flatten)]
        key: KeyFile,
    },
    /// Find records matching your interests in every hospital that authorises yours.
    Search {
        #[command(flatten)]
        key: KeyFile,
        /// Interests, comma-separated. Only their unkeyed digests leave the machine, and your
        /// hospital (which matches them) can test guesses of the words.
        #[arg(long, value_delimiter = ',', required = true)]
        interests: Vec<String>,
    },
    /// Claim a record in consultation: the doctor whose interests match most is assigned.
    Claim {
        /// The record's id.
        record: RecordId,
        #[command(flatten)]
        key: KeyFile,
        /// Interests, comma-separated: the node counts how many the record matches.
        #[arg(long, value_delimiter = ',', required = true)]
        interests: Vec<String>,
        /// Wait for the consultation to close and say who was assigned.
        #[arg(long)]
        wait: bool,
    },
    /// Decrypt a record your attributes allow (written with mode 0600); the access is logged
    /// on-chain. Fetches your attribute key from your hospital's node the first time, and makes
    /// and registers the transformation key of the record's epoch when the node has none.
    Open {
        /// The record's id.
        record: RecordId,
        #[command(flatten)]
        key: KeyFile,
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
        record: RecordId,
        /// The report to send.
        file: PathBuf,
        #[command(flatten)]
        key: KeyFile,
    },
}

/// Runs `command` in `context`.
pub async fn exec(command: DoctorCommand, context: &Context) -> Result<ExitCode, CommandError> {
    match command {
        DoctorCommand::Keygen(args) => context.show(&keygen::exec(Role::Doctor, args)?),
        DoctorCommand::Register { key } => context.show(&register(&key, context).await?),
        DoctorCommand::Search { key, interests } => {
            context.show(&search(&key, &interests, context).await?)
        }
        DoctorCommand::Claim {
            record,
            key,
            interests,
            wait,
        } => context.show(&claim(record, &key, (&interests, wait), context).await?),
        DoctorCommand::Open {
            record,
            key,
            out,
            force,
        } => context.show(&open(record, &key, (&out, force), context).await?),
        DoctorCommand::Report { record, file, key } => {
            context.show(&report(record, &file, &key, context).await?)
        }
    }
}

fn digests(interests: &[String]) -> Vec<[u8; 32]> {
    interests.iter().map(|word| keyword_digest(word)).collect()
}

#[derive(Serialize)]
struct HitView {
    record: RecordId,
    hospital: Named,
    matched: u32,
}

/// The records a search found.
#[derive(Serialize)]
#[serde(transparent)]
struct Hits(Vec<HitView>);

impl Render for Hits {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.0.is_empty() {
            return writeln!(out, "No record matches.");
        }
        writeln!(out, "{:>8}  {:<24}  matched", "record", "hospital")?;
        for v in &self.0 {
            writeln!(out, "{:>8}  {:<24}  {}", v.record, v.hospital, v.matched)?;
        }
        Ok(())
    }
}

async fn search(key: &Path, interests: &[String], context: &Context) -> Result<Hits, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let chain = context.connect().await?;
    let spinner = context.output().spinner("searching");
    let hits: Result<Vec<Hit>, _> = chain
        .client()
        .request(
            &doctor.pair,
            Search {
                interests: digests(interests),
            },
        )
        .await;
    spinner.finish_and_clear();
    let hits = hits?;
    let (at, _) = chain.finalized().await?;
    let hospitals = Hospitals::load(&chain, at).await?;
    Ok(Hits(
        hits.into_iter()
            .map(|hit| HitView {
                record: hit.record,
                hospital: hospitals.named(&hit.hospital),
                matched: hit.matched,
            })
            .collect(),
    ))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimView {
    record: RecordId,
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

impl Render for ClaimView {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Claimed record {} with {} matched interests; the consultation closes at block #{} and assigns the best match.",
            self.record, self.matched, self.closes_at
        )?;
        match (self.won, &self.assigned) {
            (Some(true), _) => writeln!(out, "Assigned to you: you may report on it."),
            (Some(false), Some(other)) => writeln!(out, "Assigned to another doctor, {other}."),
            (Some(false), None) => writeln!(out, "The consultation closed without an assignment."),
            (None, _) => Ok(()),
        }
    }
}

async fn claim(
    record: RecordId,
    key: &Path,
    (interests, wait): (&[String], bool),
    context: &Context,
) -> Result<ClaimView, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let output = context.output();
    let chain = context.connect().await?;
    let body = ClaimRequest {
        record,
        interests: digests(interests),
    };
    let claimed: Claimed = chain.client().request(&doctor.pair, body).await?;
    let account = &doctor.account;
    let outcome = watch_consultation(
        (&chain, output),
        record,
        ("the claim to be final", "the node submitted the claim but it is not on-chain: the consultation may have closed meanwhile (`medchain patient reports` shows it)"),
        |consultation| match consultation {
            Some(c) if c.claims.iter().any(|claim| &claim.doctor == account) => {
                Some(Ok(c.closes_at))
            }
            Some(c) if c.closed => Some(Err("the consultation closed before the claim")),
            None => Some(Err("the record has no consultation")),
            Some(_) => None,
        },
    )
    .await?;
    let closes_at = outcome.map_err(|why| {
        CommandError::Refused(format!(
            "record {record}: {why}; its hospital opens consultations with `medchain hospital open-consultation`"
        ))
    })?;
    let assigned = if wait {
        let assigned = watch_consultation(
            (&chain, output),
            record,
            (
                "the consultation to close",
                "the consultation did not close in time: `medchain patient reports` shows it later",
            ),
            |consultation| {
                consultation
                    .filter(|c| c.closed)
                    .map(|c| c.assigned.map(|claim| claim.doctor))
            },
        )
        .await?;
        Some(assigned)
    } else {
        None
    };
    Ok(ClaimView {
        record,
        matched: claimed.matched,
        transaction: text::hex(&claimed.transaction),
        closes_at,
        won: assigned.as_ref().map(|a| a.as_ref() == Some(account)),
        assigned: assigned.flatten().map(|doctor| text::account(&doctor)),
    })
}

/// Waits, with a spinner saying `what`, until `decide` settles on record `record`'s
/// consultation (`None` when it has none) at a final block, and returns what it settled on.
async fn watch_consultation<T>(
    (chain, output): (&Chain, Output),
    record: RecordId,
    (what, hint): (&str, &str),
    decide: impl Fn(Option<Consultation>) -> Option<T>,
) -> Result<T, ChainError> {
    wait_final(chain, output, what, hint, |at| {
        let decide = &decide;
        async move {
            let consultation: Option<Consultation> =
                chain.at(Some(at)).consultation(record).await?;
            Ok(decide(consultation))
        }
    })
    .await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenedRecord {
    record: RecordId,
    file: PathBuf,
    size: usize,
}

impl Render for OpenedRecord {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Record {} written to {} ({} bytes).",
            self.record,
            self.file.display(),
            self.size
        )
    }
}

async fn open(
    record: RecordId,
    key: &Path,
    (out_file, force): (&Path, bool),
    context: &Context,
) -> Result<OpenedRecord, CommandError> {
    let mut doctor = AccountKey::load(key, Role::Doctor)?;
    let output = context.output();
    let chain = context.connect().await?;
    let published = records::record(&chain, record, None).await?;
    let semi: Bytes = match chain
        .client()
        .request(&doctor.pair, PreDecrypt { record })
        .await
    {
        Err(error) if error.is_code(NEEDS_TRANSFORMATION_KEY) => {
            let anchor = context.anchor(&chain).await?;
            let sk = attribute_key(&chain, &mut doctor, key, anchor.params(), output).await?;
            register_transformation_key(&chain, (&doctor, &sk), &anchor, published.epoch, output)
                .await?;
            chain
                .client()
                .request(&doctor.pair, PreDecrypt { record })
                .await?
        }
        other => other?,
    };
    let spinner = output.spinner(&format!(
        "fetching the sealed record ({} bytes)",
        published.payload_size
    ));
    let payload: Result<Bytes, _> = chain
        .client()
        .request(&doctor.pair, FetchPayload { record })
        .await;
    spinner.finish_and_clear();
    let payload = payload?;
    check_hash("payload", &payload, &published.payload_hash)?;
    let keys = doctor_keys(&doctor)?;
    let plaintext = sealing::open_record(&keys.secret, &semi, &published.capsule, &payload)?;
    write_private(out_file, &plaintext, force)?;
    Ok(OpenedRecord {
        record,
        file: out_file.to_owned(),
        size: plaintext.len(),
    })
}

fn doctor_keys(doctor: &AccountKey) -> Result<&DoctorKeys, CommandError> {
    doctor.doctor.as_ref().ok_or_else(|| {
        CommandError::Refused("the doctor's key file holds no decryption secrets".to_owned())
    })
}

/// What the chain recorded when the KGC issued `doctor`'s key.
async fn key_issue(chain: &Chain, doctor: &AccountId) -> Result<KeyIssue, CommandError> {
    let issued: Option<KeyIssue> = chain.at(None).key_issue(doctor).await?;
    issued.ok_or_else(|| {
        CommandError::Refused(format!(
            "the KGC has issued no attribute key to {} yet: register your encryption key (`medchain doctor register`) and ask the KGC (`medchain kgc issue-key`)",
            text::account(doctor)
        ))
    })
}

/// The doctor's attribute key: from the key file, or fetched sealed from the hospital's node,
/// checked against the hash the KGC recorded on-chain, opened, and kept in the key file.
async fn attribute_key(
    chain: &Chain,
    doctor: &mut AccountKey,
    path: &Path,
    pp: &PublicParams,
    output: Output,
) -> Result<AttributeKey, CommandError> {
    if let Some(sk) = doctor_keys(doctor)?.attribute_key.clone() {
        return Ok(sk);
    }
    let issued = key_issue(chain, &doctor.account).await?;
    let spinner = output.spinner("fetching your attribute key from your hospital's node");
    let sealed: Result<Bytes, _> = chain
        .client()
        .request(&doctor.pair, AttributeKeyRequest)
        .await;
    spinner.finish_and_clear();
    let sealed = sealed?;
    check_hash("sealed attribute key", &sealed, &issued.sealed_key_hash)?;
    let account: [u8; 32] = doctor.account.clone().into();
    let keys = doctor_keys(doctor)?;
    let sk = sealing::open_attribute_key(pp, &account, &keys.secret, &sealed)?;
    if let Some(keys) = doctor.doctor.as_mut() {
        keys.attribute_key = Some(sk.clone());
    }
    doctor.update(path)?;
    Ok(sk)
}

/// Derives the transformation key of `epoch` from the chain's update key and registers it with
/// the hospital's node. A revoked doctor gets no key: the update key covers none of their nodes.
/// The update key is read from a block this client proved final, with a read proof: the
/// hospital's node cannot hand it one of its own making.
async fn register_transformation_key(
    chain: &Chain,
    (doctor, sk): (&AccountKey, &AttributeKey),
    anchor: &Anchor,
    epoch: Epoch,
    output: Output,
) -> Result<(), CommandError> {
    let spinner = output.spinner("verifying the chain your hospital's node serves");
    let block = anchor.final_block(chain.client()).await;
    spinner.finish_and_clear();
    let update_key: Option<Vec<u8>> = block?
        .read_value(chain.client(), storage::update_key(epoch))
        .await
        .map_err(LightError::from)?;
    let update_key = update_key.ok_or_else(|| {
        CommandError::Refused(format!(
            "epoch {epoch} has no finalised update key yet: try again in a few seconds"
        ))
    })?;
    let keys = doctor_keys(doctor)?;
    let spinner = output.spinner(&format!("making your transformation key for epoch {epoch}"));
    let made =
        sealing::transformation_key(anchor.params(), sk, &keys.secret, &update_key, &mut OsRng);
    spinner.finish_and_clear();
    let tk = made.map_err(|error| match error {
        SealingError::Crypto {
            source: medchain_crypto::Error::Revoked,
            ..
        } => CommandError::Refused(format!(
            "you are revoked for epoch {epoch}: the KGC's update key of that epoch covers none of your key's tree nodes, so no transformation key can be made and the record cannot be decrypted"
        )),
        other => other.into(),
    })?;
    chain
        .client()
        .request(&doctor.pair, TransformationKeyUpload { key: tk.encode() })
        .await?;
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Registered {
    doctor: String,
    block: BlockNumber,
}

impl Render for Registered {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Encryption key of {} registered (block #{}): the KGC can now issue your attribute key (`medchain kgc issue-key --doctor {}`).",
            self.doctor, self.block, self.doctor
        )
    }
}

async fn register(key: &Path, context: &Context) -> Result<Registered, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let public = doctor_keys(&doctor)?.public;
    let chain = context.connect().await?;
    let call = RuntimeCall::Kgc(pallet_kgc::Call::register_encryption_key {
        key: public.compress(),
    });
    let included = submit(&chain, &doctor.pair, call, context.output()).await?;
    Ok(Registered {
        doctor: doctor.ss58(),
        block: included.number,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reported {
    record: RecordId,
    report: Option<ReportId>,
    payload_hash: String,
    block: BlockNumber,
}

impl Render for Reported {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Report{} on record {} submitted (block #{}); the patient opens it with `medchain patient open-report {}`.",
            self.report.map(|id| format!(" {id}")).unwrap_or_default(),
            self.record,
            self.block,
            self.record
        )
    }
}

async fn report(
    record: RecordId,
    file: &Path,
    key: &Path,
    context: &Context,
) -> Result<Reported, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let output = context.output();
    let text_of_report = patient::read(file)?;
    let chain = context.connect().await?;
    let published = records::record(&chain, record, None).await?;
    let sealed = sealing::seal_report(&published.patient_key, &text_of_report, &mut OsRng)?;
    let encoded = sealed.encode();
    let payload_hash = sha256(&encoded);
    let payload_size = encoded.len() as u64;
    let spinner = output.spinner(&format!("storing the sealed report ({payload_size} bytes)"));
    let stored: Result<Bytes, _> = chain
        .client()
        .request(
            &doctor.pair,
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
    let ephemeral = sealed.ephemeral.compress();
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
    Ok(Reported {
        record,
        report,
        payload_hash: text::hex(&payload_hash),
        block: included.number,
    })
}
