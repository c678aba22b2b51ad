//! `medchain kgc`: the key generation centre's commands. The KGC keeps `msk` off-chain in its
//! Setup file; the chain holds `pp`, the doctors' leaves, the revocation list and each epoch's
//! update key, which the KGC publishes with its account key.

use std::{path::PathBuf, process::ExitCode};

use clap::{ArgGroup, Args, Subcommand};
use codec::Encode;
use medchain_crypto::{
    abe::{self, KeyTables, PublicParams, UserPublicKey},
    tree::Revocation,
};
use medchain_rpc_api::AttributeKeyDelivery;
use medchain_runtime::{
    genesis::dev_kgc,
    pallet_kgc::{self, RevocationEntry},
    AccountId, Hash, Runtime, RuntimeCall,
};
use rand::rngs::OsRng;
use serde::Serialize;

use crate::{
    chain::Chain,
    error::CommandError,
    keygen::{self, KeygenArgs},
    keys::{AccountKey, KgcSetup, Role},
    output::Output,
    sealing::{self, SealingError},
    services::{self, Service},
    submit::{events_of, submit},
    text::{self, HexBytes},
};

/// The KGC's commands.
#[derive(Debug, Subcommand)]
pub enum KgcCommand {
    /// Make the KGC's account key, which signs leaf assignments, revocations and update keys.
    Keygen(KeygenArgs),
    /// Run the ABE Setup: write `pp` and the master secret `msk` (mode 0600) and say whether
    /// the node's chain holds this `pp` (it goes into a new chain's genesis).
    Setup(SetupArgs),
    /// Issue a doctor's attribute key and deliver it to their hospital's node (`--node`):
    /// assigns the doctor a tree leaf first if they have none.
    IssueKey(IssueKeyArgs),
    /// Revoke a doctor from the current epoch on; then republish the epoch's update key
    /// (`publish-update`) so that hospitals stop pre-decrypting for them.
    Revoke {
        /// The KGC's account key file.
        #[arg(long)]
        key: PathBuf,
        /// The doctor's account (SS58).
        #[arg(long, value_parser = text::parse_account)]
        doctor: AccountId,
    },
    /// Publish the update key of the current epoch over the on-chain revocation list, or with
    /// `--next` of the next epoch, which then becomes current (new records are made under it).
    PublishUpdate {
        /// The KGC's Setup file.
        #[arg(long)]
        kgc: PathBuf,
        /// The KGC's account key file.
        #[arg(long)]
        key: PathBuf,
        /// Advance to the next epoch instead of republishing the current one.
        #[arg(long)]
        next: bool,
    },
    /// Show the epoch, the KGC account, the revocation list and whether the current epoch's
    /// update key reflects it.
    Status,
}

/// How to run Setup.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("parameters").required(true).args(["dev", "depth"])))]
pub struct SetupArgs {
    /// File to write `pp` and `msk` to (JSON, mode 0600).
    #[arg(long)]
    pub out: PathBuf,
    /// Reproduce the development networks' KGC (well-known seed, account //Ferdie): its `msk`
    /// is public, for development and local networks only.
    #[arg(long)]
    pub dev: bool,
    /// A fresh Setup with a revocation tree of this depth (2^depth doctors).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=32))]
    pub depth: Option<u8>,
    /// Overwrite an existing file (the master secret in it is lost).
    #[arg(long)]
    pub force: bool,
}

/// What to issue to whom.
#[derive(Debug, Args)]
pub struct IssueKeyArgs {
    /// The KGC's Setup file.
    #[arg(long)]
    pub kgc: PathBuf,
    /// The KGC's account key file (assigns the leaf).
    #[arg(long)]
    pub key: PathBuf,
    /// The doctor's account (SS58).
    #[arg(long, value_parser = text::parse_account)]
    pub doctor: AccountId,
    /// The doctor's ABE public key, as `medchain doctor keygen` printed it.
    #[arg(long, value_parser = text::parse_hex_bytes)]
    pub doctor_public: HexBytes,
    /// The doctor's attributes, comma-separated (e.g. cardiology,consultant).
    #[arg(long, value_delimiter = ',', required = true)]
    pub attributes: Vec<String>,
}

/// Runs `command` against the node at `node`.
pub async fn run(
    command: KgcCommand,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    match command {
        KgcCommand::Keygen(args) => keygen::run(Role::Kgc, args, output),
        KgcCommand::Setup(args) => setup(args, node, output).await,
        KgcCommand::IssueKey(args) => issue_key(args, node, output).await,
        KgcCommand::Revoke { key, doctor } => revoke(&key, doctor, node, output).await,
        KgcCommand::PublishUpdate { kgc, key, next } => {
            publish_update(&kgc, &key, next, node, output).await
        }
        KgcCommand::Status => status(node, output).await,
    }
}

/// The chain's `pp`, or `None` when its KGC has not run Setup.
pub(crate) async fn chain_params(chain: &Chain) -> Result<Option<PublicParams>, CommandError> {
    let encoded: Vec<u8> = chain.api("KgcApi_params", (), None).await?;
    if encoded.is_empty() {
        return Ok(None);
    }
    Ok(Some(sealing::decode("the chain's pp", &encoded)?))
}

/// Loads the Setup file and checks that the chain holds its `pp`: keys made with another
/// master secret would open nothing on this chain.
async fn load_setup(chain: &Chain, path: &std::path::Path) -> Result<KgcSetup, CommandError> {
    let setup = KgcSetup::load(path)?;
    if chain_params(chain).await?.as_ref() != Some(&setup.pp) {
        return Err(CommandError::Refused(format!(
            "the Setup in {} is not the one this chain holds: use the KGC's own Setup file (`medchain kgc setup --dev` for a development network)",
            path.display()
        )));
    }
    Ok(setup)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetupDone {
    file: PathBuf,
    depth: u8,
    /// Whether the node's chain holds this `pp`; `None` when the node could not be asked.
    matches_chain: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node_error: Option<String>,
}

async fn setup(args: SetupArgs, node: &str, output: Output) -> Result<ExitCode, CommandError> {
    let (pp, msk) = match args.depth {
        Some(depth) if !args.dev => {
            abe::setup(depth, &mut OsRng).map_err(|source| SealingError::Crypto {
                what: "Setup refused the depth",
                source,
            })?
        }
        _ => dev_kgc::setup(),
    };
    let depth = pp.depth;
    let setup = KgcSetup { pp, msk };
    setup.save(&args.out, args.force)?;
    let on_chain = match Chain::connect(node).await {
        Ok(chain) => chain_params(&chain).await,
        Err(error) => Err(error.into()),
    };
    let (matches_chain, node_error) = match on_chain {
        Ok(pp) => (Some(pp.as_ref() == Some(&setup.pp)), None),
        Err(error) => (None, Some(error.to_string())),
    };
    let done = SetupDone {
        file: args.out,
        depth,
        matches_chain,
        node_error,
    };
    output.print(&done, |done, out| {
        writeln!(
            out,
            "Setup (tree depth {}, {} doctors) written to {}",
            done.depth,
            1u64 << done.depth,
            done.file.display()
        )?;
        match (done.matches_chain, &done.node_error) {
            (Some(true), _) => writeln!(out, "The node's chain holds these public parameters."),
            (Some(false), _) => writeln!(
                out,
                "The node's chain holds other public parameters: this Setup is for a new chain's genesis."
            ),
            (None, error) => writeln!(
                out,
                "Could not compare with the node's chain: {}",
                error.as_deref().unwrap_or("unknown error")
            ),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Issued {
    doctor: String,
    leaf: u64,
    /// Whether this command assigned the leaf (a doctor keeps one leaf for life).
    leaf_assigned_now: bool,
    attributes: Vec<String>,
}

async fn issue_key(
    args: IssueKeyArgs,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let kgc = AccountKey::load(&args.key, Role::Kgc)?;
    let chain = Chain::connect(node).await?;
    let setup = load_setup(&chain, &args.kgc).await?;
    let public: UserPublicKey = sealing::decode("--doctor-public", &args.doctor_public.0)?;
    let doctor = text::account(&args.doctor);
    let status: Option<(u64, Option<u64>)> = chain
        .api("KgcApi_doctor_status", &args.doctor, None)
        .await?;
    let (leaf, leaf_assigned_now) = match status {
        Some((_, Some(epoch))) => {
            return Err(CommandError::Refused(format!(
                "doctor {doctor} is revoked from epoch {epoch}: a revoked doctor is issued no key"
            )))
        }
        Some((leaf, None)) => (leaf, false),
        None => {
            let hospital: Option<AccountId> = chain
                .api("HospitalsApi_hospital_of", &args.doctor, None)
                .await?;
            if hospital.is_none() {
                return Err(CommandError::Refused(format!(
                    "doctor {doctor} is not registered at any hospital: ask their hospital to run `medchain hospital add-doctor --doctor {doctor}`"
                )));
            }
            let call = RuntimeCall::Kgc(pallet_kgc::Call::assign_leaf {
                doctor: args.doctor.clone(),
            });
            let included = submit(&chain, &kgc.pair, call, output).await?;
            let leaf = events_of::<pallet_kgc::Event<Runtime>>(&included.events)
                .into_iter()
                .find_map(|event| match event {
                    pallet_kgc::Event::LeafAssigned { leaf, .. } => Some(leaf),
                    _ => None,
                })
                .ok_or_else(|| {
                    CommandError::Refused(
                        "the leaf assignment emitted no LeafAssigned event".to_owned(),
                    )
                })?;
            (leaf, true)
        }
    };
    let spinner = output.spinner("issuing the attribute key");
    let key = abe::att_keygen(
        &setup.pp,
        &KeyTables::new(&setup.pp),
        &setup.msk,
        leaf,
        &public,
        &args.attributes,
        &mut OsRng,
    )
    .map_err(|source| SealingError::Crypto {
        what: "the attribute key cannot be issued",
        source,
    });
    spinner.finish_and_clear();
    let delivery = AttributeKeyDelivery {
        doctor: args.doctor.clone(),
        key: key?.encode(),
    };
    services::request::<_, ()>(&chain, &kgc.pair, Service::ImportAttributeKey, delivery).await?;
    let issued = Issued {
        doctor,
        leaf,
        leaf_assigned_now,
        attributes: args.attributes,
    };
    output.print(&issued, |issued, out| {
        writeln!(
            out,
            "Attribute key for {} (leaf {}{}) with attributes {} delivered to the node.",
            issued.doctor,
            issued.leaf,
            if issued.leaf_assigned_now {
                ", assigned now"
            } else {
                ""
            },
            issued.attributes.join(", ")
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Revoked {
    doctor: String,
    epoch: u64,
    block: u32,
}

async fn revoke(
    key: &std::path::Path,
    doctor: AccountId,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let kgc = AccountKey::load(key, Role::Kgc)?;
    let chain = Chain::connect(node).await?;
    let epoch: u64 = chain.api("KgcApi_current_epoch", (), None).await?;
    let call = RuntimeCall::Kgc(pallet_kgc::Call::revoke {
        doctor: doctor.clone(),
        epoch,
    });
    let included = submit(&chain, &kgc.pair, call, output).await?;
    let revoked = Revoked {
        doctor: text::account(&doctor),
        epoch,
        block: included.number,
    };
    output.print(&revoked, |revoked, out| {
        writeln!(
            out,
            "{} is revoked from epoch {} (block #{}).",
            revoked.doctor, revoked.epoch, revoked.block
        )?;
        writeln!(
            out,
            "The epoch's update key is now stale: run `medchain kgc publish-update` so that hospitals stop serving the doctor."
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The on-chain revocation list.
async fn revocations(
    chain: &Chain,
    at: Option<Hash>,
) -> Result<Vec<RevocationEntry>, CommandError> {
    let key = pallet_kgc::Revocations::<Runtime>::hashed_key().to_vec();
    Ok(chain
        .storage("Kgc.Revocations", key, at)
        .await?
        .unwrap_or_default())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Published {
    epoch: u64,
    nodes: usize,
    revocations: usize,
    advanced: bool,
    block: u32,
}

async fn publish_update(
    setup: &std::path::Path,
    key: &std::path::Path,
    next: bool,
    node: &str,
    output: Output,
) -> Result<ExitCode, CommandError> {
    let kgc = AccountKey::load(key, Role::Kgc)?;
    let chain = Chain::connect(node).await?;
    let setup = load_setup(&chain, setup).await?;
    let current: u64 = chain.api("KgcApi_current_epoch", (), None).await?;
    let epoch = if next { current + 1 } else { current };
    let list = revocations(&chain, None).await?;
    let list_for_tree: Vec<Revocation> = list.iter().copied().map(Revocation::from).collect();
    let update = abe::upd_keygen(
        &setup.pp,
        &KeyTables::new(&setup.pp),
        &setup.msk,
        epoch,
        &list_for_tree,
        &mut OsRng,
    )
    .map_err(|source| SealingError::Crypto {
        what: "the update key cannot be made",
        source,
    })?;
    let nodes = update.nodes.len();
    let encoded = update.encode();
    let size = encoded.len();
    let key = encoded.try_into().map_err(|_| {
        CommandError::Refused(format!(
            "the update key is {size} bytes, more than the chain accepts: the revocation list is too long for one update key"
        ))
    })?;
    let call = RuntimeCall::Kgc(pallet_kgc::Call::publish_update_key {
        key,
        revocations: list.len() as u32,
    });
    let included = submit(&chain, &kgc.pair, call, output).await?;
    let published = Published {
        epoch,
        nodes,
        revocations: list.len(),
        advanced: next,
        block: included.number,
    };
    output.print(&published, |p, out| {
        writeln!(
            out,
            "Update key of epoch {} published in block #{} ({} tree nodes, {} revocations){}.",
            p.epoch,
            p.block,
            p.nodes,
            p.revocations,
            if p.advanced {
                "; it is now the current epoch"
            } else {
                ""
            }
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KgcStatus {
    epoch: u64,
    kgc_account: Option<String>,
    tree_depth: Option<u8>,
    revocations: Vec<RevocationView>,
    has_update_key: bool,
    update_key_current: bool,
}

#[derive(Serialize)]
struct RevocationView {
    leaf: u64,
    epoch: u64,
}

async fn status(node: &str, output: Output) -> Result<ExitCode, CommandError> {
    let chain = Chain::connect(node).await?;
    let (at, _) = chain.finalized().await?;
    let epoch: u64 = chain.api("KgcApi_current_epoch", (), Some(at)).await?;
    let kgc_account: Option<AccountId> = chain
        .storage(
            "Kgc.KgcAccount",
            pallet_kgc::KgcAccount::<Runtime>::hashed_key().to_vec(),
            Some(at),
        )
        .await?;
    let update_key: Option<Vec<u8>> = chain.api("KgcApi_update_key", epoch, Some(at)).await?;
    let stale: Option<bool> = chain
        .storage(
            "Kgc.StaleUpdateKey",
            pallet_kgc::StaleUpdateKey::<Runtime>::hashed_key().to_vec(),
            Some(at),
        )
        .await?;
    let status = KgcStatus {
        epoch,
        kgc_account: kgc_account.as_ref().map(text::account),
        tree_depth: chain_params(&chain).await?.map(|pp| pp.depth),
        revocations: revocations(&chain, Some(at))
            .await?
            .into_iter()
            .map(|r| RevocationView {
                leaf: r.leaf,
                epoch: r.epoch,
            })
            .collect(),
        has_update_key: update_key.is_some(),
        update_key_current: update_key.is_some() && !stale.unwrap_or(false),
    };
    output.print(&status, |s, out| {
        writeln!(out, "epoch:        {}", s.epoch)?;
        writeln!(
            out,
            "KGC account:  {}",
            s.kgc_account.as_deref().unwrap_or("(none)")
        )?;
        match s.tree_depth {
            Some(depth) => writeln!(out, "tree depth:   {depth}")?,
            None => writeln!(out, "tree depth:   (no Setup on-chain yet)")?,
        }
        writeln!(
            out,
            "update key:   {}",
            match (s.has_update_key, s.update_key_current) {
                (true, true) => "published, current",
                (true, false) => "stale since a revocation: run `medchain kgc publish-update`",
                _ => "missing: run `medchain kgc publish-update`",
            }
        )?;
        writeln!(out, "revocations:  {}", s.revocations.len())?;
        for r in &s.revocations {
            writeln!(out, "  leaf {} from epoch {}", r.leaf, r.epoch)?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
