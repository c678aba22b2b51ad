//! Every call and every error of the results pallet, with real ElGamal reports and proofs.

use crate::{mock::*, AccessKind, Error, Event, WeightInfo};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use codec::Encode;
use medchain_crypto::{
    dleq,
    elgamal::{self, Ciphertext, SecretKey},
};
use medchain_types::{CompressedG1, ReportId};
use polkadot_sdk::frame_support::{assert_noop, assert_ok, traits::Get};

/// The id the first submitted report gets.
const FIRST_REPORT: ReportId = ReportId::new(0);

fn report() -> Ciphertext {
    elgamal::seal(
        &patient().public_key(),
        b"diagnosis: benign",
        &mut StdRng::seed_from_u64(1),
    )
    .unwrap()
}

fn ephemeral(ct: &Ciphertext) -> CompressedG1 {
    ct.ephemeral.compress()
}

fn submit(ct: &Ciphertext) {
    assert_ok!(Results::submit_report(
        RuntimeOrigin::signed(D21),
        RECORD,
        [5; 32],
        100,
        ephemeral(ct)
    ));
}

fn disclosure_bytes(sk: &SecretKey, ct: &Ciphertext) -> (CompressedG1, [u8; 64]) {
    let d = dleq::disclose(sk, ct, &mut StdRng::seed_from_u64(2));
    (d.shared.compress(), d.proof.encode().try_into().unwrap())
}

fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| {
            if let RuntimeEvent::Results(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn a_hospital_logs_its_own_accesses() {
    new_test_ext().execute_with(|| {
        assert_ok!(Results::log_access(
            RuntimeOrigin::signed(H2),
            RECORD,
            D21,
            AccessKind::PayloadFetch
        ));
        assert_eq!(
            events(),
            [Event::AccessLogged {
                record: RECORD,
                hospital: H2,
                doctor: D21,
                kind: AccessKind::PayloadFetch
            }]
        );
        assert_eq!(crate::Accesses::<Test>::get(1, H2).len(), 1);
    });
}

#[test]
fn an_access_is_charged_for_the_entries_before_it() {
    new_test_ext().execute_with(|| {
        let log = || {
            Results::log_access(
                RuntimeOrigin::signed(H2),
                RECORD,
                D21,
                AccessKind::PreDecryption,
            )
            .expect("logged")
            .actual_weight
            .expect("states what it used")
        };
        let weight = <Test as crate::Config>::WeightInfo::log_access;

        assert_eq!(log(), weight(0));
        assert_eq!(log(), weight(1));
        // Dispatch charges a full share of the block's log first.
        let full = <Test as crate::Config>::MaxAccessesPerHospital::get();
        assert!(weight(1).ref_time() < weight(full).ref_time());
    });
}

#[test]
fn access_logging_rules() {
    new_test_ext().execute_with(|| {
        let log = |who, record, doctor| {
            Results::log_access(
                RuntimeOrigin::signed(who),
                record,
                doctor,
                AccessKind::PreDecryption,
            )
        };
        assert_noop!(
            log(NOT_A_HOSPITAL, RECORD, D21),
            Error::<Test>::NotAHospital
        );
        assert_noop!(log(H1, RECORD, D21), Error::<Test>::NotDoctorOfHospital);
        assert_noop!(log(H2, UNKNOWN_RECORD, D21), Error::<Test>::UnknownRecord);
        assert_ok!(log(H2, RECORD, D21));
    });
}

#[test]
fn a_hospital_that_floods_the_log_fills_only_its_own_share() {
    new_test_ext().execute_with(|| {
        let log = |who, doctor| {
            Results::log_access(
                RuntimeOrigin::signed(who),
                RECORD,
                doctor,
                AccessKind::PreDecryption,
            )
        };
        // Hospital 2 fills its share of the block's log (two entries in the mock)...
        assert_ok!(log(H2, D21));
        assert_ok!(log(H2, D22));
        assert_noop!(log(H2, D21), Error::<Test>::TooManyAccesses);
        // ... and hospital 1's entries still go in, in the same block.
        assert_ok!(log(H1, D11));
        assert_eq!(crate::Accesses::<Test>::get(1, H1).len(), 1);
        assert_eq!(crate::Accesses::<Test>::get(1, H2).len(), 2);
        // Hospital 2's share is back in the next block.
        System::set_block_number(2);
        assert_ok!(log(H2, D21));
    });
}

#[test]
fn the_holder_logs_the_payloads_it_serves_to_other_nodes() {
    new_test_ext().execute_with(|| {
        assert_ok!(Results::log_transfer(RuntimeOrigin::signed(H1), RECORD, H2));
        assert_eq!(
            events(),
            [Event::PayloadTransferred {
                record: RECORD,
                holder: H1,
                to: H2
            }]
        );
        assert_eq!(
            crate::Accesses::<Test>::get(1, H1).into_inner(),
            [crate::Access::ToNode {
                record: RECORD,
                hospital: H2
            }]
        );
    });
}

#[test]
fn only_the_holder_logs_a_transfer_of_its_record_to_a_hospital() {
    new_test_ext().execute_with(|| {
        let transfer =
            |who, record, to| Results::log_transfer(RuntimeOrigin::signed(who), record, to);
        // Hospital 2 is no holder of the record: it may not serve (or log serving) its payload.
        assert_noop!(transfer(H2, RECORD, H1), Error::<Test>::NotRecordHolder);
        assert_noop!(
            transfer(NOT_A_HOSPITAL, RECORD, H2),
            Error::<Test>::NotAHospital
        );
        assert_noop!(
            transfer(H1, RECORD, NOT_A_HOSPITAL),
            Error::<Test>::NotAHospital
        );
        assert_noop!(
            transfer(H1, UNKNOWN_RECORD, H2),
            Error::<Test>::UnknownRecord
        );
        // Transfers and doctors' accesses share the holder's part of the log.
        assert_ok!(transfer(H1, RECORD, H2));
        assert_ok!(Results::log_access(
            RuntimeOrigin::signed(H1),
            RECORD,
            D11,
            AccessKind::PayloadFetch
        ));
        assert_noop!(transfer(H1, RECORD, H3), Error::<Test>::TooManyAccesses);
    });
}

#[test]
fn the_assigned_doctor_reports() {
    new_test_ext().execute_with(|| {
        let ct = report();
        submit(&ct);
        let stored = crate::Reports::<Test>::get(FIRST_REPORT).unwrap();
        assert_eq!(
            (stored.doctor, stored.hospital, stored.patient_key),
            (D21, H2, patient_key())
        );
        assert_eq!(
            events(),
            [Event::ReportSubmitted {
                id: FIRST_REPORT,
                record: RECORD,
                doctor: D21,
                hospital: H2,
                payload_hash: [5; 32],
                ephemeral: ephemeral(&ct)
            }]
        );
    });
}

#[test]
fn report_rules() {
    new_test_ext().execute_with(|| {
        let ct = report();
        let r = |who, record, size, eph| {
            Results::submit_report(RuntimeOrigin::signed(who), record, [5; 32], size, eph)
        };
        assert_noop!(
            r(H2, RECORD, 100, ephemeral(&ct)),
            Error::<Test>::NotDoctorOfHospital
        );
        assert_noop!(
            r(D22, RECORD, 100, ephemeral(&ct)),
            Error::<Test>::NotAssigned
        );
        assert_noop!(
            r(D21, UNKNOWN_RECORD, 100, ephemeral(&ct)),
            Error::<Test>::UnknownRecord
        );
        assert_noop!(
            r(D21, RECORD, 0, ephemeral(&ct)),
            Error::<Test>::BadReportSize
        );
        assert_noop!(
            r(D21, RECORD, 4097, ephemeral(&ct)),
            Error::<Test>::BadReportSize
        );
        assert_noop!(
            r(D21, RECORD, 100, CompressedG1::from_bytes([3; 48])),
            Error::<Test>::InvalidPoint
        );
        assert_ok!(r(D21, RECORD, 100, ephemeral(&ct)));
        assert_eq!(
            Results::report_by_payload(&[5; 32]).map(|(id, report)| (id, report.record)),
            Some((FIRST_REPORT, RECORD)),
            "the doctor's node finds the report by its payload's address"
        );
        assert_eq!(Results::report_by_payload(&[6; 32]), None);
        assert_noop!(
            r(D21, RECORD, 100, ephemeral(&ct)),
            Error::<Test>::ReportExists
        );
    });
}

#[test]
fn an_honest_disclosure_settles_the_dispute_and_opens_the_report() {
    new_test_ext().execute_with(|| {
        let ct = report();
        submit(&ct);
        let (shared, proof) = disclosure_bytes(patient(), &ct);
        assert_ok!(Results::dispute(
            RuntimeOrigin::signed(H1),
            FIRST_REPORT,
            shared,
            proof
        ));
        assert_eq!(
            events().last(),
            Some(&Event::ReportDisclosed {
                report: FIRST_REPORT,
                filed_by: H1,
                shared
            })
        );
        // Anyone can now read the report with the disclosed point.
        let point = shared.decompress().unwrap();
        assert_eq!(
            elgamal::open_with_shared_point(&point, &ct).unwrap(),
            b"diagnosis: benign"
        );
        assert_noop!(
            Results::dispute(RuntimeOrigin::signed(H1), FIRST_REPORT, shared, proof),
            Error::<Test>::AlreadyDisputed
        );
    });
}

#[test]
fn a_forged_disclosure_is_rejected_and_nothing_stored() {
    new_test_ext().execute_with(|| {
        let ct = report();
        submit(&ct);
        let impostor = SecretKey::generate(&mut StdRng::seed_from_u64(3));
        let (shared, proof) = disclosure_bytes(&impostor, &ct);
        assert_noop!(
            Results::dispute(RuntimeOrigin::signed(H1), FIRST_REPORT, shared, proof),
            Error::<Test>::InvalidProof
        );
        let (honest_shared, mut proof) = disclosure_bytes(patient(), &ct);
        proof[5] ^= 1;
        assert_noop!(
            Results::dispute(
                RuntimeOrigin::signed(H1),
                FIRST_REPORT,
                honest_shared,
                proof
            ),
            Error::<Test>::InvalidProof
        );
        assert_noop!(
            Results::dispute(
                RuntimeOrigin::signed(H1),
                FIRST_REPORT,
                CompressedG1::from_bytes([3; 48]),
                proof
            ),
            Error::<Test>::InvalidPoint
        );
        assert!(crate::Disputes::<Test>::get(FIRST_REPORT).is_none());
    });
}

#[test]
fn only_the_patients_hospital_disputes_a_known_report() {
    new_test_ext().execute_with(|| {
        let ct = report();
        submit(&ct);
        let (shared, proof) = disclosure_bytes(patient(), &ct);
        assert_noop!(
            Results::dispute(RuntimeOrigin::signed(H2), FIRST_REPORT, shared, proof),
            Error::<Test>::NotPatientsHospital
        );
        assert_noop!(
            Results::dispute(RuntimeOrigin::signed(H1), ReportId::new(7), shared, proof),
            Error::<Test>::UnknownReport
        );
    });
}

/// The invariants every test ends by checking catch the states the calls never leave.
mod try_state {
    use super::*;
    use crate::{ReportByPayload, ReportOf};
    use polkadot_sdk::sp_runtime::TryRuntimeError;

    fn broken(reason: &'static str) -> Result<(), TryRuntimeError> {
        Err(reason.into())
    }

    #[test]
    fn finds_a_report_its_payload_does_not_name() {
        new_test_ext().execute_with(|| {
            submit(&report());
            ReportByPayload::<Test>::remove([5; 32]);
            assert_eq!(
                Results::do_try_state(),
                broken("a report is not found by its payload")
            );
            ReportByPayload::<Test>::insert([5; 32], FIRST_REPORT);
        });
    }

    #[test]
    fn finds_a_record_naming_a_report_that_does_not_exist() {
        new_test_ext().execute_with(|| {
            ReportOf::<Test>::insert(RECORD, ReportId::new(7));
            assert_eq!(
                Results::do_try_state(),
                broken("a record or a payload names a report that does not name it")
            );
            ReportOf::<Test>::remove(RECORD);
        });
    }
}
