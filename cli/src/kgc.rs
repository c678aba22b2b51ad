//! `medchain kgc`: the key generation centre's commands. The KGC keeps `msk` off-chain in its
//! Setup file; the chain holds `pp`, the doctors' registered encryption keys, their leaves and
//! the hashes of the keys issued on them, the revocation list and each epoch's update key, which
//! the KGC publishes with its account key. A revocation takes effect from the next epoch, which
//! the same transaction publishes and makes current: an update key once published stays valid.

use std::{
    io::{self, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::{ArgGroup, Args, Subcommand};
use codec::Encode;
use medchain_crypto::hash::sha256;
use medchain_crypto::{
    abe::{self, KeyTables, PublicParams, SealedAttributeKey, UpdateKey},
    elgamal,
};
use medchain_rpc_api::AttributeKeyDelivery;
use medchain_runtime::{genesis::dev_kgc, pallet_kgc, AccountId, Hash, Runtime, RuntimeCall};
use medchain_types::{CompressedG1, Epoch, LeafIndex, Revocation};

/// The chain's bound on an encoded update key.
type UpdateKeyLimit = <Runtime as pallet_kgc::Config>::MaxUpdateKeyLen;
use rand::rngs::OsRng;
use serde::Serialize;

use medchain_client::{
    sealing::{self, SealingError},
    Chain,
};

use crate::{
    args::{KeyFile, SetupFile},
    context::Context,
    error::CommandError,
    keygen::{self, KeygenArgs},
    keys::{AccountKey, KgcSetup, Role},
    output::Render,
    submit::submit,
    text,
};

/// The KGC's commands.
#[derive(Debug, Subcommand)]
pub enum KgcCommand {
    /// Make the KGC's account key, which signs key issuances, revocations and update keys.
    Keygen(KeygenArgs),
    /// Run the ABE Setup: write `pp` and the master secret `msk` (mode 0600) and say whether
    /// the node's chain holds this `pp` (it goes into a new chain's genesis).
    Setup(SetupArgs),
    /// Issue a doctor's attribute key on a fresh tree leaf, sealed to the encryption key the
    /// doctor registered on-chain, and deliver it to their hospital's node (`--node`), which
    /// relays it to the doctor and cannot open it.
    IssueKey(IssueKeyArgs),
    /// Revoke a doctor from the next epoch on, publishing that epoch's update key and making it
    /// current in the same transaction: from then on the doctor can make no transformation key
    /// and new records are made under the new epoch.
    Revoke {
        #[command(flatten)]
        kgc: SetupFile,
        #[command(flatten)]
        key: KeyFile,
        /// The doctor's account (SS58).
        #[arg(long, value_parser = text::parse_account)]
        doctor: AccountId,
    },
    /// Publish the update key of the next epoch over the on-chain revocation list; it becomes
    /// the current epoch (new records are made under it).
    PublishUpdate {
        #[command(flatten)]
        kgc: SetupFile,
        #[command(flatten)]
        key: KeyFile,
    },
    /// Show the epoch, the KGC account, the revocation list and the next free leaf.
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
    #[command(flatten)]
    pub kgc: SetupFile,
    #[command(flatten)]
    pub key: KeyFile,
    /// The doctor's account (SS58); the doctor must have registered their encryption key.
    #[arg(long, value_parser = text::parse_account)]
    pub doctor: AccountId,
    /// The doctor's attributes, comma-separated (e.g. cardiology,consultant).
    #[arg(long, value_delimiter = ',', required = true)]
    pub attributes: Vec<String>,
}

/// Runs `command` in `context`.
pub async fn exec(command: KgcCommand, context: &Context) -> Result<ExitCode, CommandError> {
    match command {
        KgcCommand::Keygen(args) => context.show(&keygen::exec(Role::Kgc, args)?),
        KgcCommand::Setup(args) => context.show(&setup(args, context).await?),
        KgcCommand::IssueKey(args) => context.show(&issue_key(args, context).await?),
        KgcCommand::Revoke { kgc, key, doctor } => {
            context.show(&revoke(&kgc, &key, doctor, context).await?)
        }
        KgcCommand::PublishUpdate { kgc, key } => {
            context.show(&publish_update(&kgc, &key, context).await?)
        }
        KgcCommand::Status => context.show(&status(context).await?),
    }
}

/// The chain's `pp`, or `None` when its KGC has not run Setup.
pub(crate) async fn chain_params(chain: &Chain) -> Result<Option<PublicParams>, CommandError> {
    let encoded: Vec<u8> = chain.at(None).params().await?;
    if encoded.is_empty() {
        return Ok(None);
    }
    Ok(Some(sealing::decode("the chain's pp", &encoded)?))
}

/// Loads the Setup file and checks that the chain holds its `pp`: keys made with another
/// master secret would open nothing on this chain.
async fn load_setup(chain: &Chain, path: &Path) -> Result<KgcSetup, CommandError> {
    let setup = KgcSetup::load(path)?;
    if chain_params(chain).await?.as_ref() != Some(&setup.pp) {
        return Err(CommandError::Refused(format!(
            "the Setup in {} is not the one this chain holds: use the KGC's own Setup file (`medchain kgc setup --dev` for a development network)",
            path.display()
        )));
    }
    Ok(setup)
}

/// What every command that issues or publishes keys starts from: the KGC's account key, the
/// node, and the Setup the chain holds.
async fn signing_session(
    setup: &Path,
    key: &Path,
    context: &Context,
) -> Result<(AccountKey, Chain, KgcSetup), CommandError> {
    let kgc = AccountKey::load(key, Role::Kgc)?;
    let chain = context.connect().await?;
    let setup = load_setup(&chain, setup).await?;
    Ok((kgc, chain, setup))
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

impl Render for SetupDone {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Setup (tree depth {}, {} doctors) written to {}",
            self.depth,
            1u64 << self.depth,
            self.file.display()
        )?;
        match (self.matches_chain, &self.node_error) {
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
    }
}

async fn setup(args: SetupArgs, context: &Context) -> Result<SetupDone, CommandError> {
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
    let on_chain = match context.connect().await {
        Ok(chain) => chain_params(&chain).await,
        Err(error) => Err(error.into()),
    };
    let (matches_chain, node_error) = match on_chain {
        Ok(pp) => (Some(pp.as_ref() == Some(&setup.pp)), None),
        Err(error) => (None, Some(error.to_string())),
    };
    Ok(SetupDone {
        file: args.out,
        depth,
        matches_chain,
        node_error,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Issued {
    doctor: String,
    leaf: LeafIndex,
    attributes: Vec<String>,
    block: u32,
}

impl Render for Issued {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Attribute key for {} on leaf {} with attributes {} issued (block #{}) and delivered, sealed to the doctor, to their hospital's node.",
            self.doctor,
            self.leaf,
            self.attributes.join(", "),
            self.block
        )
    }
}

async fn issue_key(args: IssueKeyArgs, context: &Context) -> Result<Issued, CommandError> {
    let output = context.output();
    let (kgc, chain, setup) = signing_session(&args.kgc, &args.key, context).await?;
    let doctor = text::account(&args.doctor);
    if let Some(issued) = chain.at(None).key_issue(&args.doctor).await? {
        return Err(CommandError::Refused(format!(
            "doctor {doctor} already holds the key issued on leaf {}: a doctor is issued one key, on one leaf, once",
            issued.leaf
        )));
    }
    let registered: Option<CompressedG1> = chain.at(None).encryption_key(&args.doctor).await?;
    let registered = registered.ok_or_else(|| {
        CommandError::Refused(format!(
            "doctor {doctor} has registered no encryption key: they run `medchain doctor register` once their hospital has added them"
        ))
    })?;
    let recipient = elgamal::PublicKey::decompress(&registered).map_err(|e| {
        CommandError::Refused(format!(
            "doctor {doctor}'s registered encryption key is unusable ({e}): they register a new one with `medchain doctor register`"
        ))
    })?;
    let leaf = next_leaf(&chain).await?;
    let spinner = output.spinner("issuing the attribute key");
    let sealed = abe::keygen(
        &setup.pp,
        &KeyTables::new(&setup.pp),
        &setup.msk,
        leaf,
        &args.attributes,
        &mut OsRng,
    )
    .and_then(|sk| {
        let account: [u8; 32] = args.doctor.clone().into();
        SealedAttributeKey::seal(&sk, &account, &recipient, &mut OsRng)
    })
    .map_err(|source| SealingError::Crypto {
        what: "the attribute key cannot be issued",
        source,
    });
    spinner.finish_and_clear();
    let sealed = sealed?.encode();
    let call = RuntimeCall::Kgc(pallet_kgc::Call::issue_key {
        doctor: args.doctor.clone(),
        leaf,
        encryption_key: registered,
        sealed_key_hash: sha256(&sealed),
    });
    let included = submit(&chain, &kgc.pair, call, output).await?;
    let delivery = AttributeKeyDelivery {
        doctor: args.doctor.clone(),
        sealed,
    };
    chain.client().request(&kgc.pair, delivery).await?;
    Ok(Issued {
        doctor,
        leaf,
        attributes: args.attributes,
        block: included.number,
    })
}

/// The next free leaf, on which the next key is issued (the chain refuses any other).
async fn next_leaf(chain: &Chain) -> Result<LeafIndex, CommandError> {
    Ok(chain
        .value::<pallet_kgc::NextLeaf<Runtime>, _>(None)
        .await?
        .unwrap_or_default())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Revoked {
    doctor: String,
    epoch: Epoch,
    block: u32,
}

impl Render for Revoked {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "{} is revoked from epoch {}, which is now the current epoch (block #{}): its update key covers none of the doctor's tree nodes.",
            self.doctor, self.epoch, self.block
        )
    }
}

async fn revoke(
    setup: &Path,
    key: &Path,
    doctor: AccountId,
    context: &Context,
) -> Result<Revoked, CommandError> {
    let (kgc, chain, setup) = signing_session(setup, key, context).await?;
    let status: Option<(LeafIndex, Option<Epoch>)> = chain.at(None).doctor_status(&doctor).await?;
    let leaf = match status {
        Some((_, Some(epoch))) => {
            return Err(CommandError::Refused(format!(
                "{} is already revoked from epoch {epoch}",
                text::account(&doctor)
            )))
        }
        Some((leaf, None)) => leaf,
        None => {
            return Err(CommandError::Refused(format!(
                "{} holds no key: there is nothing to revoke",
                text::account(&doctor)
            )))
        }
    };
    let epoch = next_epoch(&chain).await?;
    let mut list = revocations(&chain, None).await?;
    let witness = list.len() as u32;
    list.push(Revocation { leaf, epoch });
    let call = RuntimeCall::Kgc(pallet_kgc::Call::revoke {
        doctor: doctor.clone(),
        key: next_update_key(&setup, epoch, &list)?,
        revocations: witness,
    });
    let included = submit(&chain, &kgc.pair, call, context.output()).await?;
    Ok(Revoked {
        doctor: text::account(&doctor),
        epoch,
        block: included.number,
    })
}

/// The epoch after the current one.
async fn next_epoch(chain: &Chain) -> Result<Epoch, CommandError> {
    let current: Epoch = chain.at(None).current_epoch().await?;
    current
        .next()
        .ok_or_else(|| CommandError::Refused("the chain's epochs are exhausted".to_owned()))
}

/// The on-chain revocation list.
async fn revocations(chain: &Chain, at: Option<Hash>) -> Result<Vec<Revocation>, CommandError> {
    Ok(chain
        .value::<pallet_kgc::Revocations<Runtime>, _>(at)
        .await?
        .map(|list| list.into_inner())
        .unwrap_or_default())
}

/// The update key of `epoch` over `list`, encoded for the chain.
fn next_update_key(
    setup: &KgcSetup,
    epoch: Epoch,
    list: &[Revocation],
) -> Result<polkadot_sdk::frame_support::BoundedVec<u8, UpdateKeyLimit>, CommandError> {
    let update: UpdateKey = abe::upd_keygen(
        &setup.pp,
        &KeyTables::new(&setup.pp),
        &setup.msk,
        epoch,
        list,
        &mut OsRng,
    )
    .map_err(|source| SealingError::Crypto {
        what: "the update key cannot be made",
        source,
    })?;
    let encoded = update.encode();
    let size = encoded.len();
    encoded.try_into().map_err(|_| {
        CommandError::Refused(format!(
            "the update key is {size} bytes, more than the chain accepts: the revocation list is too long for one update key"
        ))
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Published {
    epoch: Epoch,
    revocations: usize,
    block: u32,
}

impl Render for Published {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Update key of epoch {} published in block #{} over {} revocations; it is now the current epoch.",
            self.epoch, self.block, self.revocations
        )
    }
}

async fn publish_update(
    setup: &Path,
    key: &Path,
    context: &Context,
) -> Result<Published, CommandError> {
    let (kgc, chain, setup) = signing_session(setup, key, context).await?;
    let epoch = next_epoch(&chain).await?;
    let list = revocations(&chain, None).await?;
    let call = RuntimeCall::Kgc(pallet_kgc::Call::publish_update_key {
        key: next_update_key(&setup, epoch, &list)?,
        revocations: list.len() as u32,
    });
    let included = submit(&chain, &kgc.pair, call, context.output()).await?;
    Ok(Published {
        epoch,
        revocations: list.len(),
        block: included.number,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KgcStatus {
    epoch: Epoch,
    kgc_account: Option<String>,
    tree_depth: Option<u8>,
    next_leaf: LeafIndex,
    revocations: Vec<Revocation>,
    has_update_key: bool,
}

impl Render for KgcStatus {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "epoch:        {}", self.epoch)?;
        writeln!(
            out,
            "KGC account:  {}",
            self.kgc_account.as_deref().unwrap_or("(none)")
        )?;
        match self.tree_depth {
            Some(depth) => writeln!(out, "tree depth:   {depth}")?,
            None => writeln!(out, "tree depth:   (no Setup on-chain yet)")?,
        }
        writeln!(out, "next leaf:    {}", self.next_leaf)?;
        writeln!(
            out,
            "update key:   {}",
            if self.has_update_key {
                "published"
            } else {
                "missing: run `medchain kgc publish-update`"
            }
        )?;
        writeln!(out, "revocations:  {}", self.revocations.len())?;
        for r in &self.revocations {
            writeln!(out, "  leaf {} from epoch {}", r.leaf, r.epoch)?;
        }
        Ok(())
    }
}

async fn status(context: &Context) -> Result<KgcStatus, CommandError> {
    let chain = context.connect().await?;
    let (at, _) = chain.finalized().await?;
    let epoch: Epoch = chain.at(Some(at)).current_epoch().await?;
    let kgc_account = chain
        .value::<pallet_kgc::KgcAccount<Runtime>, _>(Some(at))
        .await?;
    let update_key: Option<Vec<u8>> = chain.at(Some(at)).update_key(epoch).await?;
    Ok(KgcStatus {
        epoch,
        kgc_account: kgc_account.as_ref().map(text::account),
        tree_depth: chain_params(&chain).await?.map(|pp| pp.depth),
        next_leaf: next_leaf(&chain).await?,
        revocations: revocations(&chain, Some(at)).await?,
        has_update_key: update_key.is_some(),
    })
}
