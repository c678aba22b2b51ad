//! MedChain's rules, checked over the rebuilt history. Each event is judged against the state
//! the history built before it (so an authorisation withdrawn earlier in the same block no
//! longer covers an access logged after it).
//!
//! 1. **Every access is justified.** The results pallet logs whatever a hospital's node served
//!    its own doctor (`log_access` checks only that the doctor works for the logging hospital
//!    and that the record exists: judging the access is left to the auditor), and every
//!    payload a holder's node served another hospital's node (`log_transfer`). An access is
//!    justified when, at its block, the record is not withdrawn and either the logging hospital
//!    holds the record, or the holder authorises it (granted, not expired, not withdrawn), or
//!    the record's consultation was assigned to that doctor (for a transfer: to a doctor of the
//!    fetching hospital). This is the rule the nodes apply before serving: one implementation,
//!    [`medchain_types::access`], called by all.
//! 2. **No access by a revoked doctor**: once the current epoch reaches a doctor's revocation
//!    epoch, no access of theirs may be logged.
//! 3. **No update key skips a revocation.** Every update key published after a revocation must
//!    leave the revoked leaf uncovered when the revocation is in force at the key's epoch, and
//!    its node set must be `KUNodes(rl, T)`. The revocation list comes from the `DoctorRevoked`
//!    events, which carry leaf and epoch; the key's node set from the key itself, read from the
//!    publishing block's state (proven) and matched to the event's SHA-256. The events give the
//!    full list in order, where the state only holds it as of each block.

use std::collections::BTreeSet;

use medchain_crypto::tree::Tree;
use medchain_types::{
    access::{self, RecordFacts, Refusal, Requester},
    Epoch, NodeId, RecordId,
};

use super::{
    findings::{Finding, Kind, Severity},
    history::{Account, Entry, Event, History},
    ledger::{Ledger, RecordState},
};

/// How strictly accesses are judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleConfig {
    /// Blocks before an access's block in which an authorisation still counts. A node checks
    /// the rule at the block it serves at and logs the access a block or two later; a grant that
    /// ends in between makes a correct access look unauthorised. 0 judges at the log's block.
    pub grace_blocks: u32,
}

/// Checks the rules over `history`; one finding per violation.
pub fn check(history: &History, config: RuleConfig) -> Vec<Finding> {
    let mut ledger = Ledger::default();
    let mut findings = Vec::new();
    for entry in &history.entries {
        match &entry.event {
            Event::AccessLogged {
                record,
                hospital,
                doctor,
                ..
            } => findings.extend(check_access(
                &ledger,
                entry.block,
                *record,
                hospital,
                doctor,
                config,
            )),
            Event::PayloadTransferred { record, holder, to } => findings.extend(check_transfer(
                &ledger,
                entry.block,
                *record,
                holder,
                to,
                config,
            )),
            Event::UpdateKeyPublished {
                epoch, node_set, ..
            } => findings.extend(check_update_key(
                &ledger,
                history.tree_depth,
                entry,
                *epoch,
                node_set.as_deref(),
            )),
            _ => {}
        }
        ledger.apply(entry);
    }
    findings
}

/// Rules 1 and 2 for one access.
fn check_access(
    ledger: &Ledger,
    block: u32,
    record: RecordId,
    hospital: &Account,
    doctor: &Account,
    config: RuleConfig,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let accounts = vec![hospital.clone(), doctor.clone()];
    let mut flag = |kind, message| {
        findings.push(Finding::about(
            Severity::Violation,
            kind,
            block,
            Some(record),
            accounts.clone(),
            message,
        ))
    };
    if ledger.doctor_of.get(doctor) != Some(hospital) {
        flag(
            Kind::AccessByNonMember,
            format!("{hospital} logged an access to record {record} for {doctor}, who is not its doctor"),
        );
    }
    if let Some(revoked) = ledger.revocation_in_force(doctor) {
        flag(
            Kind::AccessByRevokedDoctor,
            format!(
                "{doctor} accessed record {record} at epoch {}, revoked from epoch {} (block {})",
                ledger.epoch, revoked.revocation.epoch, revoked.block
            ),
        );
    }
    let Some(state) = ledger.records.get(&record) else {
        flag(
            Kind::AccessToUnknownRecord,
            format!("{doctor} of {hospital} accessed record {record}, which was never published"),
        );
        return findings;
    };
    let holder = &state.holder;
    let facts = record_facts(ledger, record, state);
    let requester = Requester::Doctor { hospital, doctor };
    let verdict = access::may_serve(&facts, requester, |holder, hospital| {
        ledger.authorizes(holder, hospital, block, config.grace_blocks)
    });
    match verdict {
        Ok(_) => {}
        Err(Refusal::Withdrawn) => {
            let withdrawn = state.withdrawn_at.unwrap_or_default();
            flag(
                Kind::AccessToWithdrawnRecord,
                format!(
                "{doctor} of {hospital} accessed record {record}, withdrawn at block {withdrawn}"
            ),
            );
        }
        Err(Refusal::NotAuthorised) => {
            let why = why_unauthorised(ledger, holder, hospital, block);
            flag(
            Kind::AccessWithoutAuthorization,
            format!("{doctor} of {hospital} accessed record {record} of {holder}: {why}, and the record is not assigned to {doctor}"),
        );
        }
    }
    findings
}

/// Rule 1 for a payload the holder's node served to another hospital's node (the runtime
/// checked that the logging hospital holds the record).
fn check_transfer(
    ledger: &Ledger,
    block: u32,
    record: RecordId,
    holder: &Account,
    to: &Account,
    config: RuleConfig,
) -> Vec<Finding> {
    let flag = |kind, message| {
        vec![Finding::about(
            Severity::Violation,
            kind,
            block,
            Some(record),
            vec![holder.clone(), to.clone()],
            message,
        )]
    };
    let Some(state) = ledger.records.get(&record) else {
        return flag(
            Kind::AccessToUnknownRecord,
            format!("{holder} served the payload of record {record}, which was never published, to {to}"),
        );
    };
    let facts = record_facts(ledger, record, state);
    let verdict = access::may_transfer(&facts, holder, to, |holder, hospital| {
        ledger.authorizes(holder, hospital, block, config.grace_blocks)
    });
    match verdict {
        Ok(_) => Vec::new(),
        Err(Refusal::Withdrawn) => flag(
            Kind::AccessToWithdrawnRecord,
            format!(
                "{holder} served the payload of record {record}, withdrawn at block {}, to {to}",
                state.withdrawn_at.unwrap_or_default()
            ),
        ),
        Err(Refusal::NotAuthorised) => flag(
            Kind::AccessWithoutAuthorization,
            format!(
                "{holder} served the payload of record {record} to {to}: {}, and the record is not assigned to a doctor of {to}",
                why_unauthorised(ledger, holder, to, block)
            ),
        ),
    }
}

/// What the access rule needs to know about `record` (`state` in the ledger).
fn record_facts(ledger: &Ledger, record: RecordId, state: &RecordState) -> RecordFacts<Account> {
    RecordFacts {
        holder: state.holder.clone(),
        withdrawn: state.withdrawn_at.is_some(),
        assigned: ledger.assigned.get(&record).cloned(),
    }
}

/// Why `holder` did not authorise `hospital` at `block`, as the ledger knows it.
fn why_unauthorised(ledger: &Ledger, holder: &Account, hospital: &Account, block: u32) -> String {
    match ledger.last_grant(holder, hospital) {
        None => format!("{holder} never authorised {hospital}"),
        Some(span) if span.start > block => format!("{holder} authorised {hospital} only later"),
        Some(span) => format!(
            "{holder}'s authorisation of {hospital} ended at block {}",
            span.until
        ),
    }
}

/// Rule 3 for one update key.
fn check_update_key(
    ledger: &Ledger,
    depth: Option<u8>,
    entry: &Entry,
    epoch: Epoch,
    node_set: Option<&[NodeId]>,
) -> Vec<Finding> {
    let block = entry.block;
    let unchecked = |why: String| {
        vec![Finding {
            severity: Severity::Review,
            kind: Kind::UpdateKeyUnchecked,
            block,
            record: None,
            accounts: Vec::new(),
            message: format!("the update key of epoch {epoch} was not checked: {why}"),
        }]
    };
    let Some(nodes) = node_set else {
        return unchecked("its bytes could not be read back from the block's state".into());
    };
    let Some(tree) = depth.and_then(|depth| Tree::new(depth).ok()) else {
        return unchecked("the chain has no valid revocation tree depth".into());
    };
    let cover: BTreeSet<NodeId> = nodes.iter().copied().collect();
    let mut findings = Vec::new();
    for revoked in ledger
        .revocations
        .iter()
        .filter(|r| r.revocation.epoch <= epoch)
    {
        let leaf = revoked.revocation.leaf;
        // A leaf outside the tree cannot be covered; the node-set comparison below flags it.
        if let Ok(Some(node)) = tree.covering_node(leaf, &cover) {
            findings.push(Finding::about(Severity::Violation,
                Kind::UpdateKeySkipsRevocation,
                block,
                None,
                vec![revoked.doctor.clone()],
                format!(
                    "the update key of epoch {epoch} covers leaf {leaf} of {} (through node {node}), revoked from epoch {} at block {}",
                    revoked.doctor, revoked.revocation.epoch, revoked.block
                ),
            ));
        }
    }
    if findings.is_empty() {
        let expected = tree.ku_nodes(ledger.revocations.iter().map(|r| r.revocation), epoch);
        if expected.as_ref().ok() != Some(&cover) {
            findings.push(Finding::about(Severity::Violation,
                Kind::UpdateKeyNodeSetMismatch,
                block,
                None,
                Vec::new(),
                format!(
                    "the update key of epoch {epoch} covers nodes {}, but KUNodes of the revocation list is {}",
                    numbers(nodes),
                    expected.map(|set| numbers(&set)).unwrap_or_default()
                ),
            ));
        }
    }
    findings
}

/// Tree nodes as a person reads them: `3, 5, 9`.
fn numbers<'a>(nodes: impl IntoIterator<Item = &'a NodeId>) -> String {
    let numbers: Vec<String> = nodes.into_iter().map(ToString::to_string).collect();
    numbers.join(", ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::audit::history::AccessKind;
    use medchain_types::LeafIndex;

    pub(crate) fn account(name: &str) -> Account {
        Account(name.to_owned())
    }

    pub(crate) fn at(block: u32, event: Event) -> Entry {
        Entry { block, event }
    }

    /// Two hospitals with one doctor each, record 0 held by h1, depth-2 tree, doctor d2 on leaf 1.
    pub(crate) fn setup() -> Vec<Entry> {
        vec![
            at(
                1,
                Event::DoctorAdded {
                    hospital: account("h1"),
                    doctor: account("d1"),
                },
            ),
            at(
                1,
                Event::DoctorAdded {
                    hospital: account("h2"),
                    doctor: account("d2"),
                },
            ),
            at(
                2,
                Event::KeyIssued {
                    doctor: account("d1"),
                    leaf: LeafIndex::new(0),
                },
            ),
            at(
                2,
                Event::KeyIssued {
                    doctor: account("d2"),
                    leaf: LeafIndex::new(1),
                },
            ),
            at(
                3,
                Event::RecordPublished {
                    record: RecordId::new(0),
                    hospital: account("h1"),
                    payload_hash: "00".into(),
                    payload_size: 10,
                    epoch: Epoch::new(0),
                    policy: "role:physician".into(),
                },
            ),
        ]
    }

    pub(crate) fn access(block: u32, hospital: &str, doctor: &str) -> Entry {
        at(
            block,
            Event::AccessLogged {
                record: RecordId::new(0),
                hospital: account(hospital),
                doctor: account(doctor),
                access: AccessKind::PreDecryption,
            },
        )
    }

    fn grant(block: u32, expires_at: u32) -> Entry {
        at(
            block,
            Event::Authorized {
                from: account("h1"),
                to: account("h2"),
                expires_at,
            },
        )
    }

    fn run(extra: Vec<Entry>) -> Vec<Finding> {
        run_with(extra, RuleConfig::default())
    }

    fn run_with(extra: Vec<Entry>, config: RuleConfig) -> Vec<Finding> {
        let mut entries = setup();
        entries.extend(extra);
        check(
            &History {
                tree_depth: Some(2),
                entries,
            },
            config,
        )
    }

    fn kinds(findings: &[Finding]) -> Vec<(Kind, u32)> {
        findings.iter().map(|f| (f.kind, f.block)).collect()
    }

    #[test]
    fn audit_rules_justified_accesses_pass() {
        let findings = run(vec![
            // The holder's own doctor.
            access(4, "h1", "d1"),
            // An authorised hospital's doctor, before expiry.
            grant(5, 20),
            access(19, "h2", "d2"),
            // Assigned after the grant ended: the assignment alone justifies it.
            at(
                30,
                Event::ConsultationAssigned {
                    record: RecordId::new(0),
                    doctor: account("d2"),
                    hospital: account("h2"),
                    matched: 2,
                },
            ),
            access(31, "h2", "d2"),
        ]);
        assert_eq!(findings, Vec::new());
    }

    fn transfer(block: u32, to: &str) -> Entry {
        at(
            block,
            Event::PayloadTransferred {
                record: RecordId::new(0),
                holder: account("h1"),
                to: account(to),
            },
        )
    }

    #[test]
    fn audit_rules_a_transfer_is_judged_as_the_holder_should_have() {
        let findings = run(vec![
            transfer(4, "h2"),
            grant(5, 20),
            transfer(6, "h2"),
            transfer(21, "h2"),
        ]);
        assert_eq!(
            kinds(&findings),
            vec![
                (Kind::AccessWithoutAuthorization, 4),
                (Kind::AccessWithoutAuthorization, 21)
            ]
        );
        assert_eq!(findings[0].accounts, vec![account("h1"), account("h2")]);
        assert!(
            findings[1].message.contains("ended at block 20"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn audit_rules_access_without_authorisation_is_flagged() {
        let findings = run(vec![access(4, "h2", "d2")]);
        assert_eq!(
            kinds(&findings),
            vec![(Kind::AccessWithoutAuthorization, 4)]
        );
        assert_eq!(findings[0].record, Some(RecordId::new(0)));
        assert_eq!(findings[0].accounts, vec![account("h2"), account("d2")]);
        assert_eq!(findings[0].severity, Severity::Violation);
    }

    #[test]
    fn audit_rules_access_after_expiry_is_flagged() {
        // The expiry block is exclusive: an access in it is too late.
        let findings = run(vec![grant(5, 20), access(20, "h2", "d2")]);
        assert_eq!(
            kinds(&findings),
            vec![(Kind::AccessWithoutAuthorization, 20)]
        );
        assert!(findings[0].message.contains("ended at block 20"));
    }

    #[test]
    fn audit_rules_access_after_withdrawal_is_flagged() {
        let findings = run(vec![
            grant(5, 100),
            access(6, "h2", "d2"),
            at(
                8,
                Event::AuthorizationWithdrawn {
                    from: account("h1"),
                    to: account("h2"),
                },
            ),
            access(8, "h2", "d2"),
        ]);
        assert_eq!(
            kinds(&findings),
            vec![(Kind::AccessWithoutAuthorization, 8)]
        );
    }

    #[test]
    fn audit_rules_grace_covers_an_access_logged_just_after_expiry() {
        let entries = vec![grant(5, 20), access(21, "h2", "d2")];
        assert_eq!(
            run_with(entries.clone(), RuleConfig { grace_blocks: 2 }),
            Vec::new()
        );
        assert_eq!(
            kinds(&run_with(entries, RuleConfig { grace_blocks: 1 })),
            vec![(Kind::AccessWithoutAuthorization, 21)]
        );
    }

    #[test]
    fn audit_rules_access_to_withdrawn_record_is_flagged() {
        let findings = run(vec![
            at(
                4,
                Event::RecordWithdrawn {
                    record: RecordId::new(0),
                    hospital: account("h1"),
                },
            ),
            access(5, "h1", "d1"),
        ]);
        assert_eq!(kinds(&findings), vec![(Kind::AccessToWithdrawnRecord, 5)]);
    }

    #[test]
    fn audit_rules_revoked_doctor_access_is_flagged() {
        let revoke = |block, epoch| {
            at(
                block,
                Event::DoctorRevoked {
                    doctor: account("d1"),
                    leaf: LeafIndex::new(0),
                    epoch: Epoch::new(epoch),
                },
            )
        };
        // Revoked from epoch 1: still fine during epoch 0, flagged once epoch 1 begins.
        let findings = run(vec![
            revoke(4, 1),
            access(5, "h1", "d1"),
            at(
                6,
                Event::EpochAdvanced {
                    epoch: Epoch::new(1),
                },
            ),
            access(7, "h1", "d1"),
        ]);
        assert_eq!(kinds(&findings), vec![(Kind::AccessByRevokedDoctor, 7)]);
        assert_eq!(findings[0].accounts, vec![account("h1"), account("d1")]);
    }

    #[test]
    fn audit_rules_removing_the_holder_ends_its_grants() {
        let findings = run(vec![
            grant(5, 100),
            access(6, "h2", "d2"),
            at(
                7,
                Event::HospitalRemoved {
                    hospital: account("h1"),
                },
            ),
            access(8, "h2", "d2"),
        ]);
        assert_eq!(
            kinds(&findings),
            vec![(Kind::AccessWithoutAuthorization, 8)]
        );
    }

    #[test]
    fn audit_rules_access_logged_for_another_hospitals_doctor_is_flagged() {
        // h1 holds the record, but d2 works for h2.
        let findings = run(vec![access(4, "h1", "d2")]);
        assert_eq!(kinds(&findings), vec![(Kind::AccessByNonMember, 4)]);
    }

    fn update_key(block: u32, epoch: u64, nodes: Vec<u64>) -> Entry {
        at(
            block,
            Event::UpdateKeyPublished {
                epoch: Epoch::new(epoch),
                nodes: nodes.len() as u32,
                key_hash: "00".into(),
                node_set: Some(nodes.into_iter().map(NodeId::new).collect()),
            },
        )
    }

    #[test]
    fn audit_rules_update_keys_that_account_for_revocations_pass() {
        // Depth 2: leaves 0..4 are nodes 4..7. Revoking leaf 0 leaves nodes {5, 3}.
        let findings = run(vec![
            update_key(4, 1, vec![1]),
            at(
                5,
                Event::EpochAdvanced {
                    epoch: Epoch::new(1),
                },
            ),
            at(
                6,
                Event::DoctorRevoked {
                    doctor: account("d1"),
                    leaf: LeafIndex::new(0),
                    epoch: Epoch::new(2),
                },
            ),
            // The revocation is not in force at epoch 1 yet: the root still is right.
            update_key(7, 1, vec![1]),
            update_key(8, 2, vec![3, 5]),
        ]);
        assert_eq!(findings, Vec::new());
    }

    #[test]
    fn audit_rules_update_key_skipping_a_revocation_is_flagged() {
        let findings = run(vec![
            at(
                4,
                Event::DoctorRevoked {
                    doctor: account("d1"),
                    leaf: LeafIndex::new(0),
                    epoch: Epoch::new(1),
                },
            ),
            update_key(5, 1, vec![1]),
        ]);
        assert_eq!(kinds(&findings), vec![(Kind::UpdateKeySkipsRevocation, 5)]);
        assert_eq!(findings[0].accounts, vec![account("d1")]);
    }

    #[test]
    fn audit_rules_update_key_with_wrong_node_set_is_flagged() {
        // Nobody is revoked, but the key leaves out half of the tree.
        let findings = run(vec![update_key(4, 1, vec![2])]);
        assert_eq!(kinds(&findings), vec![(Kind::UpdateKeyNodeSetMismatch, 4)]);
    }

    #[test]
    fn audit_rules_unreadable_update_key_is_for_review() {
        let findings = run(vec![at(
            4,
            Event::UpdateKeyPublished {
                epoch: Epoch::new(1),
                nodes: 1,
                key_hash: "00".into(),
                node_set: None,
            },
        )]);
        assert_eq!(kinds(&findings), vec![(Kind::UpdateKeyUnchecked, 4)]);
        assert_eq!(findings[0].severity, Severity::Review);
    }
}
