//! `medchain hospital`: a hospital administrator's commands. Admitting a hospital is a council
//! decision of the member hospitals (a proposal, votes, and a close once decided); the rest are
//! the hospital's own transactions, signed with its account key.

use std::{
    io::{self, Write},
    path::Path,
    process::ExitCode,
};

use clap::{ArgGroup, Args, Subcommand};
use codec::{Decode, Encode};
use medchain_client::{dispatch, sealing, submit::Included, Chain};
use medchain_runtime::{
    hospital_keys, pallet_hospitals, pallet_records, AccountId, BlockNumber, CouncilInstance, Hash,
    Runtime, RuntimeCall, SessionKeys,
};
use medchain_types::{CompressedG1, KeyEpoch, RecordId};
use polkadot_sdk::{
    frame_support::dispatch::GetDispatchInfo,
    pallet_collective,
    sp_runtime::traits::{BlakeTwo256, Hash as _},
};
use rand::rngs::OsRng;
use serde::Serialize;

use crate::{
    args::KeyFile,
    context::Context,
    error::CommandError,
    keygen::{self, KeygenArgs},
    keys::{AccountKey, Role},
    names::{Hospitals, Named},
    output::{Output, Render},
    submit::{events_of, submit},
    text::{self, HexBytes},
};

/// A hospital administrator's commands.
#[derive(Debug, Subcommand)]
pub enum HospitalCommand {
    /// Make a hospital's account key (its node derives the same encryption and search keys
    /// from it).
    Keygen(KeygenArgs),
    /// Propose to the council that a new hospital be admitted, and vote for it: it becomes a
    /// member (and a validator) once a majority of the member hospitals approve.
    Admit(AdmitArgs),
    /// Vote on an open council proposal, and close it once the vote is decided.
    Vote(VoteArgs),
    /// Let another hospital search this hospital's records until a block: its search key of
    /// the current key epoch, sealed to the grantee's registered encryption key.
    Authorize {
        #[command(flatten)]
        key: KeyFile,
        /// The hospital authorised (SS58).
        #[arg(long, value_parser = text::parse_account)]
        to: AccountId,
        /// How many blocks from now the authorisation lasts (a block is 3 s).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        expires_in: u32,
    },
    /// Withdraw an authorisation; the hospital's search key rotates, so the former grantee
    /// finds none of its new records.
    Withdraw {
        #[command(flatten)]
        key: KeyFile,
        /// The hospital whose authorisation ends (SS58).
        #[arg(long, value_parser = text::parse_account)]
        to: AccountId,
    },
    /// Register a doctor at this hospital: they may then use its node and be issued a key.
    AddDoctor {
        #[command(flatten)]
        key: KeyFile,
        /// The doctor's account (SS58).
        #[arg(long, value_parser = text::parse_account)]
        doctor: AccountId,
    },
    /// Open a consultation on one of this hospital's records: doctors claim it until the window
    /// closes, and the best match is assigned.
    OpenConsultation {
        #[command(flatten)]
        key: KeyFile,
        /// The record's id.
        #[arg(long)]
        record: RecordId,
    },
    /// Show a hospital (or every hospital): name, doctors, authorisations given and received,
    /// search key epoch, records.
    Status {
        /// The hospital (SS58); every registered hospital when left out.
        #[arg(long, value_parser = text::parse_account)]
        hospital: Option<AccountId>,
    },
}

/// A new hospital, as the council admits it.
#[derive(Debug, Args)]
pub struct AdmitArgs {
    #[command(flatten)]
    pub key: KeyFile,
    /// The new hospital's account (SS58).
    #[arg(long, value_parser = text::parse_account)]
    pub hospital: AccountId,
    /// Its name.
    #[arg(long)]
    pub name: String,
    /// Its node's libp2p peer id (base58, 12D3Koo..., or the multihash bytes in 0x hex).
    #[arg(long, value_parser = parse_peer_id)]
    pub peer_id: HexBytes,
    /// Its encryption key (48 bytes hex), as `medchain hospital keygen` printed it.
    #[arg(long, value_parser = text::parse_encryption_key)]
    pub encryption_key: CompressedG1,
    /// Its node's session keys (hex), as its node's `author_rotateKeys` returned them.
    #[arg(long, value_parser = text::parse_hex_bytes)]
    pub session_keys: HexBytes,
}

/// A council vote.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("vote").required(true).args(["approve", "reject"])))]
pub struct VoteArgs {
    #[command(flatten)]
    pub key: KeyFile,
    /// The proposal's hash, as `medchain hospital admit` printed it.
    #[arg(long, value_parser = text::parse_hash)]
    pub proposal: Hash,
    /// Vote aye.
    #[arg(long)]
    pub approve: bool,
    /// Vote nay.
    #[arg(long)]
    pub reject: bool,
}

/// A libp2p peer id: base58 text or hex multihash bytes.
fn parse_peer_id(text: &str) -> Result<HexBytes, String> {
    if text.starts_with("0x") {
        return text::parse_hex_bytes(text);
    }
    bs58::decode(text)
        .into_vec()
        .map(HexBytes)
        .map_err(|e| format!("not a base58 peer id: {e}"))
}

/// Runs `command` in `context`.
pub async fn exec(command: HospitalCommand, context: &Context) -> Result<ExitCode, CommandError> {
    match command {
        HospitalCommand::Keygen(args) => context.show(&keygen::exec(Role::Hospital, args)?),
        HospitalCommand::Admit(args) => context.show(&admit(args, context).await?),
        HospitalCommand::Vote(args) => context.show(&vote(args, context).await?),
        HospitalCommand::Authorize {
            key,
            to,
            expires_in,
        } => context.show(&authorize(&key, to, expires_in, context).await?),
        HospitalCommand::Withdraw { key, to } => {
            let call = RuntimeCall::Hospitals(pallet_hospitals::Call::withdraw { to: to.clone() });
            let (chain, included) = transact(&key, call, context).await?;
            let to = Hospitals::load(&chain, included.block).await?.named(&to);
            let block = included.number;
            context.show(&Done {
                block,
                message: format!(
                    "Authorisation of {to} withdrawn (block #{block}); the search key rotates for new records."
                ),
            })
        }
        HospitalCommand::AddDoctor { key, doctor } => {
            let call = RuntimeCall::Hospitals(pallet_hospitals::Call::add_doctor {
                doctor: doctor.clone(),
            });
            let block = transact(&key, call, context).await?.1.number;
            context.show(&Done {
                block,
                message: format!(
                    "Doctor {doctor} registered (block #{block}); the KGC now issues their key: `medchain kgc issue-key --doctor {doctor} ...`.",
                    doctor = text::account(&doctor)
                ),
            })
        }
        HospitalCommand::OpenConsultation { key, record } => {
            let call = RuntimeCall::Records(pallet_records::Call::open_consultation { record });
            let block = transact(&key, call, context).await?.1.number;
            context.show(&Done {
                block,
                message: format!(
                    "Consultation on record {record} opened (block #{block}): doctors claim it with `medchain doctor claim`."
                ),
            })
        }
        HospitalCommand::Status { hospital } => context.show(&status(hospital, context).await?),
    }
}

/// Signs `call` with the hospital key in `key` and waits for it to be final; the connection
/// to the node too, to read what followed.
async fn transact(
    key: &Path,
    call: RuntimeCall,
    context: &Context,
) -> Result<(Chain, Included), CommandError> {
    let hospital = AccountKey::load(key, Role::Hospital)?;
    let chain = context.connect().await?;
    let included = submit(&chain, &hospital.pair, call, context.output()).await?;
    Ok((chain, included))
}

/// What a plain transaction command prints: the sentence saying what it did.
#[derive(Serialize)]
struct Done {
    block: BlockNumber,
    message: String,
}

impl Render for Done {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.message)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Authorized {
    to: Named,
    expires_at: BlockNumber,
    key_epoch: KeyEpoch,
    block: BlockNumber,
}

impl Render for Authorized {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "{} may search this hospital's records until block #{} (search key epoch {}; block #{}).",
            self.to, self.expires_at, self.key_epoch, self.block
        )
    }
}

async fn authorize(
    key: &Path,
    to: AccountId,
    expires_in: u32,
    context: &Context,
) -> Result<Authorized, CommandError> {
    let hospital = AccountKey::load(key, Role::Hospital)?;
    let chain = context.connect().await?;
    let contact: Option<(Vec<u8>, CompressedG1)> = chain.at(None).contact(&to).await?;
    let Some((_, grantee_key)) = contact else {
        return Err(CommandError::Refused(format!(
            "{} is not a registered hospital: check the account with `medchain hospital status`",
            text::account(&to)
        )));
    };
    let key_epoch: KeyEpoch = chain.at(None).search_key_epoch(&hospital.account).await?;
    let search_key = hospital_keys::search_key(&hospital.pair, key_epoch);
    let sealed = hospital_keys::seal_search_key(&grantee_key, key_epoch, &search_key, &mut OsRng)
        .ok_or_else(|| {
        CommandError::Refused(format!(
            "{}'s registered encryption key is not a valid key: it cannot be authorised",
            text::account(&to)
        ))
    })?;
    let expires_at = chain.best_header().await?.number.saturating_add(expires_in);
    let call = RuntimeCall::Hospitals(pallet_hospitals::Call::authorize {
        to: to.clone(),
        expires_at,
        encrypted_search_key: sealed,
    });
    let included = submit(&chain, &hospital.pair, call, context.output()).await?;
    Ok(Authorized {
        to: Hospitals::load(&chain, included.block).await?.named(&to),
        expires_at,
        key_epoch,
        block: included.number,
    })
}

/// `pallet_collective::Votes`, whose fields the pallet keeps private: read as the pallet's type,
/// then decoded again as this one, which has the same encoding.
#[derive(Decode)]
struct Motion {
    index: u32,
    threshold: u32,
    ayes: Vec<AccountId>,
    nays: Vec<AccountId>,
    _end: BlockNumber,
}

/// Where a proposal stands.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MotionView {
    proposal: String,
    index: u32,
    threshold: u32,
    members: usize,
    ayes: usize,
    nays: usize,
    outcome: Outcome,
}

impl Render for MotionView {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "proposal:  {} (index {})", self.proposal, self.index)?;
        writeln!(
            out,
            "votes:     {} aye, {} nay of {} members (threshold {})",
            self.ayes, self.nays, self.members, self.threshold
        )?;
        match &self.outcome {
            Outcome::Open => writeln!(
                out,
                "outcome:   open: other members vote with `medchain hospital vote --proposal {} --approve`",
                self.proposal
            ),
            Outcome::Executed => writeln!(out, "outcome:   approved and executed"),
            Outcome::ExecutionFailed(why) => {
                writeln!(out, "outcome:   approved, but the call failed: {why}")
            }
            Outcome::Disapproved => writeln!(out, "outcome:   rejected"),
        }
    }
}

/// How a proposal ended, or that it has not.
#[derive(Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum Outcome {
    /// Votes are still open.
    Open,
    /// Approved and executed successfully.
    Executed,
    /// Approved, but the proposed call failed.
    ExecutionFailed(String),
    /// Rejected.
    Disapproved,
}

async fn members(chain: &Chain, at: Option<Hash>) -> Result<Vec<AccountId>, CommandError> {
    Ok(chain
        .value::<pallet_collective::Members<Runtime, CouncilInstance>, _>(at)
        .await?
        .unwrap_or_default())
}

async fn motion(
    chain: &Chain,
    hash: Hash,
    at: Option<Hash>,
) -> Result<Option<Motion>, CommandError> {
    let votes = chain
        .map_value::<pallet_collective::Voting<Runtime, CouncilInstance>>(&hash, at)
        .await?;
    Ok(votes
        .map(|votes| sealing::decode("the council's votes", &votes.encode()))
        .transpose()?)
}

/// The outcome the council's events in a close (or a directly executed proposal) report.
fn outcome(included: &Included) -> Option<Outcome> {
    events_of::<pallet_collective::Event<Runtime, CouncilInstance>>(&included.events)
        .into_iter()
        .find_map(|event| match event {
            pallet_collective::Event::Executed { result, .. }
            | pallet_collective::Event::MemberExecuted { result, .. } => Some(match result {
                Ok(()) => Outcome::Executed,
                Err(error) => Outcome::ExecutionFailed(dispatch::describe(&error).to_string()),
            }),
            pallet_collective::Event::Disapproved { .. } => Some(Outcome::Disapproved),
            _ => None,
        })
}

async fn admit(args: AdmitArgs, context: &Context) -> Result<MotionView, CommandError> {
    let member = AccountKey::load(&args.key, Role::Hospital)?;
    let output = context.output();
    let keys: SessionKeys = sealing::decode("--session-keys", &args.session_keys.0)?;
    let chain = context.connect().await?;
    let council = members(&chain, None).await?;
    if !council.contains(&member.account) {
        return Err(CommandError::Refused(format!(
            "{} is not a member hospital: only members propose admissions",
            member.ss58()
        )));
    }
    let proposal = RuntimeCall::Hospitals(pallet_hospitals::Call::admit_hospital {
        hospital: args.hospital,
        name: args.name.into_bytes(),
        peer_id: args.peer_id.0,
        encryption_key: args.encryption_key,
        keys,
    });
    let hash = BlakeTwo256::hash_of(&proposal);
    let length_bound = proposal.encoded_size() as u32;
    // More than half of the members: the admission origin's proportion.
    let threshold = council.len() as u32 / 2 + 1;
    let propose = RuntimeCall::Council(pallet_collective::Call::propose {
        threshold,
        proposal: Box::new(proposal),
        length_bound,
    });
    let included = submit(&chain, &member.pair, propose, output).await?;
    match outcome(&included) {
        // A council of one executes its proposal at once.
        Some(outcome) => Ok(MotionView {
            proposal: text::hex(hash.as_ref()),
            index: 0,
            threshold,
            members: council.len(),
            ayes: 1,
            nays: 0,
            outcome,
        }),
        None => vote_and_close(&chain, &member, hash, true, output).await,
    }
}

async fn vote(args: VoteArgs, context: &Context) -> Result<MotionView, CommandError> {
    let member = AccountKey::load(&args.key, Role::Hospital)?;
    let chain = context.connect().await?;
    vote_and_close(
        &chain,
        &member,
        args.proposal,
        args.approve,
        context.output(),
    )
    .await
}

/// Votes on proposal `hash`, then closes it if the vote is decided.
async fn vote_and_close(
    chain: &Chain,
    member: &AccountKey,
    hash: Hash,
    approve: bool,
    output: Output,
) -> Result<MotionView, CommandError> {
    let open = motion(chain, hash, None).await?.ok_or_else(|| {
        CommandError::Refused(format!(
            "no open council proposal {}: it was closed already, or the hash is wrong",
            text::hex(hash.as_ref())
        ))
    })?;
    let vote = RuntimeCall::Council(pallet_collective::Call::vote {
        proposal: hash,
        index: open.index,
        approve,
    });
    let voted = submit(chain, &member.pair, vote, output).await?;
    let council = members(chain, Some(voted.block)).await?.len();
    let Some(now) = motion(chain, hash, Some(voted.block)).await? else {
        return Err(CommandError::Refused(format!(
            "council proposal {} closed meanwhile",
            text::hex(hash.as_ref())
        )));
    };
    let mut view = MotionView {
        proposal: text::hex(hash.as_ref()),
        index: now.index,
        threshold: now.threshold,
        members: council,
        ayes: now.ayes.len(),
        nays: now.nays.len(),
        outcome: Outcome::Open,
    };
    let approved = now.ayes.len() as u32 >= now.threshold;
    let rejected = now.nays.len() as u32 > (council as u32).saturating_sub(now.threshold);
    if approved || rejected {
        let proposal: RuntimeCall = chain
            .map_value::<pallet_collective::ProposalOf<Runtime, CouncilInstance>>(
                &hash,
                Some(voted.block),
            )
            .await?
            .ok_or_else(|| CommandError::Refused("the proposal's call is gone".to_owned()))?;
        let close = RuntimeCall::Council(pallet_collective::Call::close {
            proposal_hash: hash,
            index: now.index,
            proposal_weight_bound: proposal.get_dispatch_info().call_weight,
            length_bound: proposal.encoded_size() as u32,
        });
        let closed = submit(chain, &member.pair, close, output).await?;
        view.outcome = outcome(&closed).unwrap_or(Outcome::Disapproved);
    }
    Ok(view)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HospitalView {
    account: String,
    name: String,
    doctors: Vec<String>,
    grants: Vec<GrantView>,
    authorized_by: Vec<Named>,
    search_key_epoch: KeyEpoch,
    records: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GrantView {
    to: Named,
    expires_at: BlockNumber,
    key_epoch: KeyEpoch,
}

/// The hospitals `status` shows.
#[derive(Serialize)]
#[serde(transparent)]
struct HospitalList(Vec<HospitalView>);

impl Render for HospitalList {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        for v in &self.0 {
            writeln!(out, "{} ({})", v.name, v.account)?;
            writeln!(out, "  records:          {}", v.records)?;
            writeln!(out, "  search key epoch: {}", v.search_key_epoch)?;
            writeln!(out, "  doctors:          {}", v.doctors.len())?;
            for doctor in &v.doctors {
                writeln!(out, "    {doctor}")?;
            }
            writeln!(out, "  authorises:       {}", v.grants.len())?;
            for g in &v.grants {
                writeln!(
                    out,
                    "    {} until block #{} (key epoch {})",
                    g.to, g.expires_at, g.key_epoch
                )?;
            }
            writeln!(out, "  authorised by:    {}", v.authorized_by.len())?;
            for from in &v.authorized_by {
                writeln!(out, "    {from}")?;
            }
        }
        Ok(())
    }
}

async fn status(
    hospital: Option<AccountId>,
    context: &Context,
) -> Result<HospitalList, CommandError> {
    let chain = context.connect().await?;
    let (at, _) = chain.finalized().await?;
    let hospitals = Hospitals::load(&chain, at).await?;
    let accounts = match hospital {
        Some(account) => vec![account],
        None => hospitals.accounts().cloned().collect(),
    };
    let mut views = Vec::with_capacity(accounts.len());
    for account in accounts {
        views.push(hospital_view((&chain, &hospitals), account, at).await?);
    }
    Ok(HospitalList(views))
}

async fn hospital_view(
    (chain, hospitals): (&Chain, &Hospitals),
    account: AccountId,
    at: Hash,
) -> Result<HospitalView, CommandError> {
    let at = Some(at);
    let info = chain
        .map_value::<pallet_hospitals::Hospitals<Runtime>>(&account, at)
        .await?;
    let Some(info) = info else {
        return Err(CommandError::Refused(format!(
            "{} is not a registered hospital",
            text::account(&account)
        )));
    };
    let doctors = chain
        .map_value::<pallet_hospitals::Doctors<Runtime>>(&account, at)
        .await?
        .unwrap_or_default();
    let grants: Vec<(AccountId, BlockNumber, KeyEpoch)> = chain.at(at).grants_by(&account).await?;
    let authorized_by: Vec<AccountId> = chain.at(at).authorizers_of(&account).await?;
    let search_key_epoch: KeyEpoch = chain.at(at).search_key_epoch(&account).await?;
    let records = chain
        .map_value::<pallet_records::RecordCount<Runtime>>(&account, at)
        .await?;
    Ok(HospitalView {
        account: text::account(&account),
        name: text::lossless(&info.name),
        doctors: doctors.iter().map(text::account).collect(),
        grants: grants
            .into_iter()
            .map(|(to, expires_at, key_epoch)| GrantView {
                to: hospitals.named(&to),
                expires_at,
                key_epoch,
            })
            .collect(),
        authorized_by: authorized_by
            .iter()
            .map(|from| hospitals.named(from))
            .collect(),
        search_key_epoch,
        records: records.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_ids_parse_from_base58_or_hex() {
        let hex = "0x002408011220fde4fba030ad002f7c2f7d4c331f49d13fb0ec747eceebec634f1ff4cbca9def";
        let bytes = parse_peer_id(hex).expect("hex");
        let base58 = bs58::encode(&bytes.0).into_string();
        assert!(base58.starts_with("12D3Koo"), "{base58}");
        assert_eq!(parse_peer_id(&base58), Ok(bytes));
        assert!(parse_peer_id("not-base58-0OIl").is_err());
    }
}
