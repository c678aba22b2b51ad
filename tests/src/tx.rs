//! Signing and submitting MedChain transactions, as a wallet would.

use crate::rpc::{Rpc, RpcError};
use codec::Encode;
use medchain_runtime::{transaction, AccountId, RuntimeCall};
use polkadot_sdk::sp_core::{crypto::Ss58Codec, sr25519, Pair};
use serde_json::json;

/// Signs `call` with `signer` at `signer`'s next nonce (as `node` sees it) and returns the
/// extrinsic, hex-encoded for `author_submitExtrinsic`.
pub fn sign(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) -> String {
    let account = polkadot_sdk::sp_runtime::AccountId32::from(signer.public());
    let nonce = node
        .expect("system_accountNextIndex", json!([account.to_ss58check()]))
        .as_u64()
        .expect("a nonce is a number") as u32;
    let extrinsic = transaction::sign(signer, call, nonce, node.genesis_hash());
    format!("0x{}", hex::encode(extrinsic.encode()))
}

/// Signs `call` and submits it through `node`: `Ok` once the pool accepted it.
pub fn submit(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) -> Result<(), RpcError> {
    node.call("author_submitExtrinsic", json!([sign(node, signer, call)]))
        .map(|_| ())
}

/// Submits `call` signed by `signer` through `node`, failing the test if the pool refuses it.
pub fn submit_accepted(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) {
    submit(node, signer, call).unwrap_or_else(|e| panic!("the pool refused it: {e:?}"));
}

/// The account of `pair`.
pub fn account(pair: &sr25519::Pair) -> AccountId {
    AccountId::from(pair.public())
}
