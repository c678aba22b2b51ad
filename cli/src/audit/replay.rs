//! The replay: every block from genesis to the last finalised one, checked and turned into the
//! history, then the rules and anomaly checks over that history.
//!
//! What it establishes, block by block:
//! - the header hash chain and each body against its header ([`super::chain`]);
//! - the GRANDPA authority set in effect, followed from the genesis state through the headers'
//!   digests ([`medchain_client::light::authorities`]), and every justification the node keeps, verified against
//!   it ([`medchain_client::light::justification`]); a block enacting a set change must have one;
//! - the events, from a read proof against the block's state root ([`medchain_client::light::state`]).
//!
//! At the end, the last finalised block must be covered by a verified justification: its own,
//! or the finality proof `grandpa_proveFinality` gives (a justification of it or a descendant,
//! with the headers between). GRANDPA finalises a block with all its ancestors, so with the
//! hash chain this makes the whole replayed chain final.

use std::time::Instant;

use codec::{Decode, DecodeAll};
use futures::StreamExt;
use medchain_crypto::abe::UpdateKeyNodes;
use medchain_runtime::{BlockNumber, Hash, Header};
use polkadot_sdk::{
    sp_consensus_grandpa::{AuthorityList, SetId},
    sp_crypto_hashing::sha2_256,
};
use serde::{Deserialize, Serialize};

use super::{
    anomalies::{self, Thresholds},
    chain::{self, ChainError},
    events,
    fetch::{self, FetchError, FetchedBlock},
    findings::{Finding, Kind, Tally},
    history::{Entry, Event, History},
    rules::{self, RuleConfig},
};
use crate::output::Output;
use medchain_client::{
    light::{
        authorities::{AuthoritySet, AuthorityTracker},
        finality, justification,
        state::{self, keys, StateError},
    },
    rpc::{NodeClient, RpcError},
};

/// How to replay.
#[derive(Debug, Clone, Copy)]
pub struct ReplayOptions {
    /// Blocks fetched at a time.
    pub concurrency: usize,
    /// The genesis hash the auditor expects (from the network's chain spec), if given.
    pub genesis: Option<Hash>,
    /// Rule strictness.
    pub rules: RuleConfig,
    /// Anomaly thresholds.
    pub thresholds: Thresholds,
}

/// The replay could not run to the end (as opposed to findings, which it reports).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The node did not answer.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// A block could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The node's state could not be read.
    #[error(transparent)]
    State(#[from] StateError),
    /// The node does not know its own finalised head.
    #[error("the node has no header for its finalised head {0:?}")]
    NoFinalizedHeader(Hash),
    /// The genesis state holds no usable GRANDPA authority set.
    #[error("the genesis state's GRANDPA authorities do not decode: {0}")]
    GenesisAuthorities(String),
}

/// A block by number and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    /// The number.
    pub number: BlockNumber,
    /// The hash, hex.
    pub hash: Hash,
}

/// How the last finalised block's finality was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalityEvidence {
    /// The node keeps a justification of the block itself, which verified.
    StoredJustification,
    /// The node's `grandpa_proveFinality` proof verified.
    FinalityProof,
    /// Neither: see the `finality_unproven` finding.
    Unproven,
}

/// What the replay covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The node replayed from.
    pub node: String,
    /// The genesis block.
    pub genesis: BlockRef,
    /// The last finalised block when the replay started: the replay's end.
    pub finalized: BlockRef,
    /// Justifications the node keeps that verified.
    pub justifications_verified: usize,
    /// The highest block a verified justification or finality proof covers.
    pub proven_final_up_to: Option<BlockNumber>,
    /// How the end's finality was established.
    pub finality: FinalityEvidence,
    /// The GRANDPA set in effect at the end.
    pub authority_set_id: SetId,
    /// History events rebuilt.
    pub events: usize,
    /// Records published.
    pub records: usize,
    /// Accesses logged.
    pub accesses: usize,
    /// Findings by severity.
    pub tally: Tally,
    /// Wall time of the replay, seconds.
    pub seconds: f64,
    /// Blocks replayed per second.
    pub blocks_per_second: f64,
}

/// A whole audit: what was covered, the history, and the findings (integrity first, then
/// violations, then anomalies; in block order within each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// What the replay covered.
    pub summary: Summary,
    /// The rebuilt history.
    pub history: History,
    /// What the audit found.
    pub findings: Vec<Finding>,
}

/// The replay's state between blocks.
struct Replayer {
    /// The authority set, followed from genesis.
    tracker: AuthorityTracker,
    /// The set that justified the last processed block (before any change it enacted).
    last_set: AuthoritySet,
    /// The hash of the last processed header (its own hash, not the node's word).
    previous: Option<Hash>,
    justifications_verified: usize,
    proven_final_up_to: Option<BlockNumber>,
    history: History,
    findings: Vec<Finding>,
}

/// Replays the chain the node at `client` has finalised.
pub async fn replay(
    client: &NodeClient,
    node: &str,
    options: &ReplayOptions,
    output: Output,
) -> Result<Audit, ReplayError> {
    let started = Instant::now();
    let finalized_hash = client.finalized_head().await?;
    let finalized_header = client
        .header(finalized_hash)
        .await?
        .ok_or(ReplayError::NoFinalizedHeader(finalized_hash))?;
    let last = finalized_header.number;

    let mut blocks = Box::pin(fetch::blocks(client, 0, last, options.concurrency));
    let genesis = match blocks.next().await {
        Some(block) => block?,
        None => return Err(FetchError::Missing(0).into()),
    };
    let mut replayer = Replayer::start(client, &genesis, options).await?;
    let genesis_ref = BlockRef {
        number: 0,
        hash: genesis.hash,
    };
    let progress = output.progress(u64::from(last) + 1, "replaying");
    replayer.process(client, genesis).await?;
    progress.inc(1);
    while let Some(block) = blocks.next().await {
        replayer.process(client, block?).await?;
        progress.inc(1);
    }
    progress.finish_and_clear();

    let finality = replayer.prove_end(client, last, finalized_hash).await;
    replayer
        .check_runtime_set(client, &finalized_header)
        .await?;
    let Replayer {
        tracker,
        justifications_verified,
        proven_final_up_to,
        history,
        mut findings,
        ..
    } = replayer;
    findings.extend(rules::check(&history, options.rules));
    findings.extend(anomalies::detect(&history, &options.thresholds));
    findings.sort_by_key(|f| (f.severity, f.block, f.kind));

    let seconds = started.elapsed().as_secs_f64();
    let summary = Summary {
        node: node.to_owned(),
        genesis: genesis_ref,
        finalized: BlockRef {
            number: last,
            hash: finalized_hash,
        },
        justifications_verified,
        proven_final_up_to,
        finality,
        authority_set_id: tracker.current().set_id,
        events: history.entries.len(),
        records: count(&history, |e| matches!(e, Event::RecordPublished { .. })),
        accesses: count(&history, |e| matches!(e, Event::AccessLogged { .. })),
        tally: Tally::of(&findings),
        seconds,
        blocks_per_second: f64::from(last + 1) / seconds.max(f64::EPSILON),
    };
    Ok(Audit {
        summary,
        history,
        findings,
    })
}

fn count(history: &History, what: impl Fn(&Event) -> bool) -> usize {
    history.entries.iter().filter(|e| what(&e.event)).count()
}

impl Replayer {
    /// Reads the genesis authorities and tree depth from genesis's state, and checks the genesis
    /// hash when the auditor gave one.
    async fn start(
        client: &NodeClient,
        genesis: &FetchedBlock,
        options: &ReplayOptions,
    ) -> Result<Self, ReplayError> {
        let root = genesis.header.state_root;
        let authorities = state::read(client, genesis.hash, root, keys::grandpa_authorities())
            .await?
            .unwrap_or_default();
        let authorities = AuthorityList::decode_all(&mut &authorities[..])
            .map_err(|e| ReplayError::GenesisAuthorities(e.to_string()))?;
        let depth = state::read(client, genesis.hash, root, keys::tree_depth()).await?;
        let tracker = AuthorityTracker::new(authorities);
        let mut findings = Vec::new();
        if let Some(expected) = options.genesis {
            if expected != genesis.hash {
                findings.push(Finding::integrity(
                    Kind::GenesisMismatch,
                    0,
                    format!(
                        "the node's genesis is {:?}, not the expected {expected:?}: it serves another chain",
                        genesis.hash
                    ),
                ));
            }
        }
        Ok(Self {
            last_set: tracker.current().clone(),
            tracker,
            previous: None,
            justifications_verified: 0,
            proven_final_up_to: None,
            history: History {
                tree_depth: depth.and_then(|d| u8::decode_all(&mut &d[..]).ok()),
                entries: Vec::new(),
            },
            findings,
        })
    }

    /// Checks one block and adds its events to the history.
    async fn process(
        &mut self,
        client: &NodeClient,
        mut block: FetchedBlock,
    ) -> Result<(), ReplayError> {
        let number = block.number;
        for error in chain::check_block(
            number,
            block.hash,
            &block.header,
            &block.extrinsics,
            self.previous,
        ) {
            let kind = match error {
                ChainError::NumberMismatch { .. } => Kind::BlockNumberMismatch,
                ChainError::HashMismatch { .. } => Kind::HeaderHashMismatch,
                ChainError::ParentMismatch { .. } => Kind::ParentHashMismatch,
                ChainError::ExtrinsicsRootMismatch { .. } => Kind::ExtrinsicsRootMismatch,
            };
            self.findings
                .push(Finding::integrity(kind, number, error.to_string()));
        }
        self.previous = Some(block.header.hash());

        if let Err(error) = self.tracker.import(&block.header) {
            self.findings.push(Finding::integrity(
                Kind::BadConsensusDigest,
                number,
                error.to_string(),
            ));
        }
        self.last_set = self.tracker.current().clone();
        if let Some(encoded) = &block.justification {
            self.check_justification(encoded, number, block.hash);
        }
        if self.tracker.finalize(number) && block.justification.is_none() {
            self.findings.push(Finding::integrity(
                Kind::MissingHandoffJustification,
                number,
                format!(
                    "block #{number} hands finality over to authority set {}, but the node keeps no justification of it",
                    self.tracker.current().set_id
                ),
            ));
        }

        let root = block.header.state_root;
        let proof = std::mem::take(&mut block.events_proof);
        match state::check(block.hash, root, proof, keys::events()) {
            Ok(encoded) => {
                // No `System.Events` at all (genesis) is no events.
                let decoded = encoded.map_or(Ok(Vec::new()), |bytes| events::decode(&bytes));
                match decoded {
                    Ok(decoded) => {
                        for event in decoded {
                            let event = self.with_node_set(client, &block, event).await?;
                            self.history.entries.push(Entry {
                                block: number,
                                event,
                            });
                        }
                    }
                    Err(error) => self.findings.push(Finding::integrity(
                        Kind::EventsUndecodable,
                        number,
                        format!("block #{number}: {error}"),
                    )),
                }
            }
            Err(error) => self.findings.push(Finding::integrity(
                Kind::StateProofInvalid,
                number,
                format!("block #{number}: {error}"),
            )),
        }
        Ok(())
    }

    /// Verifies the justification of block `number` against the set in effect.
    fn check_justification(&mut self, encoded: &[u8], number: BlockNumber, hash: Hash) {
        match justification::verify_encoded(encoded, number, hash, &self.last_set) {
            Ok(()) => {
                self.justifications_verified += 1;
                self.proven_final_up_to = Some(number);
            }
            Err(error) => self.findings.push(Finding::integrity(
                Kind::BadJustification,
                number,
                format!(
                    "the justification of block #{number} does not verify against authority set {}: {error}",
                    self.last_set.set_id
                ),
            )),
        }
    }

    /// Fills in an update key's node set from the block's state: the key is stored by epoch, so
    /// the stored key is the event's only when their SHA-256 agree (a later republication in
    /// the same block would have replaced it).
    async fn with_node_set(
        &mut self,
        client: &NodeClient,
        block: &FetchedBlock,
        event: Event,
    ) -> Result<Event, ReplayError> {
        let Event::UpdateKeyPublished {
            epoch,
            nodes,
            key_hash,
            node_set: None,
        } = event
        else {
            return Ok(event);
        };
        let read = state::read(
            client,
            block.hash,
            block.header.state_root,
            keys::update_key(epoch),
        )
        .await;
        let node_set = match read {
            Ok(stored) => stored
                .and_then(|bytes| Vec::<u8>::decode_all(&mut &bytes[..]).ok())
                .filter(|key| hex::encode(sha2_256(key)) == key_hash)
                .and_then(|key| UpdateKeyNodes::decode(&mut &key[..]).ok())
                .map(|header| header.nodes.to_vec()),
            Err(StateError::InvalidProof { .. }) => {
                self.findings.push(Finding::integrity(
                    Kind::StateProofInvalid,
                    block.number,
                    format!(
                        "block #{}: the node's proof of the update key of epoch {epoch} does not match the state root",
                        block.number
                    ),
                ));
                None
            }
            Err(error) => return Err(error.into()),
        };
        Ok(Event::UpdateKeyPublished {
            epoch,
            nodes,
            key_hash,
            node_set,
        })
    }

    /// Establishes the finality of the last block, `last` (`hash`): its own verified
    /// justification, or the node's finality proof.
    async fn prove_end(
        &mut self,
        client: &NodeClient,
        last: BlockNumber,
        hash: Hash,
    ) -> FinalityEvidence {
        if self.proven_final_up_to == Some(last) {
            return FinalityEvidence::StoredJustification;
        }
        let outcome = match client.prove_finality(last).await {
            Ok(Some(proof)) => {
                finality::check_proof(&proof.0, (last, hash), &self.last_set, &self.tracker)
            }
            Ok(None) => Err("the node has no justification to prove it with yet".to_owned()),
            Err(error) if error.is_method_not_found() => Err(
                "the node does not serve grandpa_proveFinality, and keeps no justification of it"
                    .to_owned(),
            ),
            Err(error) => Err(error.to_string()),
        };
        match outcome {
            Ok(()) => {
                self.proven_final_up_to = Some(last);
                FinalityEvidence::FinalityProof
            }
            Err(why) => {
                let proven = self
                    .proven_final_up_to
                    .map_or("no block".to_owned(), |n| format!("block #{n}"));
                self.findings.push(Finding::integrity(
                    Kind::FinalityUnproven,
                    last,
                    format!(
                        "the finality of block #{last} is not proven: {why}; the last block a verified justification covers is {proven}"
                    ),
                ));
                FinalityEvidence::Unproven
            }
        }
    }

    /// Compares the set followed from digests with the runtime's own at the last block: the
    /// runtime counts a set when it schedules it, the digests when it takes effect.
    async fn check_runtime_set(
        &mut self,
        client: &NodeClient,
        last: &Header,
    ) -> Result<(), ReplayError> {
        let at = last.hash();
        let root = last.state_root;
        let set_id = state::read(client, at, root, keys::grandpa_set_id())
            .await?
            .map_or(Ok(0), |bytes| SetId::decode_all(&mut &bytes[..]))
            .ok();
        let expected = self.tracker.current().set_id + self.tracker.pending() as SetId;
        if set_id != Some(expected) {
            self.findings.push(Finding::integrity(
                Kind::AuthoritySetMismatch,
                last.number,
                format!(
                    "the runtime's GRANDPA set id at block #{} is {set_id:?}, but the headers' digests give {expected}",
                    last.number
                ),
            ));
            return Ok(());
        }
        if self.tracker.pending() == 0 {
            let authorities = state::read(client, at, root, keys::grandpa_authorities())
                .await?
                .and_then(|bytes| AuthorityList::decode_all(&mut &bytes[..]).ok());
            if authorities.as_ref() != Some(&self.tracker.current().authorities) {
                self.findings.push(Finding::integrity(
                    Kind::AuthoritySetMismatch,
                    last.number,
                    format!(
                        "the runtime's GRANDPA authorities at block #{} differ from set {} as the headers' digests give it",
                        last.number,
                        self.tracker.current().set_id
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
