//! Every call and every error of the records pallet, with real indices and capsules.

use crate::{mock::*, Error, Event, WeightInfo};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use codec::Encode;
use medchain_crypto::{
    abe::{self, EncryptionTables},
    hash::keyword_digest,
    index::{build_index, SearchKey},
};
use medchain_types::{CompressedG1, Epoch, KeyEpoch, RecordId};
use polkadot_sdk::frame_support::{assert_noop, assert_ok, traits::Get};
use std::sync::OnceLock;

fn tables() -> &'static EncryptionTables {
    static TABLES: OnceLock<EncryptionTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let (pp, _) = abe::setup(4, &mut StdRng::seed_from_u64(1)).expect("valid depth");
        EncryptionTables::new(&pp)
    })
}

fn index() -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(2);
    let key = SearchKey::generate(&mut rng);
    build_index(
        &key,
        [1; 32],
        KeyEpoch::new(0),
        &[keyword_digest("asthma")],
        &mut rng,
    )
    .unwrap()
    .encode()
}

fn capsule(epoch: Epoch) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(3);
    abe::encapsulate(
        tables(),
        "role:physician and dept:pneumology",
        epoch,
        &mut rng,
    )
    .unwrap()
    .0
    .encode()
}

/// A patient's ElGamal public key, compressed.
fn patient_key() -> CompressedG1 {
    let sk = medchain_crypto::elgamal::SecretKey::generate(&mut StdRng::seed_from_u64(4));
    sk.public_key().compress()
}

/// The identity of G1: a well-formed point (it decompresses), but no key.
fn identity() -> CompressedG1 {
    medchain_crypto::encoding::G1Point::default().compress()
}

pub(crate) fn publish(hospital: u64) -> RecordId {
    let id = crate::NextRecordId::<Test>::get();
    assert_ok!(Records::publish_record(
        RuntimeOrigin::signed(hospital),
        index(),
        capsule(epoch()),
        [7; 32],
        1000,
        patient_key()
    ));
    id
}

fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| {
            if let RuntimeEvent::Records(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .collect()
}

fn nothing_stored() {
    assert_eq!(crate::NextRecordId::<Test>::get(), RecordId::new(0));
    assert_eq!(crate::Records::<Test>::iter().count(), 0);
}

#[test]
fn a_hospital_publishes_a_record() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        let record = crate::Records::<Test>::get(id).unwrap();
        assert_eq!(
            (
                record.hospital,
                record.payload_hash,
                record.payload_size,
                record.epoch
            ),
            (H1, [7; 32], 1000, Epoch::new(3))
        );
        assert_eq!(record.index.to_vec(), index());
        assert_eq!(
            events(),
            [Event::RecordPublished {
                id,
                hospital: H1,
                payload_hash: [7; 32],
                payload_size: 1000,
                epoch: Epoch::new(3),
                policy: b"role:physician and dept:pneumology".to_vec(),
            }]
        );
        assert_eq!(Records::records_of(&H1, 0, 10).len(), 1);
    });
}

#[test]
fn records_page_in_publication_order() {
    new_test_ext().execute_with(|| {
        let ids: Vec<RecordId> = (0..5).map(|_| publish(H1)).collect();
        publish(H2);
        let page = |start, limit| {
            Records::records_of(&H1, start, limit)
                .into_iter()
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        assert_eq!(page(0, 2), ids[..2]);
        assert_eq!(page(2, 2), ids[2..4]);
        assert_eq!(page(4, 9), ids[4..]);
        assert!(page(5, 9).is_empty());
    });
}

#[test]
fn only_hospitals_publish() {
    new_test_ext().execute_with(|| {
        assert_noop!(
            Records::publish_record(
                RuntimeOrigin::signed(NOT_A_HOSPITAL),
                index(),
                capsule(Epoch::new(3)),
                [7; 32],
                1,
                patient_key()
            ),
            Error::<Test>::NotAHospital
        );
    });
}

#[test]
fn a_capsule_of_a_stale_epoch_is_rejected() {
    new_test_ext().execute_with(|| {
        assert_noop!(
            Records::publish_record(
                RuntimeOrigin::signed(H1),
                index(),
                capsule(Epoch::new(2)),
                [7; 32],
                1,
                patient_key()
            ),
            Error::<Test>::StaleEpoch
        );
        // A capsule made just before the KGC advanced the epoch is stale too.
        let made_at_three = capsule(Epoch::new(3));
        set_epoch(4);
        assert_noop!(
            Records::publish_record(
                RuntimeOrigin::signed(H1),
                index(),
                made_at_three,
                [7; 32],
                1,
                patient_key()
            ),
            Error::<Test>::StaleEpoch
        );
        nothing_stored();
    });
}

#[test]
fn malformed_and_oversize_input_is_rejected_and_nothing_stored() {
    new_test_ext().execute_with(|| {
        let h1 = || RuntimeOrigin::signed(H1);
        let good_capsule = capsule(Epoch::new(3));
        let cases = [
            (
                vec![0u8; 2049],
                good_capsule.clone(),
                1,
                Error::<Test>::IndexTooLarge,
            ),
            (
                vec![1, 2, 3],
                good_capsule.clone(),
                1,
                Error::<Test>::UndecodableIndex,
            ),
            (
                [index(), vec![0]].concat(),
                good_capsule.clone(),
                1,
                Error::<Test>::UndecodableIndex,
            ),
            (index(), vec![0u8; 4097], 1, Error::<Test>::CapsuleTooLarge),
            (index(), vec![9; 40], 1, Error::<Test>::MalformedCapsule),
            (
                index(),
                good_capsule[..good_capsule.len() - 1].to_vec(),
                1,
                Error::<Test>::MalformedCapsule,
            ),
            (
                index(),
                good_capsule.clone(),
                0,
                Error::<Test>::BadPayloadSize,
            ),
            (
                index(),
                good_capsule.clone(),
                (1 << 20) + 1,
                Error::<Test>::BadPayloadSize,
            ),
        ];
        for (index, capsule, size, error) in cases {
            assert_noop!(
                Records::publish_record(h1(), index, capsule, [7; 32], size, patient_key()),
                error
            );
        }
        assert_noop!(
            Records::publish_record(
                h1(),
                index(),
                good_capsule.clone(),
                [7; 32],
                1,
                CompressedG1::from_bytes([3; 48])
            ),
            Error::<Test>::InvalidPatientKey
        );
        assert_noop!(
            Records::publish_record(h1(), index(), good_capsule, [7; 32], 1, identity()),
            Error::<Test>::InvalidPatientKey
        );
        nothing_stored();
    });
}

#[test]
fn withdrawal_leaves_a_tombstone_and_tells_the_holder() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        assert_noop!(
            Records::withdraw_record(RuntimeOrigin::signed(H2), id),
            Error::<Test>::NotRecordHolder
        );
        assert_noop!(
            Records::withdraw_record(RuntimeOrigin::signed(H1), RecordId::new(99)),
            Error::<Test>::UnknownRecord
        );
        assert_noop!(
            Records::withdraw_record(RuntimeOrigin::signed(NOT_A_HOSPITAL), id),
            Error::<Test>::NotAHospital
        );
        assert_ok!(Records::withdraw_record(RuntimeOrigin::signed(H1), id));
        let record = crate::Records::<Test>::get(id).unwrap();
        assert!(record.withdrawn && record.index.is_empty() && record.capsule.is_empty());
        assert_eq!(
            events().last(),
            Some(&Event::RecordWithdrawn {
                id,
                hospital: H1,
                payload_hash: [7; 32]
            })
        );
        assert_noop!(
            Records::withdraw_record(RuntimeOrigin::signed(H1), id),
            Error::<Test>::RecordWithdrawn
        );
        assert_noop!(
            Records::open_consultation(RuntimeOrigin::signed(H1), id),
            Error::<Test>::RecordWithdrawn
        );
    });
}

#[test]
fn consultation_assigns_the_most_matched_interests_ties_to_the_earliest() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        grant(H1, H2);
        grant(H1, H3);
        assert_ok!(Records::open_consultation(RuntimeOrigin::signed(H1), id));
        assert_ok!(Records::submit_claim(RuntimeOrigin::signed(H2), id, D21, 2));
        assert_ok!(Records::submit_claim(RuntimeOrigin::signed(H3), id, D31, 3));
        assert_ok!(Records::submit_claim(RuntimeOrigin::signed(H2), id, D22, 3));
        run_to(1 + WINDOW);
        assert_eq!(Records::assigned_doctor(id), Some(D31));
        assert!(events().contains(&Event::ConsultationAssigned {
            record: id,
            doctor: D31,
            hospital: H3,
            matched: 3
        }));
    });
}

#[test]
fn a_claim_is_charged_for_the_claims_before_it() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        grant(H1, H2);
        assert_ok!(Records::open_consultation(RuntimeOrigin::signed(H1), id));
        let claim = |doctor| {
            Records::submit_claim(RuntimeOrigin::signed(H2), id, doctor, 2)
                .expect("claims")
                .actual_weight
                .expect("states what it used")
        };
        let weight = <Test as crate::Config>::WeightInfo::submit_claim;

        assert_eq!(claim(D21), weight(0));
        assert_eq!(claim(D22), weight(1));
        // Dispatch charges a full consultation's worth first.
        assert!(
            weight(1).ref_time() < weight(<Test as crate::Config>::MaxClaims::get()).ref_time()
        );
    });
}

#[test]
fn the_holding_hospitals_own_doctors_may_claim() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        assert_ok!(Records::open_consultation(RuntimeOrigin::signed(H1), id));
        assert_ok!(Records::submit_claim(RuntimeOrigin::signed(H1), id, D11, 1));
        run_to(1 + WINDOW);
        assert_eq!(Records::assigned_doctor(id), Some(D11));
    });
}

#[test]
fn a_consultation_without_claims_lapses() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        assert_ok!(Records::open_consultation(RuntimeOrigin::signed(H1), id));
        run_to(1 + WINDOW);
        assert_eq!(Records::assigned_doctor(id), None);
        assert_eq!(
            events().last(),
            Some(&Event::ConsultationLapsed { record: id })
        );
    });
}

#[test]
fn claims_from_unauthorised_or_expired_hospitals_are_rejected() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        assert_ok!(Records::open_consultation(RuntimeOrigin::signed(H1), id));
        assert_noop!(
            Records::submit_claim(RuntimeOrigin::signed(H3), id, D31, 1),
            Error::<Test>::NotAuthorized
        );
        grant(H1, H2);
        assert_ok!(Records::submit_claim(RuntimeOrigin::signed(H2), id, D21, 1));
        withdraw(H1, H2); // expired or withdrawn: the directory no longer reports it in force
        assert_noop!(
            Records::submit_claim(RuntimeOrigin::signed(H2), id, D22, 1),
            Error::<Test>::NotAuthorized
        );
    });
}

#[test]
fn claim_rules_are_enforced() {
    new_test_ext().execute_with(|| {
        let id = publish(H1);
        grant(H1, H2);
        let h2 = || RuntimeOrigin::signed(H2);
        assert_noop!(
            Records::submit_claim(h2(), id, D21, 1),
            Error::<Test>::NoConsultation
        );
        assert_ok!(Records::open_consultation(RuntimeOrigin::signed(H1), id));
        assert_noop!(
            Records::open_consultation(RuntimeOrigin::signed(H1), id),
            Error::<Test>::ConsultationExists
        );
        assert_noop!(
            Records::open_consultation(RuntimeOrigin::signed(H2), id),
            Error::<Test>::NotRecordHolder
        );
        assert_noop!(
            Records::submit_claim(h2(), id, D31, 1),
            Error::<Test>::NotDoctorOfHospital
        );
        assert_noop!(
            Records::submit_claim(h2(), id, D21, 0),
            Error::<Test>::BadMatchCount
        );
        assert_noop!(
            Records::submit_claim(h2(), id, D21, 33),
            Error::<Test>::BadMatchCount
        );
        assert_noop!(
            Records::submit_claim(h2(), RecordId::new(42), D21, 1),
            Error::<Test>::UnknownRecord
        );
        assert_noop!(
            Records::submit_claim(RuntimeOrigin::signed(NOT_A_HOSPITAL), id, D21, 1),
            Error::<Test>::NotAHospital
        );
        revoke(D23);
        assert_noop!(
            Records::submit_claim(h2(), id, D23, 1),
            Error::<Test>::DoctorNotActive
        );
        assert_ok!(Records::submit_claim(h2(), id, D21, 1));
        assert_noop!(
            Records::submit_claim(h2(), id, D21, 2),
            Error::<Test>::DuplicateClaim
        );
        assert_ok!(Records::submit_claim(h2(), id, D22, 1));
        assert_ok!(Records::submit_claim(RuntimeOrigin::signed(H1), id, D11, 1));
        grant(H1, H3);
        assert_noop!(
            Records::submit_claim(RuntimeOrigin::signed(H3), id, D31, 1),
            Error::<Test>::TooManyClaims
        );
        run_to(1 + WINDOW);
        assert_noop!(
            Records::submit_claim(RuntimeOrigin::signed(H3), id, D31, 1),
            Error::<Test>::ConsultationClosed
        );
    });
}

#[test]
fn a_hospital_cannot_take_a_blocks_closing_slots_from_the_others() {
    new_test_ext().execute_with(|| {
        let own: Vec<RecordId> = (0..2).map(|_| publish(H1)).collect();
        let (second, third) = (publish(H2), publish(H3));
        let open = |who, id| Records::open_consultation(RuntimeOrigin::signed(who), id);
        assert_ok!(open(H1, own[0]));
        // Hospital 1 has used its share of the closing block (one in the mock)...
        assert_noop!(open(H1, own[1]), Error::<Test>::HospitalClosingFull);
        // ... and hospital 2 still gets a slot in it.
        assert_ok!(open(H2, second));
        // The block's own bound holds beside the shares.
        assert_noop!(open(H3, third), Error::<Test>::ClosingBlockFull);
        run_to(2);
        assert_ok!(open(H1, own[1]));
        assert_ok!(open(H3, third));
    });
}

/// The invariants every test ends by checking catch the states the calls never leave.
mod try_state {
    use super::*;
    use crate::{Consultations, RecordsOf};
    use polkadot_sdk::sp_runtime::TryRuntimeError;

    fn broken(reason: &'static str) -> Result<(), TryRuntimeError> {
        Err(reason.into())
    }

    #[test]
    fn finds_a_record_missing_from_its_holders_list() {
        new_test_ext().execute_with(|| {
            let id = publish(H1);
            RecordsOf::<Test>::remove(H1, 0);
            assert_eq!(
                Records::do_try_state(),
                broken("a position of a hospital's record list is empty")
            );
            RecordsOf::<Test>::insert(H1, 0, id);
        });
    }

    #[test]
    fn finds_an_open_consultation_that_never_closes() {
        new_test_ext().execute_with(|| {
            let id = publish(H1);
            assert_ok!(Records::open_consultation(RuntimeOrigin::signed(H1), id));
            let consultation = Consultations::<Test>::get(id).expect("opened");
            let closing = crate::ClosingAt::<Test>::take(consultation.closes_at);
            assert_eq!(
                Records::do_try_state(),
                broken("an open consultation is not listed to close, or listed twice")
            );
            crate::ClosingAt::<Test>::insert(consultation.closes_at, closing);
        });
    }
}
