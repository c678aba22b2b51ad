//! End-to-end properties of the scheme: correctness, revocation, collusion, tampering.

use alloc::{string::String, vec, vec::Vec};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use proptest::prelude::*;
use std::sync::OnceLock;

use super::*;
use crate::{
    aead::{open, seal},
    tree::Revocation,
    Error,
};
use codec::Encode;
use medchain_types::{Epoch, LeafIndex};

/// One KGC for the whole test binary: setup and tables are the slow part.
struct World {
    pp: PublicParams,
    msk: MasterSecretKey,
    enc: EncryptionTables,
    keys: KeyTables,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(1);
        let (pp, msk) = setup(4, &mut rng).unwrap();
        World {
            enc: EncryptionTables::new(&pp),
            keys: KeyTables::new(&pp),
            pp,
            msk,
        }
    })
}

struct Doctor {
    secret: DoctorSecretKey,
    sk: AttributeKey,
}

fn doctor(leaf: u64, attributes: &[&str], rng: &mut StdRng) -> Doctor {
    let w = world();
    let (secret, _) = doctor_setup(rng);
    let sk = keygen(
        &w.pp,
        &w.keys,
        &w.msk,
        LeafIndex::new(leaf),
        attributes,
        rng,
    )
    .unwrap();
    Doctor { secret, sk }
}

/// The doctor's transformation key for `updk`'s epoch, prepared as the hospital keeps it.
fn transformation_key(
    doctor: &Doctor,
    updk: &UpdateKey,
    rng: &mut StdRng,
) -> crate::Result<PreparedTransformationKey> {
    let tk = tk_gen(&world().keys, &doctor.sk, updk, &doctor.secret, rng)?;
    PreparedTransformationKey::new(&tk)
}

fn update_key(epoch: u64, revoked: &[Revocation], rng: &mut StdRng) -> UpdateKey {
    let w = world();
    upd_keygen(&w.pp, &w.keys, &w.msk, Epoch::new(epoch), revoked, rng).unwrap()
}

/// `leaf` revoked from `epoch` on.
fn revocation(leaf: u64, epoch: u64) -> Revocation {
    Revocation {
        leaf: LeafIndex::new(leaf),
        epoch: Epoch::new(epoch),
    }
}

/// Hospital and doctor together: pre-decrypt, decrypt, open. Returns the plaintext.
fn read_record(
    doctor: &Doctor,
    updk: &UpdateKey,
    capsule: &Capsule,
    sealed: &crate::aead::SealedPayload,
    rng: &mut StdRng,
) -> crate::Result<Vec<u8>> {
    let semi = pre_decrypt(&transformation_key(doctor, updk, rng)?, capsule)?;
    let key = decrypt(&doctor.secret, capsule, &semi)?;
    open(&key, capsule, sealed)
}

fn record(
    policy: &str,
    epoch: u64,
    plaintext: &[u8],
    rng: &mut StdRng,
) -> (Capsule, crate::aead::SealedPayload) {
    let w = world();
    let (capsule, key) = encapsulate(&w.enc, policy, Epoch::new(epoch), rng).unwrap();
    let sealed = seal(&key, &capsule, plaintext, rng).unwrap();
    (capsule, sealed)
}

#[test]
fn authorised_doctor_reads_the_record() {
    let mut rng = StdRng::seed_from_u64(2);
    let d = doctor(0, &["Dept:Cardiology", "role:physician"], &mut rng);
    let (capsule, sealed) = record(
        "(dept:cardiology or dept:oncology) and role:physician",
        1,
        b"ECG",
        &mut rng,
    );
    let updk = update_key(1, &[], &mut rng);
    assert_eq!(
        read_record(&d, &updk, &capsule, &sealed, &mut rng).unwrap(),
        b"ECG"
    );
}

#[test]
fn attribute_used_in_several_rows_decrypts() {
    let mut rng = StdRng::seed_from_u64(15);
    let d = doctor(14, &["a", "c"], &mut rng);
    let (capsule, sealed) = record(
        "(a and b) or (a and c) or 2 of (a, b, c)",
        1,
        b"x",
        &mut rng,
    );
    assert_eq!(capsule.rows.len(), 7);
    let updk = update_key(1, &[], &mut rng);
    assert_eq!(
        read_record(&d, &updk, &capsule, &sealed, &mut rng).unwrap(),
        b"x"
    );
}

#[test]
fn wrong_attributes_cannot_decrypt() {
    let mut rng = StdRng::seed_from_u64(3);
    let d = doctor(1, &["dept:radiology", "role:physician"], &mut rng);
    let (capsule, sealed) = record("dept:cardiology and role:physician", 1, b"x", &mut rng);
    let updk = update_key(1, &[], &mut rng);
    assert_eq!(
        read_record(&d, &updk, &capsule, &sealed, &mut rng),
        Err(Error::PolicyNotSatisfied)
    );
}

#[test]
fn semi_ciphertext_is_useless_without_the_doctors_zseed() {
    let mut rng = StdRng::seed_from_u64(4);
    let d = doctor(2, &["a"], &mut rng);
    let other = doctor(3, &["a"], &mut rng);
    let (capsule, sealed) = record("a", 1, b"x", &mut rng);
    let tk = transformation_key(&d, &update_key(1, &[], &mut rng), &mut rng).unwrap();
    let semi = pre_decrypt(&tk, &capsule).unwrap();
    let key = decrypt(&other.secret, &capsule, &semi).unwrap();
    assert_eq!(open(&key, &capsule, &sealed), Err(Error::Tampered));
}

#[test]
fn revoked_doctor_cannot_decrypt_from_the_revocation_epoch_on() {
    let mut rng = StdRng::seed_from_u64(5);
    let revoked = doctor(4, &["a"], &mut rng);
    let sibling = doctor(5, &["a"], &mut rng); // same subtree as leaf 4
    let rl = [revocation(4, 3)];

    let (old_capsule, old_sealed) = record("a", 2, b"old", &mut rng);
    let (new_capsule, new_sealed) = record("a", 3, b"new", &mut rng);
    let (later_capsule, later_sealed) = record("a", 7, b"later", &mut rng);
    let updk2 = update_key(2, &rl, &mut rng);
    let updk3 = update_key(3, &rl, &mut rng);
    let updk7 = update_key(7, &rl, &mut rng);

    // Before the revocation epoch: still readable.
    assert_eq!(
        read_record(&revoked, &updk2, &old_capsule, &old_sealed, &mut rng).unwrap(),
        b"old"
    );
    // From the revocation epoch on: no transformation key at all.
    assert_eq!(
        read_record(&revoked, &updk3, &new_capsule, &new_sealed, &mut rng),
        Err(Error::Revoked)
    );
    assert_eq!(
        read_record(&revoked, &updk7, &later_capsule, &later_sealed, &mut rng),
        Err(Error::Revoked)
    );
    // A key of an older epoch does not open a newer capsule.
    let old_tk = transformation_key(&revoked, &updk2, &mut rng).unwrap();
    assert_eq!(
        pre_decrypt(&old_tk, &new_capsule),
        Err(Error::EpochMismatch {
            capsule: Epoch::new(3),
            key: Epoch::new(2)
        })
    );
    // The sibling in the same subtree is unaffected.
    assert_eq!(
        read_record(&sibling, &updk3, &new_capsule, &new_sealed, &mut rng).unwrap(),
        b"new"
    );
}

#[test]
fn forged_update_node_does_not_revive_a_revoked_doctor() {
    // Splicing another node's (U0, U1) under the revoked doctor's leaf id must not work:
    // U0 carries g2^alpha_theta of its own node.
    let mut rng = StdRng::seed_from_u64(6);
    let revoked = doctor(6, &["a"], &mut rng);
    let updk = update_key(3, &[revocation(6, 1)], &mut rng);
    let leaf_node = world()
        .pp
        .tree()
        .unwrap()
        .leaf_node(LeafIndex::new(6))
        .unwrap();
    let mut forged = updk.clone();
    let mut nodes = forged.nodes.clone().into_inner();
    nodes[0] = leaf_node;
    forged.nodes = crate::encoding::BoundedList::new(nodes).unwrap();
    let (capsule, sealed) = record("a", 3, b"x", &mut rng);
    assert_eq!(
        read_record(&revoked, &forged, &capsule, &sealed, &mut rng),
        Err(Error::Tampered)
    );
}

#[test]
fn colluding_doctors_cannot_combine_key_parts() {
    let mut rng = StdRng::seed_from_u64(7);
    let alice = doctor(7, &["a"], &mut rng);
    let bob = doctor(8, &["b"], &mut rng);
    let (capsule, sealed) = record("a and b", 1, b"x", &mut rng);
    let updk = update_key(1, &[], &mut rng);
    let keys = &world().keys;
    let ta = tk_gen(keys, &alice.sk, &updk, &alice.secret, &mut rng).unwrap();
    let tb = tk_gen(keys, &bob.sk, &updk, &bob.secret, &mut rng).unwrap();
    // Alice's key with Bob's attribute components grafted on.
    let mut merged = ta.clone();
    merged.attributes = attribute_set(&["a", "b"]).unwrap();
    merged.tk2 = crate::encoding::BoundedList::new(vec![ta.tk2[0], tb.tk2[0]]).unwrap();
    merged.tk3 = crate::encoding::BoundedList::new(vec![ta.tk3[0], tb.tk3[0]]).unwrap();
    let semi = pre_decrypt(&PreparedTransformationKey::new(&merged).unwrap(), &capsule).unwrap();
    for secret in [&alice.secret, &bob.secret] {
        let key = decrypt(secret, &capsule, &semi).unwrap();
        assert_eq!(open(&key, &capsule, &sealed), Err(Error::Tampered));
    }
}

#[test]
fn tampered_payload_is_detected() {
    let mut rng = StdRng::seed_from_u64(8);
    let d = doctor(9, &["a"], &mut rng);
    let (capsule, sealed) = record("a", 1, b"blood panel", &mut rng);
    let updk = update_key(1, &[], &mut rng);
    let mut bytes = sealed.ciphertext.clone().into_inner();
    bytes[3] ^= 0x80;
    let mut tampered = sealed.clone();
    tampered.ciphertext = crate::encoding::BoundedList::new(bytes).unwrap();
    assert_eq!(
        read_record(&d, &updk, &capsule, &tampered, &mut rng),
        Err(Error::Tampered)
    );
}

#[test]
fn payload_moved_to_another_capsule_is_detected() {
    let mut rng = StdRng::seed_from_u64(9);
    let d = doctor(10, &["a"], &mut rng);
    let (capsule_a, _) = record("a", 1, b"first", &mut rng);
    let (_, sealed_b) = record("a", 1, b"second", &mut rng);
    let updk = update_key(1, &[], &mut rng);
    assert_eq!(
        read_record(&d, &updk, &capsule_a, &sealed_b, &mut rng),
        Err(Error::CapsuleMismatch)
    );
    // Even with its recorded hash rewritten, GCM refuses the foreign associated data.
    let mut moved = sealed_b.clone();
    moved.associated_data = capsule_a.hash();
    assert_eq!(
        read_record(&d, &updk, &capsule_a, &moved, &mut rng),
        Err(Error::Tampered)
    );
}

#[test]
fn capsule_with_a_rewritten_epoch_fails() {
    let mut rng = StdRng::seed_from_u64(10);
    let d = doctor(11, &["a"], &mut rng);
    let (mut capsule, sealed) = record("a", 1, b"x", &mut rng);
    capsule.epoch = Epoch::new(2);
    let updk = update_key(2, &[], &mut rng);
    // The epoch is bound into CT: relabelling yields a wrong key, and the hash check fails first.
    assert_eq!(
        read_record(&d, &updk, &capsule, &sealed, &mut rng),
        Err(Error::CapsuleMismatch)
    );
    let semi = pre_decrypt(&transformation_key(&d, &updk, &mut rng).unwrap(), &capsule).unwrap();
    let key = decrypt(&d.secret, &capsule, &semi).unwrap();
    let mut rebound = sealed.clone();
    rebound.associated_data = capsule.hash();
    assert_eq!(open(&key, &capsule, &rebound), Err(Error::Tampered));
}

#[test]
fn capsule_rows_must_match_the_policy() {
    let mut rng = StdRng::seed_from_u64(11);
    let d = doctor(12, &["a", "b"], &mut rng);
    let (mut capsule, _) = record("a and b", 1, b"x", &mut rng);
    let mut rows = capsule.rows.clone().into_inner();
    rows.pop();
    capsule.rows = crate::encoding::BoundedList::new(rows).unwrap();
    let tk = transformation_key(&d, &update_key(1, &[], &mut rng), &mut rng).unwrap();
    assert_eq!(pre_decrypt(&tk, &capsule), Err(Error::MalformedCapsule));
}

#[test]
fn capsule_shape_is_checked_without_decoding_points() {
    let mut rng = StdRng::seed_from_u64(16);
    let (capsule, _) = record("a and (b or c)", 4, b"x", &mut rng);
    let bytes = capsule.encode();
    let shape = CapsuleShape::check(&bytes).unwrap();
    assert_eq!(
        (&*shape.policy, shape.epoch.get(), shape.rows),
        ("a and (b or c)", 4, 3)
    );
    assert_eq!(
        CapsuleShape::check(&bytes[..bytes.len() - 1]),
        Err(Error::MalformedCapsule)
    );
    assert_eq!(
        CapsuleShape::check(&[bytes.clone(), vec![0]].concat()),
        Err(Error::MalformedCapsule)
    );
    let mut fewer_rows = capsule.clone();
    let mut rows = fewer_rows.rows.clone().into_inner();
    rows.pop();
    fewer_rows.rows = crate::encoding::BoundedList::new(rows).unwrap();
    assert_eq!(
        CapsuleShape::check(&fewer_rows.encode()),
        Err(Error::MalformedCapsule)
    );
    let mut bad_policy = capsule;
    bad_policy.policy = crate::encoding::BoundedString::new("a and".into()).unwrap();
    assert!(matches!(
        CapsuleShape::check(&bad_policy.encode()),
        Err(Error::PolicySyntax { .. })
    ));
    assert_eq!(CapsuleShape::check(&[]), Err(Error::MalformedCapsule));
}

#[test]
fn keys_and_capsules_survive_scale_round_trips() {
    use codec::Decode;
    let mut rng = StdRng::seed_from_u64(12);
    let d = doctor(13, &["a"], &mut rng);
    let (capsule, _) = record("a or b", 1, b"x", &mut rng);
    let updk = update_key(1, &[revocation(0, 0)], &mut rng);
    assert_eq!(
        Capsule::decode(&mut &capsule.encode()[..]).unwrap(),
        capsule
    );
    assert_eq!(
        AttributeKey::decode(&mut &d.sk.encode()[..])
            .unwrap()
            .encode(),
        d.sk.encode()
    );
    let tk = tk_gen(&world().keys, &d.sk, &updk, &d.secret, &mut rng).unwrap();
    assert_eq!(
        TransformationKey::decode(&mut &tk.encode()[..]).unwrap(),
        tk
    );
    assert_eq!(UpdateKey::decode(&mut &updk.encode()[..]).unwrap(), updk);
    assert_eq!(
        PublicParams::decode(&mut &world().pp.encode()[..]).unwrap(),
        world().pp
    );
    // The runtime reads just the node set from the front of the same bytes.
    let header = UpdateKeyNodes::decode(&mut &updk.encode()[..]).unwrap();
    assert_eq!(
        (header.epoch, &*header.nodes),
        (Epoch::new(1), &*updk.nodes)
    );
}

#[test]
fn secrets_are_not_printed() {
    let mut rng = StdRng::seed_from_u64(13);
    let d = doctor(15, &["a"], &mut rng);
    assert_eq!(format!("{:?}", d.secret), "DoctorSecretKey(<redacted>)");
    assert_eq!(format!("{:?}", world().msk), "MasterSecretKey(<redacted>)");
    let printed = format!("{:?}", d.sk);
    assert!(
        printed.starts_with("AttributeKey { leaf: LeafIndex(15)"),
        "{printed}"
    );
    assert!(!printed.contains("k0"), "{printed}");
}

#[test]
fn sealed_attribute_key_opens_only_for_its_doctor() {
    let mut rng = StdRng::seed_from_u64(17);
    let w = world();
    let d = doctor(3, &["a", "b"], &mut rng);
    let hospital = doctor(4, &["a"], &mut rng);
    let sealed =
        SealedAttributeKey::seal(&d.sk, &[1; 32], &d.secret.public_key(), &mut rng).unwrap();
    let opened = sealed.open(&w.pp, &[1; 32], &d.secret).unwrap();
    assert_eq!(opened.encode(), d.sk.encode());
    // The carrier cannot open it, nor can it be presented as another account's key.
    assert_eq!(
        sealed.open(&w.pp, &[1; 32], &hospital.secret).err(),
        Some(Error::Tampered)
    );
    assert_eq!(
        sealed.open(&w.pp, &[2; 32], &d.secret).err(),
        Some(Error::Tampered)
    );
    // Relabelling the clear leaf or attributes breaks the associated data.
    let mut relabelled = sealed.clone();
    relabelled.leaf = LeafIndex::new(4);
    assert_eq!(
        relabelled.open(&w.pp, &[1; 32], &d.secret).err(),
        Some(Error::Tampered)
    );
    let mut widened = sealed;
    widened.attributes = attribute_set(&["a", "b", "c"]).unwrap();
    assert_eq!(
        widened.open(&w.pp, &[1; 32], &d.secret).err(),
        Some(Error::Tampered)
    );
}

#[test]
fn attribute_keys_for_leaves_outside_the_tree_are_refused() {
    let mut rng = StdRng::seed_from_u64(14);
    let w = world();
    assert_eq!(
        keygen(&w.pp, &w.keys, &w.msk, LeafIndex::new(16), &["a"], &mut rng).err(),
        Some(Error::LeafOutOfRange)
    );
    let too_many: Vec<String> = (0..=MAX_ATTRIBUTES).map(|i| format!("attr{i}")).collect();
    assert_eq!(
        keygen(
            &w.pp,
            &w.keys,
            &w.msk,
            LeafIndex::new(0),
            &too_many,
            &mut rng
        )
        .err(),
        Some(Error::TooManyAttributes)
    );
}

/// Random policy over five attributes and the plain boolean answer for a set.
fn policy_text() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec!["a", "b", "c", "d", "e"]).prop_map(String::from);
    leaf.prop_recursive(3, 12, 3, |inner| {
        (prop::collection::vec(inner, 2..4), 0usize..3).prop_map(|(children, kind)| match kind {
            0 => format!("({})", children.join(" and ")),
            1 => format!("({})", children.join(" or ")),
            _ => format!("2 of ({})", children.join(", ")),
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn decryption_succeeds_iff_the_set_satisfies_the_policy(
        text in policy_text(),
        set in prop::sample::subsequence(vec!["a", "b", "c", "d", "e"], 1..=5),
        seed in any::<u64>(),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let policy = crate::policy::Policy::parse(&text).unwrap();
        let normalised: Vec<String> = set.iter().map(|s| String::from(*s)).collect();
        let satisfied = policy.is_satisfied_by(&normalised);
        let d = doctor(seed % 16, &set, &mut rng);
        let (capsule, sealed) = record(&text, 5, b"payload", &mut rng);
        let result = read_record(&d, &update_key(5, &[], &mut rng), &capsule, &sealed, &mut rng);
        if satisfied {
            prop_assert_eq!(result.unwrap(), b"payload".to_vec());
        } else {
            prop_assert_eq!(result, Err(Error::PolicyNotSatisfied));
        }
    }
}

#[test]
fn setup_from_a_seed_is_reproducible_and_seeds_are_independent() {
    let run = |seed| {
        let (pp, msk) = setup(3, &mut crate::seeded_rng(seed)).unwrap();
        (pp, msk.encode())
    };
    assert_eq!(run([1; 32]), run([1; 32]));
    let (pp_a, msk_a) = run([1; 32]);
    let (pp_b, msk_b) = run([2; 32]);
    assert_ne!(pp_a, pp_b);
    assert_ne!(msk_a, msk_b);
}
