//! Every call and every error of the hospitals pallet, on the mock runtime.

use crate::{
    mock::*, Authorizations, CheckMemberNonce, DoctorOf, Doctors, Error, Event,
    Hospitals as Registry, PeerOwners, SearchKeyEpochs, ValidatorsChanged, WeightInfo,
    NOT_A_MEMBER, OVER_BLOCK_SHARE, TOO_MANY_PENDING,
};
use medchain_types::{CompressedG1, KeyEpoch};
use polkadot_sdk::{
    frame_support::{
        assert_noop, assert_ok, dispatch::GetDispatchInfo, pallet_prelude::TransactionSource,
    },
    frame_system::{self, RawOrigin},
    pallet_session::SessionManager,
    sp_runtime::{
        traits::{DispatchTransaction, Dispatchable, TransactionExtension, TxBaseImplication},
        transaction_validity::{InvalidTransaction, TransactionValidityError},
        DispatchError,
    },
};

fn signed(who: u64) -> RuntimeOrigin {
    RuntimeOrigin::signed(who)
}

fn admit(who: u64) -> polkadot_sdk::sp_runtime::DispatchResult {
    Hospitals::admit_hospital(
        RuntimeOrigin::root(),
        who,
        b"new".to_vec(),
        peer_id(who),
        encryption_key(who),
        who * 10,
    )
}

/// The identity of G1: a well-formed point (it decompresses), but no key.
fn identity() -> CompressedG1 {
    medchain_crypto::encoding::G1Point::default().compress()
}

fn last_event() -> RuntimeEvent {
    System::events()
        .pop()
        .expect("an event was deposited")
        .event
}

mod genesis {
    use super::*;

    #[test]
    fn founding_hospitals_are_registered_and_alive() {
        new_test_ext().execute_with(|| {
            assert_eq!(Hospitals::sorted_hospitals(), vec![ALICE, BOB, CHARLIE]);
            assert_eq!(PeerOwners::<Test>::get(bounded(peer_id(BOB))), Some(BOB));
            assert!(frame_system::Pallet::<Test>::account_exists(&ALICE));
        });
    }

    #[test]
    #[should_panic(expected = "genesis hospital fields fit their bounds and the key is valid")]
    fn refuses_the_identity_as_a_founding_hospitals_key() {
        let storage = RuntimeGenesisConfig {
            system: Default::default(),
            hospitals: crate::GenesisConfig {
                hospitals: vec![(
                    ALICE,
                    b"a".to_vec(),
                    peer_id(ALICE),
                    identity().as_bytes().to_vec(),
                )],
            },
        };
        let _ = polkadot_sdk::sp_runtime::BuildStorage::build_storage(&storage);
    }

    fn bounded(
        id: Vec<u8>,
    ) -> polkadot_sdk::frame_support::BoundedVec<
        u8,
        polkadot_sdk::frame_support::traits::ConstU32<38>,
    > {
        id.try_into().expect("fits")
    }
}

mod admit_hospital {
    use super::*;

    #[test]
    fn registers_the_hospital_and_tells_the_registries() {
        new_test_ext().execute_with(|| {
            ValidatorsChanged::<Test>::kill();
            assert_ok!(admit(DAVE));
            let info = Registry::<Test>::get(DAVE).expect("admitted");
            assert_eq!(info.name.to_vec(), b"new".to_vec());
            assert_eq!(info.encryption_key, encryption_key(DAVE));
            assert!(ValidatorsChanged::<Test>::get());
            assert!(frame_system::Pallet::<Test>::account_exists(&DAVE));
            assert_eq!(
                registered(),
                vec![
                    Registered::Keys(DAVE, 40),
                    Registered::Peer(DAVE, peer_id(DAVE)),
                    Registered::Council(vec![ALICE, BOB, CHARLIE, DAVE]),
                ]
            );
            assert_eq!(
                last_event(),
                Event::HospitalAdmitted {
                    hospital: DAVE,
                    name: b"new".to_vec(),
                    peer_id: peer_id(DAVE)
                }
                .into()
            );
        });
    }

    #[test]
    fn needs_the_admission_origin() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::admit_hospital(
                    signed(ALICE),
                    DAVE,
                    vec![],
                    peer_id(DAVE),
                    encryption_key(DAVE),
                    1
                ),
                DispatchError::BadOrigin
            );
        });
    }

    #[test]
    fn refuses_a_registered_hospital() {
        new_test_ext().execute_with(|| {
            assert_noop!(admit(BOB), Error::<Test>::AlreadyRegistered);
        });
    }

    #[test]
    fn refuses_a_doctor() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            assert_noop!(admit(DAVE), Error::<Test>::AlreadyMember);
        });
    }

    #[test]
    fn refuses_the_kgc() {
        new_test_ext().execute_with(|| {
            assert_noop!(admit(KGC), Error::<Test>::AlreadyMember);
            // Nor can a hospital make the KGC its doctor, to use its account for itself.
            assert_noop!(
                Hospitals::add_doctor(signed(ALICE), KGC),
                Error::<Test>::AlreadyMember
            );
        });
    }

    #[test]
    fn refuses_more_than_max_hospitals() {
        new_test_ext().execute_with(|| {
            assert_ok!(admit(DAVE));
            assert_noop!(admit(EVE), Error::<Test>::TooManyHospitals);
        });
    }

    #[test]
    fn refuses_a_long_name() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::admit_hospital(
                    RuntimeOrigin::root(),
                    DAVE,
                    vec![b'x'; 17],
                    peer_id(DAVE),
                    encryption_key(DAVE),
                    1
                ),
                Error::<Test>::NameTooLong
            );
        });
    }

    #[test]
    fn refuses_an_invalid_encryption_key() {
        new_test_ext().execute_with(|| {
            // Not a point: the x-coordinate's compression flags are unset.
            assert_noop!(
                Hospitals::admit_hospital(
                    RuntimeOrigin::root(),
                    DAVE,
                    b"Dave".to_vec(),
                    peer_id(DAVE),
                    CompressedG1::from_bytes([7; 48]),
                    1
                ),
                Error::<Test>::InvalidEncryptionKey
            );
            assert!(!Hospitals::is_member(&DAVE));
        });
    }

    #[test]
    fn refuses_the_identity_as_encryption_key() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::admit_hospital(
                    RuntimeOrigin::root(),
                    DAVE,
                    b"Dave".to_vec(),
                    peer_id(DAVE),
                    identity(),
                    1
                ),
                Error::<Test>::InvalidEncryptionKey
            );
            assert!(!Hospitals::is_member(&DAVE));
            assert_eq!(registered(), vec![]);
        });
    }

    #[test]
    fn refuses_an_empty_or_long_peer_id() {
        new_test_ext().execute_with(|| {
            for bad in [vec![], vec![1; 39]] {
                assert_noop!(
                    Hospitals::admit_hospital(
                        RuntimeOrigin::root(),
                        DAVE,
                        vec![],
                        bad,
                        encryption_key(DAVE),
                        1
                    ),
                    Error::<Test>::BadPeerId
                );
            }
        });
    }

    #[test]
    fn refuses_another_hospitals_peer_id() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::admit_hospital(
                    RuntimeOrigin::root(),
                    DAVE,
                    vec![],
                    peer_id(ALICE),
                    encryption_key(DAVE),
                    1
                ),
                Error::<Test>::PeerIdInUse
            );
        });
    }

    #[test]
    fn stores_nothing_when_the_keys_are_refused() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::admit_hospital(
                    RuntimeOrigin::root(),
                    DAVE,
                    vec![],
                    peer_id(DAVE),
                    encryption_key(DAVE),
                    REFUSED_KEYS
                ),
                DispatchError::Other("duplicated key")
            );
        });
    }
}

mod remove_hospital {
    use super::*;

    #[test]
    fn removes_the_hospital_its_doctors_and_its_grants() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(BOB), DAVE));
            assert_ok!(Hospitals::authorize(signed(BOB), ALICE, 10, vec![1]));
            assert_ok!(Hospitals::authorize(signed(CHARLIE), BOB, 10, vec![2]));
            assert_ok!(Hospitals::authorize(signed(CHARLIE), ALICE, 10, vec![3]));
            ValidatorsChanged::<Test>::kill();
            registered();

            assert_ok!(Hospitals::remove_hospital(RuntimeOrigin::root(), BOB));

            assert!(!Registry::<Test>::contains_key(BOB));
            assert!(!DoctorOf::<Test>::contains_key(DAVE));
            assert!(Doctors::<Test>::get(BOB).is_empty());
            assert!(!Authorizations::<Test>::contains_key(ALICE, BOB));
            assert!(!Authorizations::<Test>::contains_key(BOB, CHARLIE));
            assert!(Authorizations::<Test>::contains_key(ALICE, CHARLIE));
            assert!(ValidatorsChanged::<Test>::get());
            assert_eq!(
                registered(),
                vec![
                    Registered::KeysRemoved(BOB),
                    Registered::PeerRemoved(BOB, peer_id(BOB)),
                    Registered::Council(vec![ALICE, CHARLIE]),
                ]
            );
            assert_eq!(
                last_event(),
                Event::HospitalRemoved { hospital: BOB }.into()
            );
            // Its peer id is free again and its account keeps its nonce.
            assert!(frame_system::Pallet::<Test>::account_exists(&BOB));
            assert_ok!(Hospitals::admit_hospital(
                RuntimeOrigin::root(),
                EVE,
                vec![],
                peer_id(BOB),
                encryption_key(EVE),
                1
            ));
        });
    }

    #[test]
    fn refunds_the_hospitals_and_doctors_it_did_not_remove() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(BOB), DAVE));
            let call = RuntimeCall::Hospitals(crate::Call::remove_hospital { hospital: BOB });
            let charged = call.get_dispatch_info().call_weight;

            let used = call
                .dispatch(RuntimeOrigin::root())
                .expect("removes BOB")
                .actual_weight
                .expect("states what it used");

            assert_eq!(
                used,
                <Test as crate::Config>::WeightInfo::remove_hospital(3, 1)
            );
            assert!(used.all_lt(charged), "{used} is not below {charged}");
        });
    }

    #[test]
    fn needs_the_admission_origin() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::remove_hospital(signed(ALICE), BOB),
                DispatchError::BadOrigin
            );
        });
    }

    #[test]
    fn refuses_an_unknown_hospital() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::remove_hospital(RuntimeOrigin::root(), DAVE),
                Error::<Test>::UnknownHospital
            );
        });
    }

    #[test]
    fn refuses_to_remove_the_last_hospital() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::remove_hospital(RuntimeOrigin::root(), ALICE));
            assert_ok!(Hospitals::remove_hospital(RuntimeOrigin::root(), BOB));
            assert_noop!(
                Hospitals::remove_hospital(RuntimeOrigin::root(), CHARLIE),
                Error::<Test>::LastHospital
            );
        });
    }
}

mod authorize {
    use super::*;

    #[test]
    fn records_the_grant_until_it_expires() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::authorize(signed(ALICE), BOB, 5, vec![7; 64]));
            assert_eq!(
                last_event(),
                Event::Authorized {
                    from: ALICE,
                    to: BOB,
                    expires_at: 5
                }
                .into()
            );
            let grant = Authorizations::<Test>::get(BOB, ALICE).expect("recorded");
            assert_eq!(grant.encrypted_search_key.to_vec(), vec![7; 64]);
            assert_eq!(Hospitals::authorizers_of(&BOB), vec![ALICE]);
            assert!(Hospitals::authorizers_of(&ALICE).is_empty());
            assert!(Hospitals::authorizes(&ALICE, &BOB));
            assert!(!Hospitals::authorizes(&BOB, &ALICE), "grants are one-way");

            System::set_block_number(4);
            assert_eq!(Hospitals::authorizers_of(&BOB), vec![ALICE]);
            System::set_block_number(5);
            assert!(
                Hospitals::authorizers_of(&BOB).is_empty(),
                "an expired grant is inactive"
            );
            assert!(!Hospitals::authorizes(&ALICE, &BOB));
        });
    }

    #[test]
    fn a_new_grant_replaces_the_old_one() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::authorize(signed(ALICE), BOB, 5, vec![1]));
            assert_ok!(Hospitals::authorize(signed(ALICE), BOB, 9, vec![2]));
            let grant = Authorizations::<Test>::get(BOB, ALICE).expect("recorded");
            assert_eq!(
                (grant.expires_at, grant.encrypted_search_key.to_vec()),
                (9, vec![2])
            );
        });
    }

    #[test]
    fn needs_a_signed_origin() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::authorize(RuntimeOrigin::root(), BOB, 5, vec![]),
                DispatchError::BadOrigin
            );
        });
    }

    #[test]
    fn refuses_a_caller_that_is_not_a_hospital() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::authorize(signed(DAVE), BOB, 5, vec![]),
                Error::<Test>::UnknownHospital
            );
        });
    }

    #[test]
    fn refuses_self_authorization() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::authorize(signed(ALICE), ALICE, 5, vec![]),
                Error::<Test>::SelfAuthorization
            );
        });
    }

    #[test]
    fn refuses_an_unknown_grantee() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::authorize(signed(ALICE), DAVE, 5, vec![]),
                Error::<Test>::UnknownHospital
            );
        });
    }

    #[test]
    fn refuses_an_expiry_that_is_not_in_the_future() {
        new_test_ext().execute_with(|| {
            System::set_block_number(5);
            for expires_at in [4, 5] {
                assert_noop!(
                    Hospitals::authorize(signed(ALICE), BOB, expires_at, vec![]),
                    Error::<Test>::ExpiryInPast
                );
            }
        });
    }

    #[test]
    fn refuses_an_oversize_search_key() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::authorize(signed(ALICE), BOB, 5, vec![0; 65]),
                Error::<Test>::SearchKeyTooLong
            );
        });
    }
}

mod withdraw {
    use super::*;

    #[test]
    fn ends_the_grant() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::authorize(signed(ALICE), BOB, 5, vec![1]));
            assert_ok!(Hospitals::withdraw(signed(ALICE), BOB));
            assert!(!Authorizations::<Test>::contains_key(BOB, ALICE));
            assert!(Hospitals::authorizers_of(&BOB).is_empty());
            assert!(System::events().iter().any(|record| record.event
                == Event::AuthorizationWithdrawn {
                    from: ALICE,
                    to: BOB
                }
                .into()));
        });
    }

    #[test]
    fn rotates_the_grantors_search_key_and_keeps_its_other_grants() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::authorize(signed(ALICE), BOB, 5, vec![1]));
            assert_ok!(Hospitals::authorize(signed(ALICE), CHARLIE, 7, vec![2]));
            assert_eq!(Hospitals::search_key_epoch(&ALICE), KeyEpoch::new(0));
            assert_ok!(Hospitals::withdraw(signed(ALICE), BOB));
            assert_eq!(Hospitals::search_key_epoch(&ALICE), KeyEpoch::new(1));
            assert_eq!(Hospitals::search_key_epoch(&CHARLIE), KeyEpoch::new(0));
            assert_eq!(
                last_event(),
                Event::SearchKeyRotated {
                    hospital: ALICE,
                    key_epoch: KeyEpoch::new(1)
                }
                .into()
            );
            assert_eq!(
                Hospitals::grants_by(&ALICE),
                vec![(CHARLIE, 7, KeyEpoch::new(0))]
            );
            assert_ok!(Hospitals::authorize(signed(ALICE), CHARLIE, 7, vec![3]));
            assert_eq!(
                Hospitals::grants_by(&ALICE),
                vec![(CHARLIE, 7, KeyEpoch::new(1))],
                "a grant renewed after the rotation carries the new epoch"
            );
            System::set_block_number(7);
            assert!(
                Hospitals::grants_by(&ALICE).is_empty(),
                "an expired grant is not handed keys"
            );
        });
    }

    #[test]
    fn refuses_when_no_key_epoch_is_left() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::authorize(signed(ALICE), BOB, 5, vec![1]));
            SearchKeyEpochs::<Test>::insert(ALICE, KeyEpoch::new(u32::MAX));
            assert_noop!(
                Hospitals::withdraw(signed(ALICE), BOB),
                Error::<Test>::SearchKeyEpochsExhausted
            );
        });
    }

    #[test]
    fn refuses_when_there_is_no_grant() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::authorize(signed(CHARLIE), BOB, 5, vec![1]));
            assert_noop!(
                Hospitals::withdraw(signed(ALICE), BOB),
                Error::<Test>::NotAuthorized
            );
        });
    }

    #[test]
    fn refuses_a_caller_that_is_not_a_hospital() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::withdraw(signed(DAVE), BOB),
                Error::<Test>::UnknownHospital
            );
        });
    }
}

mod doctors {
    use super::*;

    #[test]
    fn a_hospital_adds_and_removes_its_doctor() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            assert_eq!(
                last_event(),
                Event::DoctorAdded {
                    hospital: ALICE,
                    doctor: DAVE
                }
                .into()
            );
            assert!(Hospitals::is_doctor_of(&DAVE, &ALICE));
            assert!(!Hospitals::is_doctor_of(&DAVE, &BOB));
            assert_eq!(Hospitals::hospital_of(&DAVE), Some(ALICE));
            assert!(!Hospitals::is_hospital(&DAVE));
            assert!(Hospitals::is_member(&DAVE));
            assert!(frame_system::Pallet::<Test>::account_exists(&DAVE));

            assert_ok!(Hospitals::remove_doctor(signed(ALICE), DAVE));
            assert_eq!(
                last_event(),
                Event::DoctorRemoved {
                    hospital: ALICE,
                    doctor: DAVE
                }
                .into()
            );
            assert!(!Hospitals::is_doctor_of(&DAVE, &ALICE));
            assert_eq!(Hospitals::hospital_of(&DAVE), None);
            assert!(!Hospitals::is_member(&DAVE));
            assert!(Doctors::<Test>::get(ALICE).is_empty());
        });
    }

    #[test]
    fn only_hospitals_manage_doctors() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Hospitals::add_doctor(signed(DAVE), EVE),
                Error::<Test>::UnknownHospital
            );
            assert_noop!(
                Hospitals::remove_doctor(signed(DAVE), EVE),
                Error::<Test>::UnknownHospital
            );
        });
    }

    #[test]
    fn refuses_an_account_that_already_is_a_member() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            assert_noop!(
                Hospitals::add_doctor(signed(BOB), DAVE),
                Error::<Test>::AlreadyMember
            );
            assert_noop!(
                Hospitals::add_doctor(signed(BOB), CHARLIE),
                Error::<Test>::AlreadyMember
            );
        });
    }

    #[test]
    fn refuses_more_than_max_doctors() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            assert_ok!(Hospitals::add_doctor(signed(ALICE), EVE));
            assert_noop!(
                Hospitals::add_doctor(signed(ALICE), 6),
                Error::<Test>::TooManyDoctors
            );
        });
    }

    #[test]
    fn a_doctor_holding_an_unrevoked_key_is_removed_only_once_revoked() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            issue_key(DAVE);
            assert_noop!(
                Hospitals::remove_doctor(signed(ALICE), DAVE),
                Error::<Test>::DoctorKeyNotRevoked
            );
            assert!(Hospitals::is_doctor_of(&DAVE, &ALICE));
            revoke_key(DAVE);
            assert_ok!(Hospitals::remove_doctor(signed(ALICE), DAVE));
            assert!(!Hospitals::is_member(&DAVE));
        });
    }

    #[test]
    fn a_hospital_removes_only_its_own_doctors() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            assert_noop!(
                Hospitals::remove_doctor(signed(BOB), DAVE),
                Error::<Test>::UnknownDoctor
            );
            assert_noop!(
                Hospitals::remove_doctor(signed(ALICE), EVE),
                Error::<Test>::UnknownDoctor
            );
        });
    }
}

mod validator_set {
    use super::*;

    #[test]
    fn follows_admissions_and_removals() {
        new_test_ext().execute_with(|| {
            assert_eq!(
                Hospitals::new_session_genesis(0),
                Some(vec![ALICE, BOB, CHARLIE])
            );
            assert_eq!(
                Hospitals::new_session(1),
                None,
                "unchanged set: no new validators"
            );

            assert_ok!(admit(DAVE));
            assert_eq!(
                Hospitals::new_session(2),
                Some(vec![ALICE, BOB, CHARLIE, DAVE])
            );
            assert_eq!(Hospitals::new_session(3), None);

            assert_ok!(Hospitals::remove_hospital(RuntimeOrigin::root(), BOB));
            assert_eq!(Hospitals::new_session(4), Some(vec![ALICE, CHARLIE, DAVE]));
        });
    }
}

mod check_member_nonce {
    use super::*;

    fn call() -> RuntimeCall {
        RuntimeCall::System(frame_system::Call::remark { remark: vec![] })
    }

    fn validate(who: Option<u64>, nonce: u32) -> Result<(), TransactionValidityError> {
        let call = call();
        CheckMemberNonce::<Test>::from(nonce)
            .validate_only(
                RawOrigin::from(who).into(),
                &call,
                &call.get_dispatch_info(),
                0,
                TransactionSource::External,
                0,
            )
            .map(|_| ())
    }

    #[test]
    fn admits_hospitals_and_doctors() {
        new_test_ext().execute_with(|| {
            assert_ok!(validate(Some(ALICE), 0));
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            assert_ok!(validate(Some(DAVE), 0));
        });
    }

    #[test]
    fn admits_the_other_members() {
        new_test_ext().execute_with(|| {
            assert!(!Hospitals::is_hospital(&KGC) && Hospitals::hospital_of(&KGC).is_none());
            // The pallet that makes an account an other member keeps it alive (the KGC pallet).
            frame_system::Pallet::<Test>::inc_providers(&KGC);
            assert_ok!(validate(Some(KGC), 0));
        });
    }

    #[test]
    fn refuses_non_members_with_their_reason() {
        new_test_ext().execute_with(|| {
            assert_eq!(
                validate(Some(DAVE), 0),
                Err(InvalidTransaction::Custom(NOT_A_MEMBER).into())
            );
        });
    }

    #[test]
    fn lets_unsigned_transactions_through() {
        new_test_ext().execute_with(|| {
            let call = call();
            let passed = CheckMemberNonce::<Test>::from(0).validate(
                RawOrigin::None.into(),
                &call,
                &call.get_dispatch_info(),
                0,
                (),
                &TxBaseImplication(&call),
                TransactionSource::External,
            );
            assert!(passed.is_ok(), "no signer, nothing to check: {passed:?}");
        });
    }

    #[test]
    fn refuses_a_call_the_chain_does_not_dispatch_before_it_takes_room() {
        new_test_ext().execute_with(|| {
            let excluded = RuntimeCall::System(frame_system::Call::remark_with_event {
                remark: vec![0; 4096],
            });
            let info = excluded.get_dispatch_info();
            let origin = || -> RuntimeOrigin { RawOrigin::Signed(ALICE).into() };
            let refused = CheckMemberNonce::<Test>::from(0)
                .validate_only(
                    origin(),
                    &excluded,
                    &info,
                    4096,
                    TransactionSource::External,
                    0,
                )
                .map(|_| ());
            assert_eq!(refused, Err(InvalidTransaction::Call.into()));
            // Nor does a block made outside the pool get it dispatched, or the nonce bumped.
            let applied = CheckMemberNonce::<Test>::from(0).dispatch_transaction(
                origin(),
                excluded,
                &info,
                4096,
                0,
            );
            assert_eq!(applied.err(), Some(InvalidTransaction::Call.into()));
            assert_eq!(frame_system::Pallet::<Test>::account_nonce(ALICE), 0);
        });
    }

    #[test]
    fn bounds_the_pending_transactions_of_one_member() {
        new_test_ext().execute_with(|| {
            assert_ok!(validate(Some(ALICE), 3));
            assert_eq!(
                validate(Some(ALICE), 4),
                Err(InvalidTransaction::Custom(TOO_MANY_PENDING).into())
            );
        });
    }

    #[test]
    fn refuses_a_transaction_larger_than_a_members_share_of_a_block() {
        new_test_ext().execute_with(|| {
            let (_, share) = CheckMemberNonce::<Test>::block_share();
            let call = call();
            let info = call.get_dispatch_info();
            let of_length = |len| {
                CheckMemberNonce::<Test>::from(0)
                    .validate_only(
                        RawOrigin::Signed(ALICE).into(),
                        &call,
                        &info,
                        len,
                        TransactionSource::External,
                        0,
                    )
                    .map(|_| ())
            };
            assert_ok!(of_length(share as usize));
            assert_eq!(
                of_length(share as usize + 1),
                Err(InvalidTransaction::Custom(OVER_BLOCK_SHARE).into())
            );
            // The KGC's update keys may need most of a block: it has no share.
            frame_system::Pallet::<Test>::inc_providers(&KGC);
            assert_ok!(CheckMemberNonce::<Test>::from(0)
                .validate_only(
                    RawOrigin::Signed(KGC).into(),
                    &call,
                    &info,
                    share as usize + 1,
                    TransactionSource::External,
                    0,
                )
                .map(|_| ()));
        });
    }

    #[test]
    fn a_flooding_hospital_and_its_doctors_get_its_share_of_a_block_and_the_others_the_rest() {
        new_test_ext().execute_with(|| {
            let (_, share) = CheckMemberNonce::<Test>::block_share();
            // Two of these do not fit in one member's share.
            let over_half = share as usize / 2 + 1;
            let call = call();
            let info = call.get_dispatch_info();
            let apply = |who, nonce| {
                CheckMemberNonce::<Test>::from(nonce)
                    .dispatch_transaction(
                        RawOrigin::Signed(who).into(),
                        call.clone(),
                        &info,
                        over_half,
                        0,
                    )
                    .map(|_| ())
            };
            assert_ok!(apply(ALICE, 0));
            // Alice's next transaction waits for a later block (and stays in the pool)...
            assert_eq!(
                apply(ALICE, 1),
                Err(InvalidTransaction::ExhaustsResources.into())
            );
            // ... and so does her doctor's: a hospital cannot widen its share with doctors...
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            assert_eq!(
                apply(DAVE, 0),
                Err(InvalidTransaction::ExhaustsResources.into())
            );
            // ... while Bob's goes into this one.
            assert_ok!(apply(BOB, 0));
            frame_system::Pallet::<Test>::set_block_number(2);
            assert_ok!(apply(DAVE, 0));
            assert_eq!(
                apply(ALICE, 1),
                Err(InvalidTransaction::ExhaustsResources.into())
            );
            frame_system::Pallet::<Test>::set_block_number(3);
            assert_ok!(apply(ALICE, 1));
        });
    }

    #[test]
    fn keeps_checking_the_nonce() {
        new_test_ext().execute_with(|| {
            frame_system::Pallet::<Test>::inc_account_nonce(ALICE);
            assert_eq!(
                validate(Some(ALICE), 0),
                Err(InvalidTransaction::Stale.into())
            );
        });
    }

    #[test]
    fn refuses_at_inclusion_a_member_removed_meanwhile() {
        new_test_ext().execute_with(|| {
            let call = call();
            let info = call.get_dispatch_info();
            let extension = CheckMemberNonce::<Test>::from(0);
            let origin: RuntimeOrigin = RawOrigin::Signed(BOB).into();
            let (_, val, origin) = extension
                .validate(
                    origin,
                    &call,
                    &info,
                    0,
                    (),
                    &TxBaseImplication(&call),
                    TransactionSource::External,
                )
                .expect("BOB is a member when the pool admits the transaction");

            assert_ok!(Hospitals::remove_hospital(RuntimeOrigin::root(), BOB));

            assert_eq!(
                extension.prepare(val, &origin, &call, &info, 0).err(),
                Some(InvalidTransaction::Custom(NOT_A_MEMBER).into())
            );
        });
    }

    #[test]
    fn dispatches_and_bumps_the_nonce_of_a_member() {
        new_test_ext().execute_with(|| {
            let call = call();
            assert_ok!(CheckMemberNonce::<Test>::from(0).dispatch_transaction(
                RawOrigin::Signed(ALICE).into(),
                call.clone(),
                &call.get_dispatch_info(),
                0,
                0,
            ));
            assert_eq!(frame_system::Pallet::<Test>::account_nonce(ALICE), 1);
        });
    }
}

/// The invariants every test ends by checking catch the states the calls never leave.
mod try_state {
    use super::*;
    use polkadot_sdk::{frame_support::BoundedVec, sp_runtime::TryRuntimeError};

    fn broken(reason: &'static str) -> Result<(), TryRuntimeError> {
        Err(reason.into())
    }

    #[test]
    fn finds_a_doctor_missing_from_its_hospitals_list() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            let doctors = Doctors::<Test>::take(ALICE);
            assert_eq!(
                Hospitals::do_try_state(),
                broken("a doctor is missing from its hospital's list, or listed twice")
            );
            Doctors::<Test>::insert(ALICE, doctors);
        });
    }

    #[test]
    fn finds_a_doctor_listed_by_another_hospital() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::add_doctor(signed(ALICE), DAVE));
            Doctors::<Test>::insert(BOB, BoundedVec::truncate_from(vec![DAVE]));
            assert_eq!(
                Hospitals::do_try_state(),
                broken("a doctor in a hospital's list works for another")
            );
            Doctors::<Test>::remove(BOB);
        });
    }

    #[test]
    fn finds_a_grant_that_outlived_its_grantee() {
        new_test_ext().execute_with(|| {
            assert_ok!(Hospitals::authorize(signed(ALICE), BOB, 10, vec![1]));
            let grant = Authorizations::<Test>::take(BOB, ALICE).expect("granted");
            Authorizations::<Test>::insert(DAVE, ALICE, grant);
            assert_eq!(
                Hospitals::do_try_state(),
                broken("an authorisation outlived its grantor or grantee")
            );
            Authorizations::<Test>::remove(DAVE, ALICE);
        });
    }

    #[test]
    fn finds_a_peer_id_owned_by_no_hospital() {
        new_test_ext().execute_with(|| {
            PeerOwners::<Test>::insert(BoundedVec::truncate_from(peer_id(DAVE)), DAVE);
            assert_eq!(
                Hospitals::do_try_state(),
                broken("a peer id is owned by no hospital")
            );
            PeerOwners::<Test>::remove(BoundedVec::truncate_from(peer_id(DAVE)));
        });
    }
}
