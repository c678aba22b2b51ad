//! `medchain doctor`: a doctor's commands, through their own hospital's node (`--node`). The
//! doctor registers their encryption key `pk_D` on-chain; the KGC seals their attribute key `SK`
//! to it, and the hospital's node relays it sealed. When the doctor first opens a record of an
//! epoch, their client derives that epoch's transformation key from `SK` and the chain's update
//! key and registers it with the node, which then pre-decrypts; only the doctor's `zseed`, which
//! never leaves their machine, finishes the decryption. A revoked doctor's client can make no
//! transformation key for an epoch from which they are revoked: the cryptography refuses them.

use std::{path::PathBuf, process::ExitCode};

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
    light::{state::keys as storage, LightError},
    runtime_api::Consultation,
    sealing::{self, SealingError},
    trust::{self, Anchor},
    Chain,
};

use crate::{
    args::KeyFile,
    error::CommandError,
    keygen::{self, KeygenArgs},
    keys::{write_private, AccountKey, DoctorKeys, Role},
    output::Output,
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

/// Runs `command` against the node at `node`.
pub async fn run(
    command: DoctorCommand,
    node: &str,
    spec: Option<&std::path::Path>,
    output: Output,
) -> Result<ExitCode, CommandError> {
    match command {
        DoctorCommand::Keygen(args) => keygen::run(Role::Doctor, args, output),
        DoctorCommand::Register { key } => register(&key, node, output).await,
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
        } => open(record, (&key, &out, force), node, spec, output).await,
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
    record: RecordId,
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

async fn claim(
    record: RecordId,
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
    let claimed: Claimed = chain.client().request(&doctor.pair, body).await?;
    let account = &doctor.account;
    let outcome = wait_final(&chain, output,
            "the claim to be final",
            "the node submitted the claim but it is not on-chain: the consultation may have closed meanwhile (`medchain patient reports` shows it)",
            |at| {
                let chain = &chain;
                async move {
                    let consultation: Option<Consultation> =
                        chain.at(Some(at)).consultation(record).await?;
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
        let assigned = wait_final(
            &chain,
            output,
            "the consultation to close",
            "the consultation did not close in time: `medchain patient reports` shows it later",
            |at| {
                let chain = &chain;
                async move {
                    let consultation: Option<Consultation> =
                        chain.at(Some(at)).consultation(record).await?;
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
    record: RecordId,
    file: PathBuf,
    size: usize,
}

async fn open(
    record: RecordId,
    (key, out_file, force): (&std::path::Path, &std::path::Path, bool),
    node: &str,
    spec: Option<&std::path::Path>,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let mut doctor = AccountKey::load(key, Role::Doctor)?;
    let chain = Chain::connect(node).await?;
    let published = records::record(&chain, record, None).await?;
    let semi: Bytes = match chain
        .client()
        .request(&doctor.pair, PreDecrypt { record })
        .await
    {
        Err(error) if error.is_code(NEEDS_TRANSFORMATION_KEY) => {
            let anchor = trust::Anchor::for_node(spec, chain.client()).await?;
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
    path: &std::path::Path,
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

async fn register(
    key: &std::path::Path,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let doctor = AccountKey::load(key, Role::Doctor)?;
    let public = doctor_keys(&doctor)?.public;
    let chain = Chain::connect(node).await?;
    let call = RuntimeCall::Kgc(pallet_kgc::Call::register_encryption_key {
        key: public.compress(),
    });
    let included = submit(&chain, &doctor.pair, call, output).await?;
    let registered = Registered {
        doctor: doctor.ss58(),
        block: included.number,
    };
    output.print(&registered, |r, out| {
        writeln!(
            out,
            "Encryption key of {} registered (block #{}): the KGC can now issue your attribute key (`medchain kgc issue-key --doctor {}`).",
            r.doctor, r.block, r.doctor
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reported {
    record: RecordId,
    report: Option<ReportId>,
    payload_hash: String,
    block: BlockNumber,
}

async fn report(
    record: RecordId,
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
