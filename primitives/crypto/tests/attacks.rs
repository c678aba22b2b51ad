//! The scheme from the attacker's side (`CRYPTO.md` section 1, the trust model of the README):
//! a hospital that holds its doctors' transformation keys and colludes with a revoked doctor,
//! two doctors who pool their attribute keys, a party that forges update keys or replays
//! stale ones, and whoever hands out degenerate parameters or identity keys. Each test plays
//! the attack through the crate's public API and arkworks, and checks that it yields nothing.
//!
//! The first three are the attacks that broke the earlier `pk^alpha` construction ("C1"): the
//! quotient of two doctors' keys at a shared tree node was an epoch-free key.

use ark_bls12_381::{Bls12_381, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{
    pairing::{Pairing, PairingOutput},
    AffineRepr, CurveGroup, PrimeGroup,
};
use ark_ff::{Field, One};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use codec::{Decode, Encode};
use medchain_crypto::{
    abe::{
        decrypt, doctor_setup, encapsulate, keygen, pre_decrypt, setup, tk_gen, upd_keygen,
        AttributeKey, Capsule, DoctorSecretKey, EncryptionTables, KeyTables, MasterSecretKey,
        NodeKey, PreparedTransformationKey, PublicParams, SemiCt, TransformationKey, UpdateKey,
    },
    aead::{self, PayloadKey, SealedPayload},
    elgamal,
    encoding::{BoundedList, Canonical, G1Point},
    hash::{derive_key, epoch_scalar},
    hazmat,
    tree::Revocation,
    Error,
};
use medchain_types::{Epoch, LeafIndex};

/// Depth 3: 8 leaves. Leaves 0 and 1 share every node but their own; 0 and 5 share the root.
struct Kgc {
    pp: PublicParams,
    msk: MasterSecretKey,
    keys: KeyTables,
    enc: EncryptionTables,
}

impl Kgc {
    fn new(rng: &mut StdRng) -> Self {
        let (pp, msk) = setup(3, rng).unwrap();
        Self {
            keys: KeyTables::new(&pp),
            enc: EncryptionTables::new(&pp),
            pp,
            msk,
        }
    }

    fn doctor(&self, leaf: u64, attributes: &[&str], rng: &mut StdRng) -> Doctor {
        let (secret, _) = doctor_setup(rng);
        let sk = keygen(
            &self.pp,
            &self.keys,
            &self.msk,
            LeafIndex::new(leaf),
            attributes,
            rng,
        )
        .unwrap();
        Doctor { secret, sk }
    }

    fn update_key(&self, epoch: u64, revoked: &[Revocation], rng: &mut StdRng) -> UpdateKey {
        upd_keygen(
            &self.pp,
            &self.keys,
            &self.msk,
            Epoch::new(epoch),
            revoked,
            rng,
        )
        .unwrap()
    }

    fn record(&self, policy: &str, epoch: u64, rng: &mut StdRng) -> (Capsule, SealedPayload) {
        let (capsule, key) = encapsulate(&self.enc, policy, Epoch::new(epoch), rng).unwrap();
        let sealed = aead::seal(&key, &capsule, b"discharge letter", rng).unwrap();
        (capsule, sealed)
    }
}

/// `leaf` revoked from `epoch` on.
fn revocation(leaf: u64, epoch: u64) -> Revocation {
    Revocation {
        leaf: LeafIndex::new(leaf),
        epoch: Epoch::new(epoch),
    }
}

struct Doctor {
    secret: DoctorSecretKey,
    sk: AttributeKey,
}

impl Doctor {
    fn tk(
        &self,
        kgc: &Kgc,
        updk: &UpdateKey,
        rng: &mut StdRng,
    ) -> Result<TransformationKey, Error> {
        tk_gen(&kgc.keys, &self.sk, updk, &self.secret, rng)
    }

    fn root(&self) -> &NodeKey {
        &self.sk.nodes[0]
    }
}

fn semi(tk: &TransformationKey, capsule: &Capsule) -> Result<SemiCt, Error> {
    pre_decrypt(&PreparedTransformationKey::new(tk)?, capsule)
}

/// The payload key an attacker derives from a GT value they believe to be `Y^s`.
fn kem_key(value: &PairingOutput<Bls12_381>) -> PayloadKey {
    hazmat::payload_key(derive_key(value, &[], b"medchain/kem"))
}

fn opens(key: &PayloadKey, capsule: &Capsule, sealed: &SealedPayload) -> bool {
    aead::open(key, capsule, sealed).is_ok()
}

fn g2(p: &Canonical<G2Affine>) -> G2Projective {
    p.0.into()
}

/// `a / b` componentwise for two node keys of the same node and attribute order.
fn quotient(a: &NodeKey, b: &NodeKey) -> [G2Projective; 4] {
    [
        g2(&a.k0) - g2(&b.k0),
        g2(&a.k1) - g2(&b.k1),
        g2(&a.k2[0]) - g2(&b.k2[0]),
        g2(&a.k3[0]) - g2(&b.k3[0]),
    ]
}

/// The old attack's evaluation of a one-attribute key `(K0, K1, K2, K3)` on a one-row capsule,
/// without any update part: `e(C0, K0) / (e(C1, K1) e(C2, K2) e(C3, K3))`.
fn evaluate(key: &[G2Projective; 4], capsule: &Capsule) -> PairingOutput<Bls12_381> {
    let row = &capsule.rows[0];
    let g1: [G1Affine; 4] = [
        capsule.c0.0,
        (-G1Projective::from(row.c1.0)).into_affine(),
        (-G1Projective::from(row.c2.0)).into_affine(),
        (-G1Projective::from(row.c3.0)).into_affine(),
    ];
    let g2: Vec<G2Affine> = G2Projective::normalize_batch(key);
    Bls12_381::multi_pairing(g1, g2)
}

#[test]
fn the_quotient_of_two_doctors_keys_at_a_shared_node_is_a_key_for_nothing() {
    // C1, step one: two doctors (or a hospital that registered both identities) divide their
    // keys at the root, which every path holds. Under `pk^alpha` this was a key for
    // `alpha (beta_A - beta_B)` that needed no update key.
    let mut rng = StdRng::seed_from_u64(1);
    let kgc = Kgc::new(&mut rng);
    let a = kgc.doctor(0, &["dept:cardiology"], &mut rng);
    let b = kgc.doctor(5, &["dept:cardiology"], &mut rng);
    assert_eq!(a.root().node, b.root().node);
    let q = quotient(a.root(), b.root());
    let (capsule, sealed) = kgc.record("dept:cardiology", 4, &mut rng);

    // With one shared alpha the quotient is an RW13 key for master secret 0: it evaluates to
    // the identity on every capsule, whatever the exponent the attackers then try.
    let value = evaluate(&q, &capsule);
    assert!(value.0.is_one(), "the quotient must carry no master secret");
    assert!(!opens(&kem_key(&value), &capsule, &sealed));
}

#[test]
fn a_revoked_doctor_and_their_hospital_gain_nothing_from_a_colleagues_transformation_key() {
    // C1, attack 1: the revoked doctor (who knows their own SK and zseed) and their hospital
    // (which holds every colleague's TK of the epoch) try to read a capsule of an epoch from
    // which the doctor is revoked.
    let mut rng = StdRng::seed_from_u64(2);
    let kgc = Kgc::new(&mut rng);
    let revoked = kgc.doctor(0, &["a"], &mut rng);
    let colleague = kgc.doctor(1, &["a"], &mut rng); // sibling leaf: shares all but one node
    let rl = [revocation(0, 2)];
    let updk = kgc.update_key(2, &rl, &mut rng);
    let (capsule, sealed) = kgc.record("a", 2, &mut rng);

    // The revoked doctor cannot make a TK of their own: no node of their path is covered.
    assert_eq!(
        revoked.tk(&kgc, &updk, &mut rng).err(),
        Some(Error::Revoked)
    );

    // The colleague's legitimate TK pre-decrypts, but only the colleague's z finishes it.
    let tk_colleague = colleague.tk(&kgc, &updk, &mut rng).unwrap();
    let semi_colleague = semi(&tk_colleague, &capsule).unwrap();
    let finished = decrypt(&revoked.secret, &capsule, &semi_colleague).unwrap();
    assert!(!opens(&finished, &capsule, &sealed));

    // Graft the revoked doctor's own node key (their root, shared with the colleague) onto the
    // colleague's TK: the hospital's linear combinations, finished with either z.
    let root = revoked.root();
    let mut grafted = tk_colleague.clone();
    grafted.tk0 = (g2(&tk_colleague.tk0) + g2(&root.k0)).into_affine().into();
    grafted.tk1 = (g2(&tk_colleague.tk1) + g2(&root.k1)).into_affine().into();
    let semi_grafted = semi(&grafted, &capsule).unwrap();
    for secret in [&revoked.secret, &colleague.secret] {
        let key = decrypt(secret, &capsule, &semi_grafted).unwrap();
        assert!(!opens(&key, &capsule, &sealed));
    }

    // Relabel the colleague's covering node as one on the revoked path: its U0 carries the
    // share of its own node, which does not cancel the revoked doctor's.
    let cover = updk.nodes[0];
    let revoked_path_node = revoked
        .sk
        .nodes
        .iter()
        .map(|k| k.node)
        .find(|n| *n != cover)
        .unwrap();
    let mut forged = updk.clone();
    forged.nodes = BoundedList::new(vec![revoked_path_node]).unwrap();
    forged.keys = BoundedList::new(vec![updk.keys[0]]).unwrap();
    let tk_forged = revoked.tk(&kgc, &forged, &mut rng).unwrap();
    let key = decrypt(
        &revoked.secret,
        &capsule,
        &semi(&tk_forged, &capsule).unwrap(),
    )
    .unwrap();
    assert!(!opens(&key, &capsule, &sealed));
}

#[test]
fn two_doctors_and_their_hospital_cannot_build_a_key_that_survives_revocation() {
    // C1, attack 2: with every leaf revoked, two doctors who pool their SKs (and the hospital
    // that holds their TKs) look for a key that opens capsules of the new epoch anyway.
    let mut rng = StdRng::seed_from_u64(3);
    let kgc = Kgc::new(&mut rng);
    let a = kgc.doctor(2, &["a"], &mut rng);
    let b = kgc.doctor(6, &["a"], &mut rng);
    let everyone: Vec<Revocation> = (0..8).map(|leaf| revocation(leaf, 3)).collect();
    let before = kgc.update_key(2, &everyone, &mut rng);
    let after = kgc.update_key(3, &everyone, &mut rng);
    assert!(after.nodes.is_empty());
    let (capsule, sealed) = kgc.record("a", 3, &mut rng);

    for doctor in [&a, &b] {
        assert_eq!(
            doctor.tk(&kgc, &after, &mut rng).err(),
            Some(Error::Revoked)
        );
    }
    // The pooled quotient at every shared node is a key for nothing.
    for (na, nb) in a.sk.nodes.iter().zip(b.sk.nodes.iter()) {
        if na.node == nb.node {
            assert!(evaluate(&quotient(na, nb), &capsule).0.is_one());
        }
    }
    // Last epoch's update key, relabelled to this epoch: the epoch binding `F(T)^s` fails.
    let mut stale = before.clone();
    stale.epoch = Epoch::new(3);
    for doctor in [&a, &b] {
        let tk = doctor.tk(&kgc, &stale, &mut rng).unwrap();
        let key = decrypt(&doctor.secret, &capsule, &semi(&tk, &capsule).unwrap()).unwrap();
        assert!(!opens(&key, &capsule, &sealed));
    }
}

#[test]
fn a_revocation_dated_in_the_current_epoch_is_defeated_by_its_earlier_update_key() {
    // Why the chain dates revocations `current + 1` and publishes that epoch's key in the same
    // step: an update key published before the revocation keeps opening capsules of its epoch.
    let mut rng = StdRng::seed_from_u64(4);
    let kgc = Kgc::new(&mut rng);
    let doctor = kgc.doctor(3, &["a"], &mut rng);
    let published_before = kgc.update_key(5, &[], &mut rng);
    let (capsule_5, sealed_5) = kgc.record("a", 5, &mut rng);
    let tk = doctor.tk(&kgc, &published_before, &mut rng).unwrap();
    let key = decrypt(&doctor.secret, &capsule_5, &semi(&tk, &capsule_5).unwrap()).unwrap();
    assert!(
        opens(&key, &capsule_5, &sealed_5),
        "a revocation at epoch 5 cannot withdraw the epoch-5 key already published"
    );

    // Dated 6, with epoch 6's key published in the same step: refused from epoch 6 on, and the
    // epoch-5 key does not open an epoch-6 capsule.
    let rl = [revocation(3, 6)];
    let next = kgc.update_key(6, &rl, &mut rng);
    let (capsule_6, sealed_6) = kgc.record("a", 6, &mut rng);
    assert_eq!(doctor.tk(&kgc, &next, &mut rng).err(), Some(Error::Revoked));
    assert_eq!(
        semi(&tk, &capsule_6).err(),
        Some(Error::EpochMismatch {
            capsule: Epoch::new(6),
            key: Epoch::new(5)
        })
    );
    let mut relabelled = tk;
    relabelled.epoch = Epoch::new(6);
    let key = decrypt(
        &doctor.secret,
        &capsule_6,
        &semi(&relabelled, &capsule_6).unwrap(),
    )
    .unwrap();
    assert!(!opens(&key, &capsule_6, &sealed_6));
}

#[test]
fn a_transformation_key_of_another_epoch_opens_nothing() {
    let mut rng = StdRng::seed_from_u64(5);
    let kgc = Kgc::new(&mut rng);
    let doctor = kgc.doctor(4, &["a"], &mut rng);
    let tk_1 = doctor
        .tk(&kgc, &kgc.update_key(1, &[], &mut rng), &mut rng)
        .unwrap();
    let (capsule, sealed) = kgc.record("a", 2, &mut rng);
    assert_eq!(
        semi(&tk_1, &capsule).err(),
        Some(Error::EpochMismatch {
            capsule: Epoch::new(2),
            key: Epoch::new(1)
        })
    );
    // The hospital relabels it: the doctor's z of epoch 2 does not match the TK's z of epoch 1,
    // and neither does the epoch binding.
    let mut relabelled = tk_1;
    relabelled.epoch = Epoch::new(2);
    let key = decrypt(
        &doctor.secret,
        &capsule,
        &semi(&relabelled, &capsule).unwrap(),
    )
    .unwrap();
    assert!(!opens(&key, &capsule, &sealed));
}

#[test]
fn update_keys_of_two_epochs_do_not_forge_a_third() {
    // With `s` reused across epochs, `U0(T1) / U0(T2) = u02^(s (H(T1) - H(T2)))` would give
    // `u02^s` and then `g2^alpha_theta h02^s`, i.e. the node's update key for any epoch. The
    // attacker runs exactly that on two real update keys.
    let mut rng = StdRng::seed_from_u64(6);
    let kgc = Kgc::new(&mut rng);
    let doctor = kgc.doctor(0, &["a"], &mut rng);
    let rl = [revocation(7, 1)];
    let (k1, k2) = (
        kgc.update_key(1, &rl, &mut rng),
        kgc.update_key(2, &rl, &mut rng),
    );
    assert_eq!(k1.nodes, k2.nodes);
    for ((a, b), (c, d)) in k1.keys.iter().zip(k2.keys.iter()).map(|(x, y)| (*x, *y)) {
        assert_ne!(b, d, "U1 = g2^s must differ between epochs");
        assert_ne!(a, c);
    }
    let again = kgc.update_key(1, &rl, &mut rng);
    assert_ne!(
        again.keys[0].1, k1.keys[0].1,
        "and between two keys of one epoch"
    );

    let (h1, h2, h3) = (
        epoch_scalar(Epoch::new(1)),
        epoch_scalar(Epoch::new(2)),
        epoch_scalar(Epoch::new(3)),
    );
    let forged_pairs: Vec<_> = k1
        .keys
        .iter()
        .zip(k2.keys.iter())
        .map(|((u0_1, u1_1), (u0_2, _))| {
            let u0s = (g2(u0_1) - g2(u0_2)) * (h1 - h2).inverse().unwrap();
            let base = g2(u0_1) - u0s * h1;
            let u0_3 = (base + u0s * h3).into_affine();
            (Canonical(u0_3), *u1_1)
        })
        .collect();
    let mut forged = k1.clone();
    forged.epoch = Epoch::new(3);
    forged.keys = BoundedList::new(forged_pairs).unwrap();
    let (capsule, sealed) = kgc.record("a", 3, &mut rng);
    let tk = doctor.tk(&kgc, &forged, &mut rng).unwrap();
    let key = decrypt(&doctor.secret, &capsule, &semi(&tk, &capsule).unwrap()).unwrap();
    assert!(!opens(&key, &capsule, &sealed));
}

/// `pp` with one field replaced, re-encoded as a hospital would hand it to a patient.
fn tampered(pp: &PublicParams, change: impl FnOnce(&mut PublicParams)) -> Vec<u8> {
    let mut bad = pp.clone();
    change(&mut bad);
    bad.encode()
}

#[test]
fn degenerate_public_parameters_are_refused_on_decode() {
    // A hospital that hands its patients a `pp` whose alpha it knows reads their records. The
    // degenerate forms are refused outright (a well-formed `pp` of another Setup is what the
    // chain spec pins against).
    let mut rng = StdRng::seed_from_u64(7);
    let kgc = Kgc::new(&mut rng);
    let pp = &kgc.pp;
    assert_eq!(PublicParams::decode(&mut &pp.encode()[..]).unwrap(), *pp);
    let two_g1 = (G1Projective::generator() * ark_bls12_381::Fr::from(2u64)).into_affine();
    let two_g2 = (G2Projective::generator() * ark_bls12_381::Fr::from(2u64)).into_affine();
    let attempts = [
        tampered(pp, |p| p.g1 = Canonical(G1Affine::zero())),
        tampered(pp, |p| p.g1 = Canonical(two_g1)),
        tampered(pp, |p| p.g2 = Canonical(G2Affine::zero())),
        tampered(pp, |p| p.g2 = Canonical(two_g2)),
        tampered(pp, |p| p.w1 = Canonical(G1Affine::zero())),
        tampered(pp, |p| p.h02 = Canonical(G2Affine::zero())),
        tampered(pp, |p| {
            p.y = Canonical(PairingOutput::<Bls12_381>::default())
        }),
        tampered(pp, |p| p.depth = 0),
    ];
    for encoded in attempts {
        assert!(PublicParams::decode(&mut &encoded[..]).is_err());
    }
    let mut unchecked = pp.clone();
    unchecked.y = Canonical(PairingOutput::<Bls12_381>::default());
    assert_eq!(unchecked.check(), Err(Error::DegenerateParams));
}

#[test]
fn the_identity_is_refused_wherever_a_point_is_a_key() {
    // Sealing to the identity is public: `S = 1` whatever `k`. Neither a doctor's `pk_D`, nor a
    // hospital's or patient's key, can be the identity.
    let identity = G1Point::from(G1Affine::zero());
    assert_eq!(
        elgamal::PublicKey::from_point(identity).err(),
        Some(Error::IdentityKey)
    );
    assert!(elgamal::PublicKey::decode(&mut &identity.encode()[..]).is_err());
    let mut rng = StdRng::seed_from_u64(8);
    let (_, pk) = doctor_setup(&mut rng);
    assert_eq!(
        elgamal::PublicKey::decode(&mut &pk.encode()[..]).unwrap(),
        pk
    );
}

#[test]
fn an_attribute_key_sealed_to_a_doctor_is_useless_to_the_hospital_that_carries_it() {
    let mut rng = StdRng::seed_from_u64(9);
    let kgc = Kgc::new(&mut rng);
    let doctor = kgc.doctor(2, &["a"], &mut rng);
    let account = [7u8; 32];
    let sealed = medchain_crypto::abe::SealedAttributeKey::seal(
        &doctor.sk,
        &account,
        &doctor.secret.public_key(),
        &mut rng,
    )
    .unwrap();
    // The hospital knows its own ElGamal secret, not the doctor's.
    let (hospital, _) = doctor_setup(&mut rng);
    assert_eq!(
        sealed.open(&kgc.pp, &account, &hospital).err(),
        Some(Error::Tampered)
    );
    assert_eq!(
        sealed
            .open(&kgc.pp, &account, &doctor.secret)
            .unwrap()
            .encode(),
        doctor.sk.encode()
    );
}
