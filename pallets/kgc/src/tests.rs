//! Every call and every error of the KGC pallet.

use crate::{mock::*, Error, Event};
use codec::Encode;
use medchain_crypto::tree::Revocation;
use polkadot_sdk::{
    frame_support::{assert_noop, assert_ok, BoundedVec},
    sp_runtime::DispatchError,
};

fn signed(who: u64) -> RuntimeOrigin {
    RuntimeOrigin::signed(who)
}

fn key(bytes: Vec<u8>) -> BoundedVec<u8, polkadot_sdk::frame_support::traits::ConstU32<8192>> {
    BoundedVec::try_from(bytes).expect("test keys fit")
}

fn last_event() -> Event<Test> {
    System::events()
        .into_iter()
        .rev()
        .find_map(|r| {
            if let RuntimeEvent::Kgc(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .expect("an event")
}

#[test]
fn genesis_holds_params_depth_and_epoch_zero_key() {
    new_test_ext().execute_with(|| {
        assert_eq!(Kgc::params(), setup().pp.encode());
        assert_eq!(crate::TreeDepth::<Test>::get(), DEPTH);
        assert_eq!(crate::CurrentEpoch::<Test>::get(), 0);
        assert_eq!(Kgc::update_key(0), Some(update_key(0, &[])));
        assert!(
            System::account_exists(&KGC),
            "the KGC's account is kept alive, so that it can sign"
        );
    });
}

#[test]
fn an_update_key_with_a_low_revocation_witness_is_refused() {
    new_test_ext().execute_with(|| {
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_A));
        assert_ok!(Kgc::revoke(signed(KGC), DOCTOR_A, 1));
        let honest = update_key(1, &[Revocation { leaf: 0, epoch: 1 }]);
        assert_noop!(
            Kgc::publish_update_key(signed(KGC), key(honest.clone()), 0),
            Error::<Test>::RevocationWitnessTooLow
        );
        assert_ok!(Kgc::publish_update_key(signed(KGC), key(honest), 1));
    });
}

#[test]
fn governance_replaces_the_kgc() {
    new_test_ext().execute_with(|| {
        assert_noop!(Kgc::set_kgc(signed(KGC), 9), DispatchError::BadOrigin);
        assert_ok!(Kgc::set_kgc(RuntimeOrigin::root(), 9));
        assert_eq!(last_event(), Event::KgcChanged { kgc: 9 });
        assert!(System::account_exists(&9));
        assert_noop!(
            Kgc::assign_leaf(signed(KGC), DOCTOR_A),
            Error::<Test>::NotKgc
        );
        assert_ok!(Kgc::assign_leaf(signed(9), DOCTOR_A));
    });
}

#[test]
fn leaves_are_assigned_in_order_to_doctors_only() {
    new_test_ext().execute_with(|| {
        assert_noop!(
            Kgc::assign_leaf(signed(HOSPITAL), DOCTOR_A),
            Error::<Test>::NotKgc
        );
        assert_noop!(
            Kgc::assign_leaf(signed(KGC), HOSPITAL),
            Error::<Test>::NotADoctor
        );
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_A));
        assert_eq!(
            last_event(),
            Event::LeafAssigned {
                doctor: DOCTOR_A,
                leaf: 0
            }
        );
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_B));
        assert_eq!(Kgc::doctor_status(&DOCTOR_B), Some((1, None)));
        assert_noop!(
            Kgc::assign_leaf(signed(KGC), DOCTOR_A),
            Error::<Test>::AlreadyAssigned
        );
    });
}

#[test]
fn a_full_tree_is_a_named_error() {
    new_test_ext().execute_with(|| {
        for doctor in 10..10 + (1u64 << DEPTH) {
            assert_ok!(Kgc::assign_leaf(signed(KGC), doctor));
        }
        assert_noop!(Kgc::assign_leaf(signed(KGC), 100), Error::<Test>::TreeFull);
    });
}

#[test]
fn revocation_is_listed_and_checked() {
    new_test_ext().execute_with(|| {
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_A));
        assert_noop!(
            Kgc::revoke(signed(HOSPITAL), DOCTOR_A, 1),
            Error::<Test>::NotKgc
        );
        assert_noop!(Kgc::revoke(signed(KGC), DOCTOR_B, 1), Error::<Test>::NoLeaf);
        assert_ok!(Kgc::revoke(signed(KGC), DOCTOR_A, 2));
        assert_eq!(
            last_event(),
            Event::DoctorRevoked {
                doctor: DOCTOR_A,
                leaf: 0,
                epoch: 2
            }
        );
        assert_eq!(Kgc::doctor_status(&DOCTOR_A), Some((0, Some(2))));
        assert!(Kgc::is_active_at(&DOCTOR_A, 1));
        assert!(!Kgc::is_active_at(&DOCTOR_A, 2));
        assert!(!Kgc::is_active_at(&DOCTOR_B, 0));
        assert_noop!(
            Kgc::revoke(signed(KGC), DOCTOR_A, 3),
            Error::<Test>::AlreadyRevoked
        );
        // A revocation dated in the future does not make the current key stale.
        assert!(Kgc::update_key_is_current());
    });
}

#[test]
fn revocation_cannot_be_backdated() {
    new_test_ext().execute_with(|| {
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_A));
        assert_ok!(Kgc::publish_update_key(
            signed(KGC),
            key(update_key(1, &[])),
            4
        ));
        assert_noop!(
            Kgc::revoke(signed(KGC), DOCTOR_A, 0),
            Error::<Test>::EpochInThePast
        );
    });
}

#[test]
fn the_revocation_list_is_bounded() {
    new_test_ext().execute_with(|| {
        for doctor in 10..15 {
            assert_ok!(Kgc::assign_leaf(signed(KGC), doctor));
        }
        for doctor in 10..14 {
            assert_ok!(Kgc::revoke(signed(KGC), doctor, 1));
        }
        assert_noop!(
            Kgc::revoke(signed(KGC), 14, 1),
            Error::<Test>::TooManyRevocations
        );
    });
}

#[test]
fn publishing_the_next_epochs_key_advances_the_epoch() {
    new_test_ext().execute_with(|| {
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_A));
        assert_ok!(Kgc::revoke(signed(KGC), DOCTOR_A, 1));
        let honest = update_key(1, &[Revocation { leaf: 0, epoch: 1 }]);
        assert_ok!(Kgc::publish_update_key(signed(KGC), key(honest.clone()), 4));
        assert_eq!(crate::CurrentEpoch::<Test>::get(), 1);
        assert_eq!(last_event(), Event::EpochAdvanced { epoch: 1 });
        assert_eq!(Kgc::update_key(1), Some(honest));
        // Older epochs' keys stay readable: older records need them.
        assert!(Kgc::update_key(0).is_some());
    });
}

#[test]
fn an_update_key_with_the_wrong_node_set_is_rejected() {
    new_test_ext().execute_with(|| {
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_A));
        assert_ok!(Kgc::revoke(signed(KGC), DOCTOR_A, 1));
        // Made as if nobody were revoked: the root alone would let the revoked doctor back in.
        let skips_revocation = update_key(1, &[]);
        assert_noop!(
            Kgc::publish_update_key(signed(KGC), key(skips_revocation), 4),
            Error::<Test>::NodeSetMismatch
        );
        // Made for a revocation list that revokes someone else.
        let other = update_key(1, &[Revocation { leaf: 5, epoch: 1 }]);
        assert_noop!(
            Kgc::publish_update_key(signed(KGC), key(other), 4),
            Error::<Test>::NodeSetMismatch
        );
    });
}

#[test]
fn a_revocation_dated_now_makes_the_current_key_stale_until_republished() {
    new_test_ext().execute_with(|| {
        assert_ok!(Kgc::assign_leaf(signed(KGC), DOCTOR_A));
        assert_ok!(Kgc::revoke(signed(KGC), DOCTOR_A, 0));
        assert!(!Kgc::update_key_is_current());
        let republished = update_key(0, &[Revocation { leaf: 0, epoch: 0 }]);
        assert_ok!(Kgc::publish_update_key(
            signed(KGC),
            key(republished.clone()),
            4
        ));
        assert!(Kgc::update_key_is_current());
        assert_eq!(crate::CurrentEpoch::<Test>::get(), 0);
        assert_eq!(Kgc::update_key(0), Some(republished));
    });
}

#[test]
fn update_keys_for_other_epochs_are_rejected() {
    new_test_ext().execute_with(|| {
        assert_noop!(
            Kgc::publish_update_key(signed(KGC), key(update_key(2, &[])), 4),
            Error::<Test>::WrongEpoch
        );
        assert_noop!(
            Kgc::publish_update_key(signed(HOSPITAL), key(update_key(1, &[])), 4),
            Error::<Test>::NotKgc
        );
    });
}

#[test]
fn malformed_update_keys_are_rejected_and_nothing_is_stored() {
    new_test_ext().execute_with(|| {
        let honest = update_key(1, &[]);
        for bad in [
            vec![],
            vec![1, 2, 3],
            honest[..honest.len() - 1].to_vec(),
            [honest.clone(), vec![0]].concat(),
        ] {
            assert_noop!(
                Kgc::publish_update_key(signed(KGC), key(bad), 4),
                Error::<Test>::UndecodableUpdateKey
            );
        }
        assert_eq!(Kgc::update_key(1), None);
        assert_eq!(crate::CurrentEpoch::<Test>::get(), 0);
    });
}
