//! What the audit found: integrity failures of the ledger itself, violations of MedChain's
//! rules, and anomalies for a person to review.

use medchain_types::RecordId;
use serde::{Deserialize, Serialize};

use super::history::Account;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The ledger itself is not what it claims to be (broken hash chain, unproven finality,
    /// unverifiable state): nothing built on it can be trusted.
    Integrity,
    /// The history breaks one of MedChain's rules.
    Violation,
    /// Unusual but allowed: for a person to look at.
    Review,
}

/// What kind of finding, one name per check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The genesis hash differs from the one the auditor expects.
    GenesisMismatch,
    /// A header's number is not its height in the chain.
    BlockNumberMismatch,
    /// A header does not hash to the hash the node gave for it: the header was altered.
    HeaderHashMismatch,
    /// A header's parent hash is not the hash of the header before it.
    ParentHashMismatch,
    /// A block's extrinsics do not match its header's extrinsics root: the body was altered.
    ExtrinsicsRootMismatch,
    /// A GRANDPA justification failed verification.
    BadJustification,
    /// A block enacting an authority-set change has no justification: the hand-over to the new
    /// set cannot be proven.
    MissingHandoffJustification,
    /// A header's GRANDPA digest does not decode.
    BadConsensusDigest,
    /// The last finalised block is not covered by a verified justification or finality proof.
    FinalityUnproven,
    /// The authority set the runtime holds differs from the one tracked from digests.
    AuthoritySetMismatch,
    /// A state read proof does not check against the block's state root.
    StateProofInvalid,
    /// A block's events do not decode with this auditor's runtime types.
    EventsUndecodable,
    /// An access by a doctor whose hospital neither holds the record, nor is authorised by its
    /// holder at that block, nor had the record assigned to that doctor.
    AccessWithoutAuthorization,
    /// An access to a record after it was withdrawn.
    AccessToWithdrawnRecord,
    /// An access to a record that was never published.
    AccessToUnknownRecord,
    /// An access logged for a doctor who did not work for the logging hospital.
    AccessByNonMember,
    /// An access by a doctor revoked at the current epoch.
    AccessByRevokedDoctor,
    /// An update key covers the leaf of a doctor revoked at its epoch.
    UpdateKeySkipsRevocation,
    /// An update key's node set is not `KUNodes` of the revocation list.
    UpdateKeyNodeSetMismatch,
    /// An update key's node set could not be read back from the chain, so it was not checked.
    UpdateKeyUnchecked,
    /// An actor accessed far more records in one window than it usually does.
    AccessBurstSelf,
    /// An actor accessed far more records than its peers.
    AccessBurstPeers,
    /// A doctor accessed another hospital's record that was never assigned to them.
    AccessWithoutAssignment,
}

/// One finding, with where it is and whom it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// Which check.
    pub kind: Kind,
    /// The block it is about.
    pub block: u32,
    /// The record it is about, if any.
    pub record: Option<RecordId>,
    /// The accounts it concerns.
    pub accounts: Vec<Account>,
    /// What is wrong, in words.
    pub message: String,
}

impl Finding {
    /// A finding about the ledger's integrity at `block`.
    pub fn integrity(kind: Kind, block: u32, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Integrity,
            kind,
            block,
            record: None,
            accounts: Vec::new(),
            message: message.into(),
        }
    }

    /// A finding of `severity` about `accounts` (and `record`) at `block`.
    pub fn about(
        severity: Severity,
        kind: Kind,
        block: u32,
        record: Option<RecordId>,
        accounts: Vec<Account>,
        message: String,
    ) -> Self {
        Self {
            severity,
            kind,
            block,
            record,
            accounts,
            message,
        }
    }
}

/// How many findings of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Integrity failures.
    pub integrity: usize,
    /// Rule violations.
    pub violations: usize,
    /// Anomalies to review.
    pub review: usize,
}

impl Tally {
    /// Counts `findings` by severity.
    pub fn of(findings: &[Finding]) -> Self {
        findings.iter().fold(Tally::default(), |mut tally, f| {
            match f.severity {
                Severity::Integrity => tally.integrity += 1,
                Severity::Violation => tally.violations += 1,
                Severity::Review => tally.review += 1,
            }
            tally
        })
    }

    /// Whether the ledger passed: no integrity failure and no violation (anomalies are for
    /// review, not failures).
    pub fn passed(&self) -> bool {
        self.integrity == 0 && self.violations == 0
    }
}
