//! Every call and every error of the KGC pallet, one module per call, and the invariant that
//! revocation rests on.

use crate::{mock::*, Error, Event, KeyIssue};
use codec::{Decode, Encode};
use medchain_crypto::{abe::UpdateKeyNodes, tree::Tree};
use medchain_types::{CompressedG1, Epoch, LeafIndex, NodeId, Revocation};
use polkadot_sdk::{
    frame_support::{assert_noop, assert_ok, traits::ConstU32, BoundedVec},
    sp_runtime::{DispatchError, DispatchResult},
};

type UpdateKeyBytes = BoundedVec<u8, ConstU32<8192>>;

fn signed(who: u64) -> RuntimeOrigin {
    RuntimeOrigin::signed(who)
}

fn key(bytes: Vec<u8>) -> UpdateKeyBytes {
    BoundedVec::try_from(bytes).expect("test keys fit")
}

fn kgc_events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| {
            if let RuntimeEvent::Kgc(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .collect()
}

fn last_event() -> Event<Test> {
    kgc_events().pop().expect("an event")
}

fn epoch(n: u64) -> Epoch {
    Epoch::new(n)
}

fn leaf(n: u64) -> LeafIndex {
    LeafIndex::new(n)
}

/// Leaf `n` revoked from epoch `from` on.
fn revoked(n: u64, from: u64) -> Revocation {
    Revocation {
        leaf: leaf(n),
        epoch: epoch(from),
    }
}

fn current() -> Epoch {
    crate::CurrentEpoch::<Test>::get()
}

/// The epoch after the current one, which the next update key is for.
fn next_epoch() -> Epoch {
    current()
        .next()
        .expect("tests stay far from the last epoch")
}

/// The on-chain revocation list.
fn revocations() -> Vec<Revocation> {
    crate::Revocations::<Test>::get().into_inner()
}

/// The identity of G1: a well-formed point (it decompresses), but no key.
fn identity() -> CompressedG1 {
    medchain_crypto::encoding::G1Point::default().compress()
}

/// `doctor` registers its key and the KGC issues it the next leaf; returns the leaf.
fn issue(doctor: u64) -> LeafIndex {
    assert_ok!(Kgc::register_encryption_key(
        signed(doctor),
        encryption_key(doctor)
    ));
    let leaf = crate::NextLeaf::<Test>::get();
    assert_ok!(Kgc::issue_key(
        signed(KGC),
        doctor,
        leaf,
        encryption_key(doctor),
        sealed_hash(doctor)
    ));
    leaf
}

/// `by` declares the issuance of `doctor`'s key on `at`, sealed to `key`; the sealed key's hash
/// does not matter to the call's checks.
fn issue_key_as(by: u64, doctor: u64, at: LeafIndex, key: CompressedG1) -> DispatchResult {
    Kgc::issue_key(signed(by), doctor, at, key, [0; 32])
}

/// A stand-in for the SHA-256 of the key sealed to `doctor`.
fn sealed_hash(doctor: u64) -> [u8; 32] {
    [doctor as u8; 32]
}

/// The update key of `current + 1` for the on-chain list with `doctor` revoked at `current + 1`,
/// and the length of the list before: what an honest KGC submits with `revoke`.
fn revocation_of(doctor: u64) -> (UpdateKeyBytes, u32) {
    let leaf = crate::LeafOf::<Test>::get(doctor).expect("the doctor holds a leaf");
    let epoch = next_epoch();
    let mut list = revocations();
    let before = list.len() as u32;
    list.push(Revocation { leaf, epoch });
    (key(update_key(epoch, &list)), before)
}

/// The KGC revokes `doctor` with an honest update key.
fn revoke_now(doctor: u64) {
    let (key, before) = revocation_of(doctor);
    assert_ok!(Kgc::revoke(signed(KGC), doctor, key, before));
}

/// The KGC advances one epoch with an honest update key.
fn advance() {
    let epoch = next_epoch();
    assert_ok!(Kgc::publish_update_key(
        signed(KGC),
        key(update_key(epoch, &revocations())),
        4
    ));
}

/// What revocation rests on: every published update key (epochs `0 ..= current`, none later)
/// covers exactly the doctors not revoked at its epoch under the revocation list as it is now.
/// A revocation dated at or before a published epoch would uncover its leaf there, and that
/// epoch's key, which stays valid, would no longer match.
fn assert_invariant() {
    let tree = Tree::new(DEPTH).expect("valid depth");
    let list = revocations();
    for epoch in (0..=current().get()).map(Epoch::new) {
        let stored = Kgc::update_key(epoch).expect("every epoch up to the current one has a key");
        let header = UpdateKeyNodes::decode(&mut &stored[..]).expect("stored keys decode");
        assert_eq!(header.epoch, epoch);
        let expected: Vec<NodeId> = tree
            .ku_nodes(&list, epoch)
            .expect("leaves in the tree")
            .into_iter()
            .collect();
        assert_eq!(
            header.nodes.to_vec(),
            expected,
            "the key of epoch {epoch} does not reflect the revocation list"
        );
    }
    assert_eq!(Kgc::update_key(next_epoch()), None);
    assert!(list.iter().all(|r| r.epoch <= current()));
}

mod genesis {
    use super::*;

    #[test]
    fn holds_params_depth_and_epoch_zero_key() {
        new_test_ext().execute_with(|| {
            assert_eq!(Kgc::params(), setup().pp.encode());
            assert_eq!(crate::TreeDepth::<Test>::get(), DEPTH);
            assert_eq!(current(), epoch(0));
            assert_eq!(Kgc::update_key(epoch(0)), Some(update_key(epoch(0), &[])));
            assert!(
                System::account_exists(&KGC),
                "the KGC's account is kept alive, so that it can sign"
            );
            assert_invariant();
        });
    }

    /// `pp` with its first generator, `g1`, replaced by `point`.
    fn params_with_g1(point: [u8; 48]) -> Vec<u8> {
        let mut params = setup().pp.encode();
        params[..48].copy_from_slice(&point);
        params
    }

    #[test]
    #[should_panic(expected = "genesis public parameters decode")]
    fn refuses_params_that_do_not_decode() {
        ext_with(crate::GenesisConfig {
            kgc: Some(KGC),
            params: params_with_g1([7; 48]),
            initial_update_key: update_key(epoch(0), &[]),
        });
    }

    #[test]
    #[should_panic(expected = "genesis public parameters decode")]
    fn refuses_degenerate_params() {
        ext_with(crate::GenesisConfig {
            kgc: Some(KGC),
            params: params_with_g1(*identity().as_bytes()),
            initial_update_key: update_key(epoch(0), &[]),
        });
    }

    #[test]
    fn a_chain_before_setup_issues_no_key() {
        new_test_ext_without_params().execute_with(|| {
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_A),
                encryption_key(DOCTOR_A)
            ));
            assert_noop!(
                issue_key_as(KGC, DOCTOR_A, leaf(0), encryption_key(DOCTOR_A)),
                Error::<Test>::NoParams
            );
        });
    }
}

mod set_kgc {
    use super::*;

    #[test]
    fn governance_replaces_the_kgc() {
        new_test_ext().execute_with(|| {
            assert_noop!(Kgc::set_kgc(signed(KGC), 9), DispatchError::BadOrigin);
            // Neither a hospital nor a doctor becomes the KGC: it could issue keys to itself.
            for member in [HOSPITAL, DOCTOR_A] {
                assert_noop!(
                    Kgc::set_kgc(RuntimeOrigin::root(), member),
                    Error::<Test>::AccountIsAMember
                );
            }
            assert_ok!(Kgc::set_kgc(RuntimeOrigin::root(), 9));
            assert_eq!(last_event(), Event::KgcChanged { kgc: 9 });
            assert!(System::account_exists(&9));
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_A),
                encryption_key(DOCTOR_A)
            ));
            assert_noop!(
                issue_key_as(KGC, DOCTOR_A, leaf(0), encryption_key(DOCTOR_A)),
                Error::<Test>::NotKgc
            );
            assert_ok!(issue_key_as(9, DOCTOR_A, leaf(0), encryption_key(DOCTOR_A)));
        });
    }
}

mod register_encryption_key {
    use super::*;

    #[test]
    fn a_doctor_registers_its_key_and_may_replace_it_until_issued() {
        new_test_ext().execute_with(|| {
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_A),
                encryption_key(DOCTOR_A)
            ));
            assert_eq!(
                last_event(),
                Event::EncryptionKeyRegistered {
                    doctor: DOCTOR_A,
                    key: encryption_key(DOCTOR_A)
                }
            );
            assert_eq!(
                Kgc::encryption_key(&DOCTOR_A),
                Some(encryption_key(DOCTOR_A))
            );
            // A doctor who lost its key before issuance registers another.
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_A),
                encryption_key(99)
            ));
            assert_eq!(Kgc::encryption_key(&DOCTOR_A), Some(encryption_key(99)));
            assert_eq!(Kgc::key_issue(&DOCTOR_A), None);
        });
    }

    #[test]
    fn only_the_doctor_itself_registers_its_key() {
        new_test_ext().execute_with(|| {
            // The key is always the signer's own: a hospital signing for its doctor registers
            // nothing for the doctor, and is refused for itself.
            assert_noop!(
                Kgc::register_encryption_key(signed(HOSPITAL), encryption_key(HOSPITAL)),
                Error::<Test>::NotADoctor
            );
            assert_noop!(
                Kgc::register_encryption_key(signed(KGC), encryption_key(KGC)),
                Error::<Test>::NotADoctor
            );
            assert_noop!(
                Kgc::register_encryption_key(RuntimeOrigin::root(), encryption_key(DOCTOR_A)),
                DispatchError::BadOrigin
            );
            assert_eq!(Kgc::encryption_key(&DOCTOR_A), None);
            assert_eq!(Kgc::encryption_key(&HOSPITAL), None);
        });
    }

    #[test]
    fn refuses_a_key_that_is_not_a_point_or_is_the_identity() {
        new_test_ext().execute_with(|| {
            // Not a point: the compression flag is unset.
            assert_noop!(
                Kgc::register_encryption_key(signed(DOCTOR_A), CompressedG1::from_bytes([7; 48])),
                Error::<Test>::InvalidEncryptionKey
            );
            // The identity: anyone could open what is sealed to it.
            assert_noop!(
                Kgc::register_encryption_key(signed(DOCTOR_A), identity()),
                Error::<Test>::InvalidEncryptionKey
            );
            assert_eq!(Kgc::encryption_key(&DOCTOR_A), None);
        });
    }

    #[test]
    fn is_fixed_once_a_key_is_issued() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            assert_noop!(
                Kgc::register_encryption_key(signed(DOCTOR_A), encryption_key(99)),
                Error::<Test>::KeyAlreadyIssued
            );
            revoke_now(DOCTOR_A);
            assert_noop!(
                Kgc::register_encryption_key(signed(DOCTOR_A), encryption_key(99)),
                Error::<Test>::KeyAlreadyIssued
            );
            assert_eq!(
                Kgc::encryption_key(&DOCTOR_A),
                Some(encryption_key(DOCTOR_A))
            );
        });
    }
}

mod issue_key {
    use super::*;

    #[test]
    fn issues_the_next_leaf_sealed_to_the_registered_key() {
        new_test_ext().execute_with(|| {
            assert!(!Kgc::holds_unrevoked_key(&DOCTOR_A));
            assert_eq!(issue(DOCTOR_A), leaf(0));
            assert_eq!(
                last_event(),
                Event::KeyIssued {
                    doctor: DOCTOR_A,
                    leaf: leaf(0),
                    sealed_key_hash: sealed_hash(DOCTOR_A)
                }
            );
            assert_eq!(
                Kgc::key_issue(&DOCTOR_A),
                Some(KeyIssue {
                    leaf: leaf(0),
                    encryption_key: encryption_key(DOCTOR_A),
                    sealed_key_hash: sealed_hash(DOCTOR_A)
                })
            );
            assert_eq!(Kgc::doctor_status(&DOCTOR_A), Some((leaf(0), None)));
            assert!(Kgc::holds_unrevoked_key(&DOCTOR_A));
            assert!(Kgc::is_active_at(&DOCTOR_A, epoch(0)));
            assert_eq!(issue(DOCTOR_B), leaf(1));
            assert_eq!(crate::NextLeaf::<Test>::get(), leaf(2));
        });
    }

    #[test]
    fn only_the_kgc_issues_to_doctors() {
        new_test_ext().execute_with(|| {
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_A),
                encryption_key(DOCTOR_A)
            ));
            assert_noop!(
                issue_key_as(HOSPITAL, DOCTOR_A, leaf(0), encryption_key(DOCTOR_A)),
                Error::<Test>::NotKgc
            );
            assert_noop!(
                issue_key_as(KGC, HOSPITAL, leaf(0), encryption_key(DOCTOR_A)),
                Error::<Test>::NotADoctor
            );
        });
    }

    #[test]
    fn refuses_a_doctor_without_a_registered_key() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                issue_key_as(KGC, DOCTOR_A, leaf(0), encryption_key(DOCTOR_A)),
                Error::<Test>::NoEncryptionKey
            );
        });
    }

    #[test]
    fn refuses_a_key_other_than_the_registered_one() {
        new_test_ext().execute_with(|| {
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_A),
                encryption_key(DOCTOR_A)
            ));
            // Sealed to a key the doctor did not register (say, its hospital's).
            assert_noop!(
                issue_key_as(KGC, DOCTOR_A, leaf(0), encryption_key(HOSPITAL)),
                Error::<Test>::EncryptionKeyChanged
            );
            // Sealed to the key the doctor replaced meanwhile.
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_A),
                encryption_key(99)
            ));
            assert_noop!(
                issue_key_as(KGC, DOCTOR_A, leaf(0), encryption_key(DOCTOR_A)),
                Error::<Test>::EncryptionKeyChanged
            );
        });
    }

    #[test]
    fn refuses_a_stale_or_a_later_leaf() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            assert_ok!(Kgc::register_encryption_key(
                signed(DOCTOR_B),
                encryption_key(DOCTOR_B)
            ));
            // Sealed for leaf 0 while the issuance to A took it: the KGC must seal again.
            for leaf in [leaf(0), leaf(2)] {
                assert_noop!(
                    issue_key_as(KGC, DOCTOR_B, leaf, encryption_key(DOCTOR_B)),
                    Error::<Test>::WrongLeaf
                );
            }
            assert_ok!(issue_key_as(
                KGC,
                DOCTOR_B,
                leaf(1),
                encryption_key(DOCTOR_B)
            ));
        });
    }

    #[test]
    fn issues_one_key_per_account_for_life() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            assert_noop!(
                issue_key_as(KGC, DOCTOR_A, leaf(1), encryption_key(DOCTOR_A)),
                Error::<Test>::KeyAlreadyIssued
            );
            revoke_now(DOCTOR_A);
            assert_noop!(
                issue_key_as(KGC, DOCTOR_A, leaf(1), encryption_key(DOCTOR_A)),
                Error::<Test>::KeyAlreadyIssued
            );
        });
    }

    #[test]
    fn never_reuses_a_leaf() {
        new_test_ext().execute_with(|| {
            assert_eq!(issue(DOCTOR_A), leaf(0));
            revoke_now(DOCTOR_A);
            assert_eq!(issue(DOCTOR_B), leaf(1));
            assert_eq!(crate::NextLeaf::<Test>::get(), leaf(2));
        });
    }

    #[test]
    fn a_full_tree_is_a_named_error() {
        new_test_ext().execute_with(|| {
            for doctor in 10..10 + (1u64 << DEPTH) {
                issue(doctor);
            }
            assert_ok!(Kgc::register_encryption_key(
                signed(100),
                encryption_key(100)
            ));
            for leaf in [leaf(1 << DEPTH), leaf(0)] {
                assert_noop!(
                    issue_key_as(KGC, 100, leaf, encryption_key(100)),
                    Error::<Test>::TreeFull
                );
            }
        });
    }
}

mod revoke {
    use super::*;

    #[test]
    fn revokes_from_the_next_epoch_and_advances_to_it() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            let (update, before) = revocation_of(DOCTOR_A);
            let key_hash = polkadot_sdk::sp_io::hashing::sha2_256(&update);
            System::reset_events();
            assert_ok!(Kgc::revoke(signed(KGC), DOCTOR_A, update.clone(), before));
            assert_eq!(
                kgc_events(),
                vec![
                    Event::DoctorRevoked {
                        doctor: DOCTOR_A,
                        leaf: leaf(0),
                        epoch: epoch(1)
                    },
                    Event::UpdateKeyPublished {
                        epoch: epoch(1),
                        nodes: DEPTH as u32,
                        key_hash
                    },
                    Event::EpochAdvanced { epoch: epoch(1) },
                ]
            );
            assert_eq!(current(), epoch(1));
            assert_eq!(revocations(), vec![revoked(0, 1)]);
            assert_eq!(Kgc::update_key(epoch(1)), Some(update.into_inner()));
            // Older epochs' keys stay readable: older records need them.
            assert!(Kgc::update_key(epoch(0)).is_some());
            assert_eq!(
                Kgc::doctor_status(&DOCTOR_A),
                Some((leaf(0), Some(epoch(1))))
            );
            assert!(Kgc::is_active_at(&DOCTOR_A, epoch(0)));
            assert!(!Kgc::is_active_at(&DOCTOR_A, epoch(1)));
            assert!(!Kgc::holds_unrevoked_key(&DOCTOR_A));
            assert_invariant();
        });
    }

    #[test]
    fn only_the_kgc_revokes() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            let (update, before) = revocation_of(DOCTOR_A);
            assert_noop!(
                Kgc::revoke(signed(HOSPITAL), DOCTOR_A, update, before),
                Error::<Test>::NotKgc
            );
        });
    }

    #[test]
    fn refuses_a_doctor_without_a_key() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Kgc::revoke(signed(KGC), DOCTOR_B, key(update_key(epoch(1), &[])), 0),
                Error::<Test>::NoLeaf
            );
        });
    }

    #[test]
    fn refuses_to_revoke_twice() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            revoke_now(DOCTOR_A);
            let update = update_key(epoch(2), &revocations());
            assert_noop!(
                Kgc::revoke(signed(KGC), DOCTOR_A, key(update), 1),
                Error::<Test>::AlreadyRevoked
            );
        });
    }

    #[test]
    fn cannot_date_a_revocation_in_the_current_epoch() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            // Epoch 0's key is published: a revocation dated 0 would not take effect in it.
            let now = update_key(epoch(0), &[revoked(0, 0)]);
            assert_noop!(
                Kgc::revoke(signed(KGC), DOCTOR_A, key(now), 0),
                Error::<Test>::WrongEpoch
            );
            let later = update_key(epoch(2), &[revoked(0, 2)]);
            assert_noop!(
                Kgc::revoke(signed(KGC), DOCTOR_A, key(later), 0),
                Error::<Test>::WrongEpoch
            );
            assert!(Kgc::holds_unrevoked_key(&DOCTOR_A));
        });
    }

    #[test]
    fn a_bad_update_key_leaves_no_revocation() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            // Made as if nobody were revoked: the root alone would let the revoked doctor back in.
            let skips_revocation = update_key(epoch(1), &[]);
            // Made for a revocation list that revokes someone else.
            let other = update_key(epoch(1), &[revoked(5, 1)]);
            for bad in [skips_revocation, other] {
                assert_noop!(
                    Kgc::revoke(signed(KGC), DOCTOR_A, key(bad), 0),
                    Error::<Test>::NodeSetMismatch
                );
            }
            let (honest, _) = revocation_of(DOCTOR_A);
            assert_noop!(
                Kgc::revoke(
                    signed(KGC),
                    DOCTOR_A,
                    key(honest[..honest.len() - 1].to_vec()),
                    0
                ),
                Error::<Test>::UndecodableUpdateKey
            );
            assert_eq!(revocations(), vec![]);
            assert_eq!(Kgc::doctor_status(&DOCTOR_A), Some((leaf(0), None)));
            assert_eq!(current(), epoch(0));
            assert_invariant();
        });
    }

    #[test]
    fn refuses_a_low_revocation_witness() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            issue(DOCTOR_B);
            revoke_now(DOCTOR_A);
            let (update, before) = revocation_of(DOCTOR_B);
            assert_eq!(before, 1);
            assert_noop!(
                Kgc::revoke(signed(KGC), DOCTOR_B, update.clone(), 0),
                Error::<Test>::RevocationWitnessTooLow
            );
            assert_ok!(Kgc::revoke(signed(KGC), DOCTOR_B, update, before));
        });
    }

    #[test]
    fn the_revocation_list_is_bounded() {
        new_test_ext().execute_with(|| {
            for doctor in 10..15 {
                issue(doctor);
            }
            for doctor in 10..14 {
                revoke_now(doctor);
            }
            let mut list = revocations();
            list.push(Revocation {
                leaf: leaf(4),
                epoch: next_epoch(),
            });
            assert_noop!(
                Kgc::revoke(signed(KGC), 14, key(update_key(next_epoch(), &list)), 4),
                Error::<Test>::TooManyRevocations
            );
        });
    }

    #[test]
    fn refuses_when_no_epoch_is_left() {
        // The last epoch is out of the calls' reach: written, so the invariants do not hold.
        new_test_ext().unchecked().execute_with(|| {
            issue(DOCTOR_A);
            crate::CurrentEpoch::<Test>::put(Epoch::new(u64::MAX));
            assert_noop!(
                Kgc::revoke(signed(KGC), DOCTOR_A, key(update_key(epoch(0), &[])), 0),
                Error::<Test>::EpochsExhausted
            );
        });
    }
}

mod publish_update_key {
    use super::*;

    #[test]
    fn publishing_the_next_epochs_key_advances_the_epoch() {
        new_test_ext().execute_with(|| {
            let honest = update_key(epoch(1), &[]);
            System::reset_events();
            assert_ok!(Kgc::publish_update_key(signed(KGC), key(honest.clone()), 0));
            assert_eq!(
                kgc_events(),
                vec![
                    Event::UpdateKeyPublished {
                        epoch: epoch(1),
                        nodes: 1,
                        key_hash: polkadot_sdk::sp_io::hashing::sha2_256(&honest)
                    },
                    Event::EpochAdvanced { epoch: epoch(1) },
                ]
            );
            assert_eq!(current(), epoch(1));
            assert_eq!(Kgc::update_key(epoch(1)), Some(honest));
            assert_invariant();
        });
    }

    #[test]
    fn the_current_epochs_key_is_never_republished() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Kgc::publish_update_key(signed(KGC), key(update_key(epoch(0), &[])), 0),
                Error::<Test>::WrongEpoch
            );
            issue(DOCTOR_A);
            revoke_now(DOCTOR_A);
            let again = update_key(epoch(1), &revocations());
            assert_noop!(
                Kgc::publish_update_key(signed(KGC), key(again), 1),
                Error::<Test>::WrongEpoch
            );
        });
    }

    #[test]
    fn refuses_later_epochs_and_other_accounts() {
        new_test_ext().execute_with(|| {
            assert_noop!(
                Kgc::publish_update_key(signed(KGC), key(update_key(epoch(2), &[])), 0),
                Error::<Test>::WrongEpoch
            );
            assert_noop!(
                Kgc::publish_update_key(signed(HOSPITAL), key(update_key(epoch(1), &[])), 0),
                Error::<Test>::NotKgc
            );
        });
    }

    #[test]
    fn an_update_key_with_the_wrong_node_set_is_rejected() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            revoke_now(DOCTOR_A);
            // Made as if nobody were revoked: the root alone would let the revoked doctor back in.
            let skips_revocation = update_key(epoch(2), &[]);
            // Made for a revocation list that revokes someone else.
            let other = update_key(epoch(2), &[revoked(5, 1)]);
            for bad in [skips_revocation, other] {
                assert_noop!(
                    Kgc::publish_update_key(signed(KGC), key(bad), 1),
                    Error::<Test>::NodeSetMismatch
                );
            }
        });
    }

    #[test]
    fn an_update_key_with_a_low_revocation_witness_is_refused() {
        new_test_ext().execute_with(|| {
            issue(DOCTOR_A);
            revoke_now(DOCTOR_A);
            let honest = update_key(epoch(2), &revocations());
            assert_noop!(
                Kgc::publish_update_key(signed(KGC), key(honest.clone()), 0),
                Error::<Test>::RevocationWitnessTooLow
            );
            assert_ok!(Kgc::publish_update_key(signed(KGC), key(honest), 1));
        });
    }

    #[test]
    fn malformed_update_keys_are_rejected_and_nothing_is_stored() {
        new_test_ext().execute_with(|| {
            let honest = update_key(epoch(1), &[]);
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
            assert_eq!(Kgc::update_key(epoch(1)), None);
            assert_eq!(current(), epoch(0));
        });
    }

    #[test]
    fn refuses_when_no_epoch_is_left() {
        // The last epoch is out of the calls' reach: written, so the invariants do not hold.
        new_test_ext().unchecked().execute_with(|| {
            crate::CurrentEpoch::<Test>::put(Epoch::new(u64::MAX));
            assert_noop!(
                Kgc::publish_update_key(signed(KGC), key(update_key(epoch(0), &[])), 0),
                Error::<Test>::EpochsExhausted
            );
        });
    }
}

mod invariant {
    use super::*;

    /// A KGC's life: issuing, advancing, revoking, and the attempts the chain must refuse in
    /// between. After every step each published update key still matches the revocation list.
    #[test]
    fn no_revocation_is_dated_at_or_before_a_published_epoch() {
        new_test_ext().execute_with(|| {
            for doctor in 10..14 {
                issue(doctor);
                assert_invariant();
            }
            advance();
            assert_invariant();
            revoke_now(10);
            assert_invariant();
            // Republishing the current epoch with 11 revoked too: refused.
            let mut list = revocations();
            list.push(Revocation {
                leaf: leaf(1),
                epoch: current(),
            });
            assert_noop!(
                Kgc::publish_update_key(signed(KGC), key(update_key(current(), &list)), 1),
                Error::<Test>::WrongEpoch
            );
            assert_noop!(
                Kgc::revoke(signed(KGC), 11, key(update_key(current(), &list)), 1),
                Error::<Test>::WrongEpoch
            );
            assert_invariant();
            advance();
            revoke_now(11);
            revoke_now(12);
            assert_invariant();
            advance();
            assert_invariant();
            assert_eq!(current(), epoch(6));
            assert_eq!(
                revocations(),
                vec![revoked(0, 2), revoked(1, 4), revoked(2, 5),]
            );
            assert!(Kgc::holds_unrevoked_key(&13));
            assert!((10..13).all(|doctor| !Kgc::holds_unrevoked_key(&doctor)));
        });
    }
}

/// The invariants every test ends by checking catch the states the calls never leave.
mod try_state {
    use super::*;
    use crate::{LeafOf, Revocations, UpdateKeys};
    use polkadot_sdk::{frame_support::BoundedVec, sp_runtime::TryRuntimeError};

    fn broken(reason: &'static str) -> Result<(), TryRuntimeError> {
        Err(reason.into())
    }

    /// The revocation the scheme cannot honour: dated at an epoch whose update key is
    /// published without it.
    #[test]
    fn finds_a_revocation_the_published_update_key_ignores() {
        new_test_ext().execute_with(|| {
            let leaf = issue(DOCTOR_A);
            Revocations::<Test>::put(BoundedVec::truncate_from(vec![Revocation {
                leaf,
                epoch: current(),
            }]));
            assert_eq!(
                Kgc::do_try_state(),
                broken("an update key is not KUNodes of the revocation list")
            );
            Revocations::<Test>::kill();
        });
    }

    #[test]
    fn finds_an_epoch_without_its_update_key() {
        new_test_ext().execute_with(|| {
            let key = UpdateKeys::<Test>::take(epoch(0)).expect("epoch 0's key is in the genesis");
            assert_eq!(
                Kgc::do_try_state(),
                broken("an epoch up to the current one has no update key")
            );
            UpdateKeys::<Test>::insert(epoch(0), key);
        });
    }

    #[test]
    fn finds_a_leaf_held_twice() {
        new_test_ext().execute_with(|| {
            let leaf = issue(DOCTOR_A);
            LeafOf::<Test>::insert(DOCTOR_B, leaf);
            assert_eq!(Kgc::do_try_state(), broken("two doctors hold one leaf"));
            LeafOf::<Test>::remove(DOCTOR_B);
        });
    }
}
