//! Signing and submitting MedChain transactions, as a wallet would.

use crate::rpc::{answer, block_on, Rpc};
use codec::Encode;
use medchain_client::RpcError;
use medchain_crypto::CryptoRngCore;
use medchain_runtime::{hospital_keys, pallet_hospitals, transaction, AccountId, RuntimeCall};
use medchain_types::KeyEpoch;
use polkadot_sdk::sp_core::{sr25519, Pair};

/// Signs `call` with `signer` at `signer`'s next nonce (as `node` sees it): the extrinsic's
/// encoding.
pub fn sign(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) -> Vec<u8> {
    let nonce = answer(node.next_nonce(&account(signer)));
    transaction::sign(signer, call, nonce, node.genesis_hash()).encode()
}

/// Signs `call` and submits it through `node`: `Ok` once the pool accepted it.
pub fn submit(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) -> Result<(), RpcError> {
    block_on(node.client().submit_extrinsic(sign(node, signer, call))).map(|_| ())
}

/// Submits `call` signed by `signer` through `node`, failing the test if the pool refuses it.
pub fn submit_accepted(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) {
    submit(node, signer, call).unwrap_or_else(|e| panic!("the pool refused it: {e}"));
}

/// The account of `pair`.
pub fn account(pair: &sr25519::Pair) -> AccountId {
    AccountId::from(pair.public())
}

/// Hospital `hospital` registers `doctor`, through `node`.
pub fn add_doctor(node: &Rpc, hospital: &sr25519::Pair, doctor: &sr25519::Pair) {
    submit_accepted(
        node,
        hospital,
        RuntimeCall::Hospitals(pallet_hospitals::Call::add_doctor {
            doctor: account(doctor),
        }),
    );
}

/// Hospital `from` authorises hospital `to` until block 1,000,000, through `node`, handing it
/// `from`'s search key of epoch 0 sealed to `to`'s registered encryption key (what
/// `medchain hospital authorize` does).
pub fn authorize(
    node: &Rpc,
    from: &sr25519::Pair,
    to: &sr25519::Pair,
    rng: &mut impl CryptoRngCore,
) {
    let encrypted_search_key = hospital_keys::seal_search_key(
        &hospital_keys::registered_encryption_key(to),
        KeyEpoch::new(0),
        &hospital_keys::search_key(from, KeyEpoch::new(0)),
        rng,
    )
    .expect("a registered encryption key is valid");
    submit_accepted(
        node,
        from,
        RuntimeCall::Hospitals(pallet_hospitals::Call::authorize {
            to: account(to),
            expires_at: 1_000_000,
            encrypted_search_key,
        }),
    );
}
