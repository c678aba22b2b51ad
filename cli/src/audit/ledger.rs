//! What the history says holds at a point of the chain: records and their holders, grants,
//! assignments, doctors' hospitals, revocations and the epoch. The rules replay the history
//! through it, judging each event against the state just before it.

use std::collections::HashMap;

use medchain_types::{
    access::{is_revoked, Assignment},
    Epoch, RecordId, Revocation,
};

use super::history::{Account, Entry, Event};

/// A published record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordState {
    /// The holding hospital.
    pub holder: Account,
    /// The block it was withdrawn in, if it was.
    pub withdrawn_at: Option<u32>,
}

/// One stretch of blocks during which a grant held: `start .. until` (until exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantSpan {
    /// The block of the `Authorized` event.
    pub start: u32,
    /// The first block it no longer holds: its expiry, or the block it was withdrawn or
    /// replaced in, or its hospital removed.
    pub until: u32,
}

/// A revocation, with the doctor it revoked and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationState {
    /// The revoked doctor.
    pub doctor: Account,
    /// The leaf and the first epoch it is revoked in.
    pub revocation: Revocation,
    /// The block of the `DoctorRevoked` event.
    pub block: u32,
}

/// The state the history has built so far.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Records by id.
    pub records: HashMap<RecordId, RecordState>,
    /// Grant spans by (grantor, grantee), oldest first.
    pub grants: HashMap<(Account, Account), Vec<GrantSpan>>,
    /// The doctor (and their hospital) each closed consultation was assigned to, by record.
    pub assigned: HashMap<RecordId, Assignment<Account>>,
    /// Each doctor's hospital.
    pub doctor_of: HashMap<Account, Account>,
    /// The revocation list, in order.
    pub revocations: Vec<RevocationState>,
    /// The current epoch.
    pub epoch: Epoch,
}

impl Ledger {
    /// Applies the event of `entry`.
    pub fn apply(&mut self, entry: &Entry) {
        let block = entry.block;
        match &entry.event {
            Event::HospitalRemoved { hospital } => {
                for ((from, to), spans) in self.grants.iter_mut() {
                    if from == hospital || to == hospital {
                        close(spans, block);
                    }
                }
                self.doctor_of.retain(|_, employer| employer != hospital);
            }
            Event::Authorized {
                from,
                to,
                expires_at,
            } => {
                let spans = self.grants.entry((from.clone(), to.clone())).or_default();
                close(spans, block);
                spans.push(GrantSpan {
                    start: block,
                    until: *expires_at,
                });
            }
            Event::AuthorizationWithdrawn { from, to } => {
                if let Some(spans) = self.grants.get_mut(&(from.clone(), to.clone())) {
                    close(spans, block);
                }
            }
            Event::DoctorAdded { hospital, doctor } => {
                self.doctor_of.insert(doctor.clone(), hospital.clone());
            }
            Event::DoctorRemoved { doctor, .. } => {
                self.doctor_of.remove(doctor);
            }
            Event::DoctorRevoked {
                doctor,
                leaf,
                epoch,
            } => self.revocations.push(RevocationState {
                doctor: doctor.clone(),
                revocation: Revocation {
                    leaf: *leaf,
                    epoch: *epoch,
                },
                block,
            }),
            Event::EpochAdvanced { epoch } => self.epoch = *epoch,
            Event::RecordPublished {
                record, hospital, ..
            } => {
                self.records.insert(
                    *record,
                    RecordState {
                        holder: hospital.clone(),
                        withdrawn_at: None,
                    },
                );
            }
            Event::RecordWithdrawn { record, .. } => {
                if let Some(state) = self.records.get_mut(record) {
                    state.withdrawn_at.get_or_insert(block);
                }
            }
            Event::ConsultationAssigned {
                record,
                doctor,
                hospital,
                ..
            } => {
                let assignment = Assignment {
                    doctor: doctor.clone(),
                    hospital: hospital.clone(),
                };
                self.assigned.insert(*record, assignment);
            }
            Event::HospitalAdmitted { .. }
            | Event::SearchKeyRotated { .. }
            | Event::KgcChanged { .. }
            | Event::KeyIssued { .. }
            | Event::UpdateKeyPublished { .. }
            | Event::ConsultationOpened { .. }
            | Event::ClaimSubmitted { .. }
            | Event::ConsultationLapsed { .. }
            | Event::AccessLogged { .. }
            | Event::PayloadTransferred { .. }
            | Event::ReportSubmitted { .. }
            | Event::ReportDisclosed { .. }
            | Event::Other { .. } => {}
        }
    }

    /// Whether `from` authorised `to` at `block`, or at one of the `grace` blocks before it.
    pub fn authorizes(&self, from: &Account, to: &Account, block: u32, grace: u32) -> bool {
        self.grants
            .get(&(from.clone(), to.clone()))
            .is_some_and(|spans| {
                spans
                    .iter()
                    .any(|span| span.start <= block && span.until > block.saturating_sub(grace))
            })
    }

    /// The latest grant from `from` to `to`, if there ever was one.
    pub fn last_grant(&self, from: &Account, to: &Account) -> Option<GrantSpan> {
        self.grants
            .get(&(from.clone(), to.clone()))
            .and_then(|spans| spans.last().copied())
    }

    /// The revocation of `doctor` in force at the current epoch, if any.
    pub fn revocation_in_force(&self, doctor: &Account) -> Option<&RevocationState> {
        self.revocations
            .iter()
            .find(|r| &r.doctor == doctor && is_revoked(Some(r.revocation.epoch), self.epoch))
    }
}

/// Ends the open span, if any, at `block`.
fn close(spans: &mut [GrantSpan], block: u32) {
    if let Some(last) = spans.last_mut() {
        last.until = last.until.min(block);
    }
}
