//! Who may be served a record's data: its capsule pre-decrypted, its sealed payload.
//!
//! The chain holds the facts (the record's holder and whether it was withdrawn, the holder's
//! authorisations, the consultation's assignment) and this module holds the rule over them, so
//! that the node serving a doctor, the node answering another hospital's node, and the auditor
//! judging the access log after the fact all decide the same way. A hospital's node is not
//! trusted to apply it: the auditor's replay applies it again to what the node logged.
//!
//! Generic over the account type, so that the node (runtime accounts) and the auditor (its
//! history's accounts) call the same code.

use crate::Epoch;

/// Who asks for a record's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester<'a, A> {
    /// A doctor, through their own hospital's node.
    Doctor {
        /// The doctor's hospital (the node serving them).
        hospital: &'a A,
        /// The doctor.
        doctor: &'a A,
    },
    /// Another hospital's node, over the transfer protocol: the hospital that registered its
    /// peer id (which doctor it serves is its own business and is logged when it serves them).
    Node {
        /// The hospital.
        hospital: &'a A,
    },
}

impl<A> Requester<'_, A> {
    /// The requesting hospital.
    pub fn hospital(&self) -> &A {
        match self {
            Requester::Doctor { hospital, .. } | Requester::Node { hospital } => hospital,
        }
    }
}

/// A consultation's outcome: the doctor assigned to the record, and their hospital.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment<A> {
    /// The assigned doctor.
    pub doctor: A,
    /// The doctor's hospital.
    pub hospital: A,
}

/// What the chain says about one record, as far as the rule needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFacts<A> {
    /// The hospital that published and holds the record.
    pub holder: A,
    /// Whether the holder withdrew it.
    pub withdrawn: bool,
    /// The consultation's assignment, once it closed with one.
    pub assigned: Option<Assignment<A>>,
}

/// Why a request may be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grounds {
    /// The requesting hospital holds the record.
    Holder,
    /// The holder authorises the requesting hospital.
    Authorised,
    /// The record's consultation was assigned to the requesting doctor (or, for a node, to a
    /// doctor of the requesting hospital).
    Assigned,
}

/// Why a request must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The holder withdrew the record.
    Withdrawn,
    /// The requester is not the holder, the holder does not authorise it, and the record is not
    /// assigned to it.
    NotAuthorised,
}

/// Whether `requester` may be served `record`'s data. `authorises(holder, hospital)` says
/// whether `holder` authorises `hospital` at the moment judged; it is asked only when the
/// answer depends on it.
pub fn may_serve<A: PartialEq>(
    record: &RecordFacts<A>,
    requester: Requester<'_, A>,
    authorises: impl FnOnce(&A, &A) -> bool,
) -> Result<Grounds, Refusal> {
    if record.withdrawn {
        return Err(Refusal::Withdrawn);
    }
    let hospital = requester.hospital();
    if *hospital == record.holder {
        return Ok(Grounds::Holder);
    }
    let assigned = record
        .assigned
        .as_ref()
        .is_some_and(|assignment| match requester {
            Requester::Doctor { doctor, .. } => assignment.doctor == *doctor,
            Requester::Node { hospital } => assignment.hospital == *hospital,
        });
    if assigned {
        return Ok(Grounds::Assigned);
    }
    if authorises(&record.holder, hospital) {
        return Ok(Grounds::Authorised);
    }
    Err(Refusal::NotAuthorised)
}

/// Whether hospital `server`'s node may serve `record`'s sealed payload to hospital
/// `requester`'s node over the transfer protocol: only the record's holder serves it, so that a
/// copy another hospital fetched is never passed on (to a hospital the holder withdrew from,
/// say, or to one that published a record of its own with the same payload address), and only
/// as [`may_serve`] allows.
pub fn may_transfer<A: PartialEq>(
    record: &RecordFacts<A>,
    server: &A,
    requester: &A,
    authorises: impl FnOnce(&A, &A) -> bool,
) -> Result<Grounds, Refusal> {
    if record.holder != *server {
        return Err(Refusal::NotAuthorised);
    }
    may_serve(
        record,
        Requester::Node {
            hospital: requester,
        },
        authorises,
    )
}

/// Whether a doctor revoked from epoch `revoked_from` (if at all) is revoked at `epoch`: a
/// revocation takes effect from its epoch on, never before.
pub fn is_revoked(revoked_from: Option<Epoch>, epoch: Epoch) -> bool {
    revoked_from.is_some_and(|from| epoch >= from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOLDER: &str = "St Mary's";
    const PARTNER: &str = "City General";
    const OTHER: &str = "Northside";

    fn record(
        withdrawn: bool,
        assigned: Option<(&'static str, &'static str)>,
    ) -> RecordFacts<&'static str> {
        RecordFacts {
            holder: HOLDER,
            withdrawn,
            assigned: assigned.map(|(doctor, hospital)| Assignment { doctor, hospital }),
        }
    }

    /// `HOLDER` authorises `PARTNER` only.
    fn authorises(holder: &&str, hospital: &&str) -> bool {
        *holder == HOLDER && *hospital == PARTNER
    }

    fn doctor<'a>(
        hospital: &'a &'static str,
        doctor: &'a &'static str,
    ) -> Requester<'a, &'static str> {
        Requester::Doctor { hospital, doctor }
    }

    #[test]
    fn the_holder_an_authorised_hospital_and_the_assigned_doctor_are_served() {
        let open = record(false, Some(("dr-assigned", OTHER)));
        assert_eq!(
            may_serve(&open, doctor(&HOLDER, &"dr-own"), authorises),
            Ok(Grounds::Holder)
        );
        assert_eq!(
            may_serve(&open, doctor(&PARTNER, &"dr-partner"), authorises),
            Ok(Grounds::Authorised)
        );
        assert_eq!(
            may_serve(&open, doctor(&OTHER, &"dr-assigned"), authorises),
            Ok(Grounds::Assigned)
        );
        assert_eq!(
            may_serve(&open, Requester::Node { hospital: &OTHER }, authorises),
            Ok(Grounds::Assigned),
            "the assigned doctor's hospital fetches the payload for them"
        );
    }

    #[test]
    fn only_the_holder_serves_a_payload_to_another_node() {
        let open = record(false, Some(("dr-assigned", OTHER)));
        assert_eq!(
            may_transfer(&open, &HOLDER, &PARTNER, authorises),
            Ok(Grounds::Authorised)
        );
        assert_eq!(
            may_transfer(&open, &HOLDER, &OTHER, authorises),
            Ok(Grounds::Assigned)
        );
        // The partner fetched a copy; it does not pass it on, even to a hospital the holder
        // would serve.
        assert_eq!(
            may_transfer(&open, &PARTNER, &OTHER, authorises),
            Err(Refusal::NotAuthorised)
        );
        // A hospital that republishes the holder's payload address as a record of its own
        // holds that record, but the holder's node judges its own record, which does not
        // authorise it; and no other node serves the payload for the forged record.
        let forged = RecordFacts {
            holder: OTHER,
            ..record(false, None)
        };
        assert_eq!(
            may_transfer(&record(false, None), &HOLDER, &OTHER, authorises),
            Err(Refusal::NotAuthorised)
        );
        assert_eq!(
            may_transfer(&forged, &PARTNER, &OTHER, authorises),
            Err(Refusal::NotAuthorised)
        );
        assert_eq!(
            may_transfer(&record(true, None), &HOLDER, &PARTNER, authorises),
            Err(Refusal::Withdrawn)
        );
    }

    #[test]
    fn an_unauthorised_hospital_and_its_unassigned_doctors_are_refused() {
        let open = record(false, Some(("dr-assigned", OTHER)));
        assert_eq!(
            may_serve(&open, doctor(&OTHER, &"dr-colleague"), authorises),
            Err(Refusal::NotAuthorised),
            "a colleague of the assigned doctor is not assigned"
        );
        let unassigned = record(false, None);
        assert_eq!(
            may_serve(
                &unassigned,
                Requester::Node { hospital: &OTHER },
                authorises
            ),
            Err(Refusal::NotAuthorised)
        );
        // A hospital that authorises a requester cannot pass that on for another holder's
        // record: only the record's holder's authorisations count.
        let elsewhere = RecordFacts {
            holder: OTHER,
            ..unassigned
        };
        assert_eq!(
            may_serve(&elsewhere, doctor(&PARTNER, &"dr-partner"), authorises),
            Err(Refusal::NotAuthorised)
        );
    }

    #[test]
    fn a_withdrawn_record_is_served_to_no_one() {
        let withdrawn = record(true, Some(("dr-assigned", OTHER)));
        for requester in [
            doctor(&HOLDER, &"dr-own"),
            doctor(&PARTNER, &"dr-partner"),
            doctor(&OTHER, &"dr-assigned"),
        ] {
            assert_eq!(
                may_serve(&withdrawn, requester, authorises),
                Err(Refusal::Withdrawn)
            );
        }
    }

    #[test]
    fn a_revocation_counts_from_its_epoch_on() {
        let epoch = Epoch::new;
        assert!(!is_revoked(None, epoch(9)));
        assert!(!is_revoked(Some(epoch(3)), epoch(2)));
        assert!(is_revoked(Some(epoch(3)), epoch(3)));
        assert!(is_revoked(Some(epoch(3)), epoch(4)));
    }
}
