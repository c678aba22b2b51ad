//! A doctor's key lifecycle as the chain runs it, for tests that need a doctor who can open
//! records: the doctor registers `pk_D`, the KGC issues `SK` on the next leaf sealed to it and
//! delivers it to the doctor's hospital, the doctor fetches and opens it, and registers a
//! transformation key for an epoch with their hospital.

use crate::{
    rpc::{answer, Rpc},
    services,
    tx::{self, account, submit_accepted},
    wait_for,
};
use codec::{Decode, Encode};
use medchain_crypto::{
    abe::{
        self, AttributeKey, DoctorSecretKey, KeyTables, MasterSecretKey, PublicParams,
        SealedAttributeKey, UpdateKey,
    },
    hash::sha256,
    CryptoRngCore,
};
use medchain_rpc_api::{AttributeKeyDelivery, AttributeKeyRequest, TransformationKeyUpload};
use medchain_runtime::{pallet_kgc, Runtime, RuntimeCall};
use medchain_types::Epoch;
use polkadot_sdk::sp_core::sr25519;
use std::time::Duration;

/// What a doctor holds once the KGC issued their key.
pub struct DoctorKeys {
    /// `x_D` and `zseed`.
    pub secret: DoctorSecretKey,
    /// `SK`, as the doctor opened it.
    pub sk: AttributeKey,
}

/// The KGC's `pp` and `msk`, with the tables its key generation needs.
pub struct Kgc<'a> {
    /// The KGC's account.
    pub account: &'a sr25519::Pair,
    /// `pp`.
    pub pp: &'a PublicParams,
    /// `msk`.
    pub msk: &'a MasterSecretKey,
}

/// `doctor` (already added by their hospital, whose node is `hospital_node`) registers a fresh
/// `pk_D`; the KGC issues `attributes` on the next leaf and delivers the sealed key to the
/// hospital's node; the doctor fetches it there, checks it against the chain and opens it.
pub fn issue(
    hospital_node: &Rpc,
    kgc: &Kgc,
    doctor: &sr25519::Pair,
    attributes: &[&str],
    timeout: Duration,
    rng: &mut impl CryptoRngCore,
) -> DoctorKeys {
    let (secret, public) = abe::doctor_setup(rng);
    submit_accepted(
        hospital_node,
        doctor,
        RuntimeCall::Kgc(pallet_kgc::Call::register_encryption_key {
            key: public.compress(),
        }),
    );
    let registered = wait_for("the doctor's encryption key", timeout, || {
        answer(
            hospital_node
                .at(Some(hospital_node.best_head()))
                .encryption_key(&account(doctor)),
        )
    });
    assert_eq!(registered, public.compress());
    let leaf =
        answer(hospital_node.value::<pallet_kgc::NextLeaf<Runtime>, _>(None)).unwrap_or_default();
    let sk = abe::keygen(
        kgc.pp,
        &KeyTables::new(kgc.pp),
        kgc.msk,
        leaf,
        attributes,
        rng,
    )
    .expect("the KGC issues the key");
    let doctor_id: [u8; 32] = account(doctor).into();
    let sealed = SealedAttributeKey::seal(&sk, &doctor_id, &public, rng)
        .expect("a registered key seals")
        .encode();
    tx::submit_accepted(
        hospital_node,
        kgc.account,
        RuntimeCall::Kgc(pallet_kgc::Call::issue_key {
            doctor: account(doctor),
            leaf,
            encryption_key: registered,
            sealed_key_hash: sha256(&sealed),
        }),
    );
    wait_for("the key issuance", timeout, || {
        answer(
            hospital_node
                .at(Some(hospital_node.best_head()))
                .key_issue(&account(doctor)),
        )
    });
    services::call(
        hospital_node,
        kgc.account,
        AttributeKeyDelivery {
            doctor: account(doctor),
            sealed,
        },
    )
    .expect("the hospital's node keeps the sealed key");
    let fetched = services::call(hospital_node, doctor, AttributeKeyRequest)
        .expect("the doctor fetches their sealed key");
    let sk = SealedAttributeKey::decode(&mut &fetched[..])
        .expect("a sealed key")
        .open(kgc.pp, &doctor_id, &secret)
        .expect("only the doctor opens it");
    DoctorKeys { secret, sk }
}

/// The doctor derives the transformation key of `epoch` from the chain's update key and
/// registers it with their hospital's node. `Err` with the crypto error's text when the update
/// key covers none of the doctor's nodes (revoked).
pub fn register_transformation_key(
    hospital_node: &Rpc,
    doctor: &sr25519::Pair,
    keys: &DoctorKeys,
    pp: &PublicParams,
    epoch: Epoch,
    rng: &mut impl CryptoRngCore,
) -> Result<(), String> {
    let update_key: Option<Vec<u8>> = answer(
        hospital_node
            .at(Some(hospital_node.finalized_head()))
            .update_key(epoch),
    );
    let update_key = UpdateKey::decode(&mut &update_key.expect("a published update key")[..])
        .expect("the chain's update key decodes");
    let tk = abe::tk_gen(
        &KeyTables::new(pp),
        &keys.sk,
        &update_key,
        &keys.secret,
        rng,
    )
    .map_err(|e| e.to_string())?;
    services::call(
        hospital_node,
        doctor,
        TransformationKeyUpload { key: tk.encode() },
    )
    .map(|_| ())
}
