//! Anomalies: allowed by the rules, but worth a person's look. Each is a finding of severity
//! "review".
//!
//! - **Burst against its own history**: a doctor or a hospital that accesses, within one window
//!   of blocks, far more distinct records than it usually does in a window (a stolen account or
//!   a node scraping what it is authorised to see).
//! - **Burst against its peers**: a doctor (or hospital) that accessed far more distinct records
//!   over the whole history than the other doctors (hospitals) did.
//! - **Access without assignment**: a doctor who accessed another hospital's record that was
//!   never assigned to them. Authorisation lets a hospital search; the normal path to opening a
//!   record is a won consultation.
//!
//! Counts below [`MIN_BURST_RECORDS`] are never flagged, so small chains and quiet actors stay
//! quiet.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use medchain_types::RecordId;

use clap::Args;

use super::{
    findings::{Finding, Kind, Severity},
    history::{Account, Event, History},
};

/// Blocks per window: 100 blocks are 5 minutes at 3 s blocks, long enough to hold one
/// consultation's accesses and short enough that a scrape stands out against a working day.
pub const BURST_WINDOW_BLOCKS: u32 = 100;

/// A window is a burst when it holds more than this many times the actor's median window:
/// ordinary days vary by a factor of two or three, a scrape by an order of magnitude.
pub const SELF_FACTOR: u32 = 5;

/// An actor stands out from its peers above this many times their median total, for the same
/// reason as [`SELF_FACTOR`].
pub const PEER_FACTOR: u32 = 5;

/// Fewest distinct records in a window (or in total) that can be flagged: below it, a ratio
/// says nothing (one record against a median of zero is not a burst).
pub const MIN_BURST_RECORDS: usize = 10;

/// Fewest other active windows an actor needs before its own median means anything.
pub const MIN_HISTORY_WINDOWS: usize = 3;

/// Fewest other actors of the same kind needed for a peer median.
pub const MIN_PEERS: usize = 2;

/// The anomaly thresholds, as command-line options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct Thresholds {
    /// Blocks per window when comparing an actor with its own history.
    #[arg(long, default_value_t = BURST_WINDOW_BLOCKS, value_parser = clap::value_parser!(u32).range(1..))]
    pub burst_window: u32,
    /// Flag a window holding more than this many times the actor's median window.
    #[arg(long, default_value_t = SELF_FACTOR)]
    pub self_factor: u32,
    /// Flag an actor with more than this many times its peers' median total.
    #[arg(long, default_value_t = PEER_FACTOR)]
    pub peer_factor: u32,
    /// Never flag fewer distinct records than this.
    #[arg(long, default_value_t = MIN_BURST_RECORDS)]
    pub min_burst_records: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            burst_window: BURST_WINDOW_BLOCKS,
            self_factor: SELF_FACTOR,
            peer_factor: PEER_FACTOR,
            min_burst_records: MIN_BURST_RECORDS,
        }
    }
}

/// Who accessed: bursts are looked for per doctor and per serving hospital.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Actor {
    Doctor(Account),
    Hospital(Account),
}

impl Actor {
    fn account(&self) -> &Account {
        match self {
            Actor::Doctor(account) | Actor::Hospital(account) => account,
        }
    }

    fn noun(&self) -> &'static str {
        match self {
            Actor::Doctor(_) => "doctor",
            Actor::Hospital(_) => "hospital",
        }
    }

    fn same_kind(&self, other: &Actor) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// One actor's accesses: the block of each first access to a record, in order.
#[derive(Debug, Default)]
struct Accesses {
    first_access: Vec<(u32, RecordId)>,
    seen: HashSet<RecordId>,
}

impl Accesses {
    fn note(&mut self, block: u32, record: RecordId) {
        if self.seen.insert(record) {
            self.first_access.push((block, record));
        }
    }
}

/// Looks for anomalies in `history`.
pub fn detect(history: &History, thresholds: &Thresholds) -> Vec<Finding> {
    let mut by_actor: BTreeMap<Actor, Accesses> = BTreeMap::new();
    // Per actor and window, the distinct records and the window's first access block.
    let mut windows: BTreeMap<Actor, BTreeMap<u32, (BTreeSet<RecordId>, u32)>> = BTreeMap::new();
    let mut holders = HashMap::new();
    let mut assignments = HashSet::new();
    for entry in &history.entries {
        match &entry.event {
            Event::RecordPublished {
                record, hospital, ..
            } => {
                holders.insert(*record, hospital.clone());
            }
            Event::ConsultationAssigned { record, doctor, .. } => {
                assignments.insert((*record, doctor.clone()));
            }
            Event::AccessLogged {
                record,
                hospital,
                doctor,
                ..
            } => {
                for actor in [
                    Actor::Doctor(doctor.clone()),
                    Actor::Hospital(hospital.clone()),
                ] {
                    let window = entry.block / thresholds.burst_window;
                    let slot = windows
                        .entry(actor.clone())
                        .or_default()
                        .entry(window)
                        .or_insert_with(|| (BTreeSet::new(), entry.block));
                    slot.0.insert(*record);
                    by_actor
                        .entry(actor)
                        .or_default()
                        .note(entry.block, *record);
                }
            }
            _ => {}
        }
    }

    let mut findings = Vec::new();
    for (actor, actor_windows) in &windows {
        findings.extend(self_bursts(actor, actor_windows, thresholds));
    }
    findings.extend(peer_bursts(&by_actor, thresholds));
    findings.extend(unassigned_accesses(history, &holders, &assignments));
    findings
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
fn median(mut values: Vec<usize>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

/// Whether `count` is a burst against `baseline` with `factor`.
fn is_burst(count: usize, baseline: f64, factor: u32, thresholds: &Thresholds) -> bool {
    count >= thresholds.min_burst_records && count as f64 > f64::from(factor) * baseline
}

/// Windows in which `actor` accessed far more records than in its other windows.
fn self_bursts(
    actor: &Actor,
    windows: &BTreeMap<u32, (BTreeSet<RecordId>, u32)>,
    thresholds: &Thresholds,
) -> Vec<Finding> {
    windows
        .iter()
        .filter_map(|(window, (records, first_block))| {
            let others: Vec<usize> = windows
                .iter()
                .filter(|(other, _)| *other != window)
                .map(|(_, (records, _))| records.len())
                .collect();
            if others.len() < MIN_HISTORY_WINDOWS {
                return None;
            }
            let baseline = median(others)?;
            is_burst(records.len(), baseline, thresholds.self_factor, thresholds).then(|| {
                let start = window * thresholds.burst_window;
                Finding::about(Severity::Review,
                    Kind::AccessBurstSelf,
                    *first_block,
                    None,
                    vec![actor.account().clone()],
                    format!(
                        "{} {} accessed {} records in blocks {start}..{}, against a median of {baseline} in its other windows",
                        actor.noun(),
                        actor.account(),
                        records.len(),
                        start + thresholds.burst_window,
                    ),
                )
            })
        })
        .collect()
}

/// Actors who accessed far more records than the others of their kind.
fn peer_bursts(by_actor: &BTreeMap<Actor, Accesses>, thresholds: &Thresholds) -> Vec<Finding> {
    by_actor
        .iter()
        .filter_map(|(actor, accesses)| {
            let peers: Vec<usize> = by_actor
                .iter()
                .filter(|(other, _)| *other != actor && other.same_kind(actor))
                .map(|(_, accesses)| accesses.first_access.len())
                .collect();
            if peers.len() < MIN_PEERS {
                return None;
            }
            let baseline = median(peers)?;
            let total = accesses.first_access.len();
            if !is_burst(total, baseline, thresholds.peer_factor, thresholds) {
                return None;
            }
            // The block of the access that crossed the threshold.
            let crossing = ((f64::from(thresholds.peer_factor) * baseline).floor() as usize + 1)
                .max(thresholds.min_burst_records);
            let block = accesses
                .first_access
                .get(crossing - 1)
                .map(|(block, _)| *block)
                .unwrap_or_default();
            Some(Finding::about(Severity::Review,
                Kind::AccessBurstPeers,
                block,
                None,
                vec![actor.account().clone()],
                format!(
                    "{} {} accessed {total} records, against a median of {baseline} for the other {}s",
                    actor.noun(),
                    actor.account(),
                    actor.noun(),
                ),
            ))
        })
        .collect()
}

/// First access of each doctor to another hospital's record never assigned to them.
fn unassigned_accesses(
    history: &History,
    holders: &HashMap<RecordId, Account>,
    assignments: &HashSet<(RecordId, Account)>,
) -> Vec<Finding> {
    let mut reported = HashSet::new();
    let mut findings = Vec::new();
    for entry in &history.entries {
        let Event::AccessLogged {
            record,
            hospital,
            doctor,
            ..
        } = &entry.event
        else {
            continue;
        };
        let Some(holder) = holders.get(record) else {
            continue;
        };
        if holder == hospital
            || assignments.contains(&(*record, doctor.clone()))
            || !reported.insert((*record, doctor.clone()))
        {
            continue;
        }
        findings.push(Finding::about(Severity::Review,
            Kind::AccessWithoutAssignment,
            entry.block,
            Some(*record),
            vec![hospital.clone(), doctor.clone()],
            format!("{doctor} of {hospital} accessed record {record} of {holder}, which was never assigned to them"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{
        history::{AccessKind, Entry},
        rules::tests::{account, at},
    };
    use medchain_types::Epoch;

    fn access(block: u32, record: u64, hospital: &str, doctor: &str) -> Entry {
        at(
            block,
            Event::AccessLogged {
                record: RecordId::new(record),
                hospital: account(hospital),
                doctor: account(doctor),
                access: AccessKind::PayloadFetch,
            },
        )
    }

    fn publish(record: u64, hospital: &str) -> Entry {
        at(
            1,
            Event::RecordPublished {
                record: RecordId::new(record),
                hospital: account(hospital),
                payload_hash: "00".into(),
                payload_size: 1,
                epoch: Epoch::new(0),
                policy: "a".into(),
            },
        )
    }

    /// Doctors d1..d3 of h1..h3 each read one of their own hospital's records in each of five
    /// windows.
    fn quiet() -> Vec<Entry> {
        let mut entries = Vec::new();
        for h in 1..=3u64 {
            for w in 0..5u64 {
                entries.push(publish(h * 100 + w, &format!("h{h}")));
            }
        }
        for w in 0..5u32 {
            for h in 1..=3u64 {
                entries.push(access(
                    w * BURST_WINDOW_BLOCKS + 10,
                    h * 100 + u64::from(w),
                    &format!("h{h}"),
                    &format!("d{h}"),
                ));
            }
        }
        entries
    }

    /// Detects over `entries` put in chain order, as a replay delivers them.
    fn detect_in(mut entries: Vec<Entry>) -> Vec<Finding> {
        entries.sort_by_key(|entry| entry.block);
        detect(
            &History {
                tree_depth: Some(2),
                entries,
            },
            &Thresholds::default(),
        )
    }

    #[test]
    fn audit_anomalies_quiet_history_has_none() {
        assert_eq!(detect_in(quiet()), Vec::new());
        assert_eq!(detect_in(Vec::new()), Vec::new());
    }

    #[test]
    fn audit_anomalies_burst_is_flagged() {
        let mut entries = quiet();
        // d1 reads 20 of its hospital's records in window 5 (blocks 500..600).
        for r in 0..20u64 {
            entries.push(publish(1000 + r, "h1"));
        }
        for r in 0..20u64 {
            entries.push(access(520 + r as u32, 1000 + r, "h1", "d1"));
        }
        let findings = detect_in(entries);
        let doctor_self: Vec<_> = findings
            .iter()
            .filter(|f| f.kind == Kind::AccessBurstSelf && f.accounts == vec![account("d1")])
            .collect();
        assert_eq!(doctor_self.len(), 1);
        assert_eq!(doctor_self[0].block, 520);
        assert_eq!(doctor_self[0].severity, Severity::Review);
        // d1 (25 records) against d2 and d3 (5 each): 25 is not above 5 x 5 ...
        assert!(!findings
            .iter()
            .any(|f| f.kind == Kind::AccessBurstPeers && f.accounts == vec![account("d1")]));
        // ... and neither h2 nor h3, who stayed quiet, are flagged.
        assert!(findings
            .iter()
            .all(|f| f.accounts[0] == account("d1") || f.accounts[0] == account("h1")));
    }

    #[test]
    fn audit_anomalies_peer_burst_is_flagged_at_the_crossing_access() {
        let mut entries = quiet();
        for r in 0..30u64 {
            entries.push(publish(1000 + r, "h1"));
            entries.push(access(10 + r as u32, 1000 + r, "h1", "d1"));
        }
        let findings = detect_in(entries);
        let peers: Vec<_> = findings
            .iter()
            .filter(|f| f.kind == Kind::AccessBurstPeers && f.accounts == vec![account("d1")])
            .collect();
        assert_eq!(peers.len(), 1);
        // d1's 26th distinct record (5 x median 5, plus one): record 100 and records
        // 1000..1024 come first, the last of them at block 10 + 24.
        assert_eq!(peers[0].block, 34);
    }

    #[test]
    fn audit_anomalies_tiny_counts_are_quiet() {
        // One doctor reading 3 records where others read none is below the minimum count.
        let mut entries = vec![publish(1, "h1"), publish(2, "h1"), publish(3, "h1")];
        entries.extend((1..=3).map(|r| access(5, r, "h1", "d1")));
        assert_eq!(detect_in(entries), Vec::new());
    }

    #[test]
    fn audit_anomalies_unassigned_cross_hospital_access_is_flagged_once() {
        let entries = vec![
            publish(1, "h1"),
            publish(2, "h1"),
            at(
                3,
                Event::ConsultationAssigned {
                    record: RecordId::new(2),
                    doctor: account("d2"),
                    hospital: account("h2"),
                    matched: 1,
                },
            ),
            access(4, 1, "h2", "d2"),
            access(5, 1, "h2", "d2"),
            access(6, 2, "h2", "d2"),
        ];
        let findings = detect_in(entries);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].kind, Kind::AccessWithoutAssignment);
        assert_eq!(
            (findings[0].block, findings[0].record),
            (4, Some(RecordId::new(1)))
        );
    }
}
