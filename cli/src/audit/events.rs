//! From a block's `System.Events` to history events.
//!
//! Only the MedChain pallets' events make the medical history; system, session, consensus and
//! governance events are left out (the hospitals pallet's own events already record what the
//! council decided). An event variant this auditor was not built with (a newer runtime) is kept
//! as [`Event::Other`] with the runtime's description, so nothing silently disappears.

use codec::DecodeAll;
use medchain_runtime::{
    pallet_hospitals, pallet_kgc, pallet_records, pallet_results, Hash, Runtime, RuntimeEvent,
};
use polkadot_sdk::frame_system::EventRecord;

use super::history::{AccessKind, Event};

/// A block's events do not decode with this auditor's runtime types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the events do not decode with this auditor's runtime (built for another runtime version?): {0}")]
pub struct EventsError(pub String);

/// Decodes a block's encoded `System.Events` into its history events, in order.
pub fn decode(encoded: &[u8]) -> Result<Vec<Event>, EventsError> {
    let records = Vec::<EventRecord<RuntimeEvent, Hash>>::decode_all(&mut &encoded[..])
        .map_err(|e| EventsError(e.to_string()))?;
    Ok(records
        .into_iter()
        .filter_map(|record| convert(record.event))
        .collect())
}

/// The history event of a runtime event, if it belongs to the medical history.
pub fn convert(event: RuntimeEvent) -> Option<Event> {
    match event {
        RuntimeEvent::Hospitals(event) => Some(hospitals(event)),
        RuntimeEvent::Kgc(event) => Some(kgc(event)),
        RuntimeEvent::Records(event) => Some(records(event)),
        RuntimeEvent::Results(event) => Some(results(event)),
        _ => None,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn other(pallet: &str, event: impl std::fmt::Debug) -> Event {
    Event::Other {
        pallet: pallet.to_owned(),
        description: format!("{event:?}"),
    }
}

fn hospitals(event: pallet_hospitals::Event<Runtime>) -> Event {
    use pallet_hospitals::Event as E;
    match event {
        E::HospitalAdmitted { hospital, name, .. } => Event::HospitalAdmitted {
            hospital: (&hospital).into(),
            name: text(&name),
        },
        E::HospitalRemoved { hospital } => Event::HospitalRemoved {
            hospital: (&hospital).into(),
        },
        E::Authorized {
            from,
            to,
            expires_at,
        } => Event::Authorized {
            from: (&from).into(),
            to: (&to).into(),
            expires_at,
        },
        E::AuthorizationWithdrawn { from, to } => Event::AuthorizationWithdrawn {
            from: (&from).into(),
            to: (&to).into(),
        },
        E::SearchKeyRotated {
            hospital,
            key_epoch,
        } => Event::SearchKeyRotated {
            hospital: (&hospital).into(),
            key_epoch,
        },
        E::DoctorAdded { hospital, doctor } => Event::DoctorAdded {
            hospital: (&hospital).into(),
            doctor: (&doctor).into(),
        },
        E::DoctorRemoved { hospital, doctor } => Event::DoctorRemoved {
            hospital: (&hospital).into(),
            doctor: (&doctor).into(),
        },
        event => other("Hospitals", event),
    }
}

fn kgc(event: pallet_kgc::Event<Runtime>) -> Event {
    use pallet_kgc::Event as E;
    match event {
        E::KgcChanged { kgc } => Event::KgcChanged { kgc: (&kgc).into() },
        E::KeyIssued { doctor, leaf, .. } => Event::KeyIssued {
            doctor: (&doctor).into(),
            leaf,
        },
        E::DoctorRevoked {
            doctor,
            leaf,
            epoch,
        } => Event::DoctorRevoked {
            doctor: (&doctor).into(),
            leaf,
            epoch,
        },
        E::UpdateKeyPublished {
            epoch,
            nodes,
            key_hash,
        } => Event::UpdateKeyPublished {
            epoch,
            nodes,
            key_hash: hex::encode(key_hash),
            node_set: None,
        },
        E::EpochAdvanced { epoch } => Event::EpochAdvanced { epoch },
        event => other("Kgc", event),
    }
}

fn records(event: pallet_records::Event<Runtime>) -> Event {
    use pallet_records::Event as E;
    match event {
        E::RecordPublished {
            id,
            hospital,
            payload_hash,
            payload_size,
            epoch,
            policy,
        } => Event::RecordPublished {
            record: id,
            hospital: (&hospital).into(),
            payload_hash: hex::encode(payload_hash),
            payload_size,
            epoch,
            policy: text(&policy),
        },
        E::RecordWithdrawn { id, hospital, .. } => Event::RecordWithdrawn {
            record: id,
            hospital: (&hospital).into(),
        },
        E::ConsultationOpened { record, closes_at } => {
            Event::ConsultationOpened { record, closes_at }
        }
        E::ClaimSubmitted {
            record,
            doctor,
            hospital,
            matched,
        } => Event::ClaimSubmitted {
            record,
            doctor: (&doctor).into(),
            hospital: (&hospital).into(),
            matched,
        },
        E::ConsultationAssigned {
            record,
            doctor,
            hospital,
            matched,
        } => Event::ConsultationAssigned {
            record,
            doctor: (&doctor).into(),
            hospital: (&hospital).into(),
            matched,
        },
        E::ConsultationLapsed { record } => Event::ConsultationLapsed { record },
        event => other("Records", event),
    }
}

fn results(event: pallet_results::Event<Runtime>) -> Event {
    use pallet_results::Event as E;
    match event {
        E::AccessLogged {
            record,
            hospital,
            doctor,
            kind,
        } => Event::AccessLogged {
            record,
            hospital: (&hospital).into(),
            doctor: (&doctor).into(),
            access: match kind {
                pallet_results::AccessKind::PayloadFetch => AccessKind::PayloadFetch,
                pallet_results::AccessKind::PreDecryption => AccessKind::PreDecryption,
            },
        },
        E::PayloadTransferred { record, holder, to } => Event::PayloadTransferred {
            record,
            holder: (&holder).into(),
            to: (&to).into(),
        },
        E::ReportSubmitted {
            id,
            record,
            doctor,
            hospital,
            ..
        } => Event::ReportSubmitted {
            report: id,
            record,
            doctor: (&doctor).into(),
            hospital: (&hospital).into(),
        },
        E::ReportDisclosed {
            report, filed_by, ..
        } => Event::ReportDisclosed {
            report,
            filed_by: (&filed_by).into(),
        },
        event => other("Results", event),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;
    use medchain_types::RecordId;
    use polkadot_sdk::{frame_system::Phase, sp_keyring::Sr25519Keyring};

    fn record(event: RuntimeEvent) -> EventRecord<RuntimeEvent, Hash> {
        EventRecord {
            phase: Phase::ApplyExtrinsic(1),
            event,
            topics: Vec::new(),
        }
    }

    #[test]
    fn audit_events_decode_medchain_events_and_skip_the_rest() {
        let alice = Sr25519Keyring::Alice.to_account_id();
        let bob = Sr25519Keyring::Bob.to_account_id();
        let events = vec![
            record(RuntimeEvent::System(
                polkadot_sdk::frame_system::Event::NewAccount {
                    account: alice.clone(),
                },
            )),
            record(RuntimeEvent::Results(pallet_results::Event::AccessLogged {
                record: RecordId::new(4),
                hospital: alice.clone(),
                doctor: bob.clone(),
                kind: pallet_results::AccessKind::PreDecryption,
            })),
        ];
        assert_eq!(
            decode(&events.encode()),
            Ok(vec![Event::AccessLogged {
                record: RecordId::new(4),
                hospital: (&alice).into(),
                doctor: (&bob).into(),
                access: AccessKind::PreDecryption,
            }])
        );
    }

    #[test]
    fn audit_events_garbage_is_an_error_not_a_panic() {
        assert!(decode(&[4, 0, 200, 7]).is_err());
        // An unknown pallet index.
        assert!(decode(&[4, 0, 0, 0, 0, 0, 250, 0, 0]).is_err());
    }
}
