//! The ledger's history as the auditor rebuilds it: every event of the MedChain pallets, in
//! chain order, with the block it happened in.
//!
//! Accounts are kept as SS58 strings and hashes as hex, so the history serialises to JSON as
//! people and other tools read it, and the rules work on the same values the report shows.

use std::fmt;

use medchain_runtime::AccountId;
use medchain_types::{Epoch, KeyEpoch, LeafIndex, NodeId, RecordId, ReportId};
use serde::{Deserialize, Serialize};

/// An account (hospital, doctor, KGC), in SS58 form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Account(pub String);

impl From<&AccountId> for Account {
    fn from(account: &AccountId) -> Self {
        Account(account.to_string())
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a hospital's node served a doctor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    /// The sealed payload.
    PayloadFetch,
    /// Pre-decryption of the key capsule (`SemiCT`).
    PreDecryption,
}

/// One event of the medical history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A hospital was admitted by the council.
    HospitalAdmitted {
        /// The hospital.
        hospital: Account,
        /// Its name (UTF-8 by convention; invalid bytes replaced).
        name: String,
    },
    /// A hospital was removed, with its doctors and every authorisation from or to it.
    HospitalRemoved {
        /// The hospital.
        hospital: Account,
    },
    /// `from` lets `to` search its indices until block `expires_at` (exclusive).
    Authorized {
        /// The grantor (the records' holder).
        from: Account,
        /// The grantee.
        to: Account,
        /// First block at which the grant no longer holds.
        expires_at: u32,
    },
    /// `from` withdrew its authorisation of `to`.
    AuthorizationWithdrawn {
        /// The grantor.
        from: Account,
        /// The grantee.
        to: Account,
    },
    /// `hospital` rotated its search key (on a withdrawal): it indexes with the key of
    /// `key_epoch` from now on.
    SearchKeyRotated {
        /// The hospital.
        hospital: Account,
        /// The new key's epoch.
        key_epoch: KeyEpoch,
    },
    /// `doctor` joined `hospital`.
    DoctorAdded {
        /// The hospital.
        hospital: Account,
        /// The doctor.
        doctor: Account,
    },
    /// `doctor` left `hospital`.
    DoctorRemoved {
        /// The hospital.
        hospital: Account,
        /// The doctor.
        doctor: Account,
    },
    /// The KGC account changed.
    KgcChanged {
        /// The new KGC account.
        kgc: Account,
    },
    /// The KGC issued `doctor` their attribute key on a fresh leaf of the revocation tree.
    KeyIssued {
        /// The doctor.
        doctor: Account,
        /// The leaf.
        leaf: LeafIndex,
    },
    /// `doctor` (on `leaf`) is revoked from `epoch` on.
    DoctorRevoked {
        /// The doctor.
        doctor: Account,
        /// The doctor's leaf.
        leaf: LeafIndex,
        /// First epoch in which the doctor is revoked.
        epoch: Epoch,
    },
    /// The KGC published the update key of `epoch`.
    UpdateKeyPublished {
        /// The key's epoch.
        epoch: Epoch,
        /// How many tree nodes the event says the key covers.
        nodes: u32,
        /// SHA-256 of the encoded key, hex.
        key_hash: String,
        /// The key's node set, read from the block's state (proven against its state root) and
        /// matched to `key_hash`; `None` when the state no longer holds this key.
        node_set: Option<Vec<NodeId>>,
    },
    /// `epoch` became the current epoch.
    EpochAdvanced {
        /// The new epoch.
        epoch: Epoch,
    },
    /// `hospital` published record `record`.
    RecordPublished {
        /// The record id.
        record: RecordId,
        /// The holding hospital.
        hospital: Account,
        /// SHA-256 of the sealed payload, hex.
        payload_hash: String,
        /// Size of the sealed payload in bytes.
        payload_size: u64,
        /// The epoch of its key capsule.
        epoch: Epoch,
        /// The access policy (UTF-8; invalid bytes replaced).
        policy: String,
    },
    /// Record `record` was withdrawn at the patient's request.
    RecordWithdrawn {
        /// The record id.
        record: RecordId,
        /// The holding hospital.
        hospital: Account,
    },
    /// A consultation on `record` opened, closing at block `closes_at`.
    ConsultationOpened {
        /// The record id.
        record: RecordId,
        /// The block in which it closes and is assigned.
        closes_at: u32,
    },
    /// `hospital` claimed `record` for `doctor`.
    ClaimSubmitted {
        /// The record id.
        record: RecordId,
        /// The claiming doctor.
        doctor: Account,
        /// The doctor's hospital.
        hospital: Account,
        /// Interests matched.
        matched: u32,
    },
    /// `record` was assigned to `doctor`.
    ConsultationAssigned {
        /// The record id.
        record: RecordId,
        /// The assigned doctor.
        doctor: Account,
        /// The doctor's hospital.
        hospital: Account,
        /// Interests matched.
        matched: u32,
    },
    /// The consultation on `record` closed without claims.
    ConsultationLapsed {
        /// The record id.
        record: RecordId,
    },
    /// `hospital`'s node served `record` to its doctor `doctor`.
    AccessLogged {
        /// The record id.
        record: RecordId,
        /// The serving hospital.
        hospital: Account,
        /// The doctor served.
        doctor: Account,
        /// What was served.
        access: AccessKind,
    },
    /// `holder`'s node served the sealed payload of its record `record` to `to`'s node.
    PayloadTransferred {
        /// The record id.
        record: RecordId,
        /// The serving hospital, the record's holder.
        holder: Account,
        /// The hospital whose node fetched it.
        to: Account,
    },
    /// The assigned doctor reported on `record`.
    ReportSubmitted {
        /// The report id.
        report: ReportId,
        /// The record id.
        record: RecordId,
        /// The reporting doctor.
        doctor: Account,
        /// The doctor's hospital.
        hospital: Account,
    },
    /// The patient disclosed the key of report `report` with a proof the runtime verified.
    ReportDisclosed {
        /// The report id.
        report: ReportId,
        /// The hospital that filed the dispute.
        filed_by: Account,
    },
    /// An event of the MedChain pallets this auditor does not know (a newer runtime), kept as
    /// the runtime's own description of it.
    Other {
        /// The pallet.
        pallet: String,
        /// The event, as the runtime's `Debug` prints it.
        description: String,
    },
}

impl Event {
    /// The record the event is about, if any.
    pub fn record(&self) -> Option<RecordId> {
        match self {
            Event::RecordPublished { record, .. }
            | Event::RecordWithdrawn { record, .. }
            | Event::ConsultationOpened { record, .. }
            | Event::ClaimSubmitted { record, .. }
            | Event::ConsultationAssigned { record, .. }
            | Event::ConsultationLapsed { record }
            | Event::AccessLogged { record, .. }
            | Event::PayloadTransferred { record, .. }
            | Event::ReportSubmitted { record, .. } => Some(*record),
            _ => None,
        }
    }

    /// Every account the event names, so that timelines can be drawn per hospital or doctor.
    pub fn accounts(&self) -> Vec<&Account> {
        match self {
            Event::HospitalAdmitted { hospital, .. }
            | Event::HospitalRemoved { hospital }
            | Event::SearchKeyRotated { hospital, .. }
            | Event::RecordPublished { hospital, .. }
            | Event::RecordWithdrawn { hospital, .. } => vec![hospital],
            Event::Authorized { from, to, .. } | Event::AuthorizationWithdrawn { from, to } => {
                vec![from, to]
            }
            Event::PayloadTransferred { holder, to, .. } => vec![holder, to],
            Event::DoctorAdded { hospital, doctor }
            | Event::DoctorRemoved { hospital, doctor }
            | Event::ClaimSubmitted {
                hospital, doctor, ..
            }
            | Event::ConsultationAssigned {
                hospital, doctor, ..
            }
            | Event::AccessLogged {
                hospital, doctor, ..
            }
            | Event::ReportSubmitted {
                hospital, doctor, ..
            } => vec![hospital, doctor],
            Event::KgcChanged { kgc } => vec![kgc],
            Event::KeyIssued { doctor, .. } | Event::DoctorRevoked { doctor, .. } => {
                vec![doctor]
            }
            Event::ReportDisclosed { filed_by, .. } => vec![filed_by],
            Event::UpdateKeyPublished { .. }
            | Event::EpochAdvanced { .. }
            | Event::ConsultationOpened { .. }
            | Event::ConsultationLapsed { .. }
            | Event::Other { .. } => Vec::new(),
        }
    }
}

impl fmt::Display for Event {
    /// One line for people: the human output and the HTML report's timelines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::HospitalAdmitted { hospital, name } => {
                write!(f, "hospital {hospital} ({name}) admitted")
            }
            Event::HospitalRemoved { hospital } => write!(f, "hospital {hospital} removed"),
            Event::Authorized {
                from,
                to,
                expires_at,
            } => write!(f, "{from} authorises {to} until block {expires_at}"),
            Event::AuthorizationWithdrawn { from, to } => {
                write!(f, "{from} withdrew its authorisation of {to}")
            }
            Event::SearchKeyRotated {
                hospital,
                key_epoch,
            } => write!(f, "{hospital} rotated its search key to key epoch {key_epoch}"),
            Event::DoctorAdded { hospital, doctor } => {
                write!(f, "doctor {doctor} joined {hospital}")
            }
            Event::DoctorRemoved { hospital, doctor } => {
                write!(f, "doctor {doctor} left {hospital}")
            }
            Event::KgcChanged { kgc } => write!(f, "the KGC is now {kgc}"),
            Event::KeyIssued { doctor, leaf } => {
                write!(f, "KGC issued doctor {doctor} their key on leaf {leaf}")
            }
            Event::DoctorRevoked {
                doctor,
                leaf,
                epoch,
            } => write!(f, "KGC revoked doctor {doctor} (leaf {leaf}) from epoch {epoch}"),
            Event::UpdateKeyPublished {
                epoch,
                nodes,
                key_hash,
                ..
            } => write!(
                f,
                "KGC published the update key of epoch {epoch} ({nodes} nodes, sha256 {key_hash})"
            ),
            Event::EpochAdvanced { epoch } => write!(f, "epoch {epoch} began"),
            Event::RecordPublished {
                record,
                hospital,
                payload_size,
                epoch,
                policy,
                ..
            } => write!(
                f,
                "{hospital} published record {record} ({payload_size} bytes, epoch {epoch}, policy {policy})"
            ),
            Event::RecordWithdrawn { record, hospital } => {
                write!(f, "record {record} of {hospital} withdrawn")
            }
            Event::ConsultationOpened { record, closes_at } => write!(
                f,
                "consultation on record {record} opened, closing at block {closes_at}"
            ),
            Event::ClaimSubmitted {
                record,
                doctor,
                hospital,
                matched,
            } => write!(
                f,
                "{hospital} claimed record {record} for doctor {doctor} ({matched} interests matched)"
            ),
            Event::ConsultationAssigned {
                record,
                doctor,
                hospital,
                matched,
            } => write!(
                f,
                "record {record} assigned to doctor {doctor} of {hospital} ({matched} interests matched)"
            ),
            Event::ConsultationLapsed { record } => {
                write!(f, "consultation on record {record} lapsed without claims")
            }
            Event::AccessLogged {
                record,
                hospital,
                doctor,
                access,
            } => {
                let what = match access {
                    AccessKind::PayloadFetch => "the payload of",
                    AccessKind::PreDecryption => "a pre-decryption of",
                };
                write!(f, "{hospital} served {what} record {record} to doctor {doctor}")
            }
            Event::PayloadTransferred { record, holder, to } => write!(
                f,
                "{holder} served the sealed payload of record {record} to {to}'s node"
            ),
            Event::ReportSubmitted {
                report,
                record,
                doctor,
                hospital,
            } => write!(
                f,
                "doctor {doctor} of {hospital} reported on record {record} (report {report})"
            ),
            Event::ReportDisclosed { report, filed_by } => write!(
                f,
                "report {report} disclosed in a dispute filed by {filed_by}"
            ),
            Event::Other {
                pallet,
                description,
            } => write!(f, "{pallet}: {description}"),
        }
    }
}

/// An event with the block it happened in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The block number.
    pub block: u32,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

/// The rebuilt history of a chain, from genesis to a finalised block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Depth of the KGC's revocation tree (from the genesis state), if the KGC ran Setup.
    pub tree_depth: Option<u8>,
    /// Every event, in chain order.
    pub entries: Vec<Entry>,
}
