//! Signing and submitting MedChain transactions, as a wallet would.

use crate::rpc::{Rpc, RpcError};
use codec::Encode;
use medchain_runtime::{
    pallet_hospitals::CheckMemberNonce, Runtime, RuntimeCall, SignedPayload, TxExtension,
    UncheckedExtrinsic, VERSION,
};
use polkadot_sdk::{
    frame_system,
    sp_core::{crypto::Ss58Codec, sr25519, Pair},
    sp_runtime::generic::Era,
};
use serde_json::json;

/// Signs `call` with `signer` at `signer`'s next nonce (as `node` sees it) and returns the
/// extrinsic, hex-encoded for `author_submitExtrinsic`.
pub fn sign(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) -> String {
    let account = polkadot_sdk::sp_runtime::AccountId32::from(signer.public());
    let nonce = node
        .expect("system_accountNextIndex", json!([account.to_ss58check()]))
        .as_u64()
        .expect("a nonce is a number") as u32;
    let genesis = node.genesis_hash();
    let extension: TxExtension = (
        frame_system::CheckNonZeroSender::<Runtime>::new(),
        frame_system::CheckSpecVersion::<Runtime>::new(),
        frame_system::CheckTxVersion::<Runtime>::new(),
        frame_system::CheckGenesis::<Runtime>::new(),
        frame_system::CheckEra::<Runtime>::from(Era::Immortal),
        CheckMemberNonce::<Runtime>::from(nonce),
        frame_system::CheckWeight::<Runtime>::new(),
    );
    let implicit = (
        (),
        VERSION.spec_version,
        VERSION.transaction_version,
        genesis,
        genesis,
        (),
        (),
    );
    let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
    let signature = payload.using_encoded(|bytes| signer.sign(bytes));
    let extrinsic =
        UncheckedExtrinsic::new_signed(call, account.into(), signature.into(), extension);
    format!("0x{}", hex::encode(extrinsic.encode()))
}

/// Signs `call` and submits it through `node`: `Ok` once the pool accepted it.
pub fn submit(node: &Rpc, signer: &sr25519::Pair, call: RuntimeCall) -> Result<(), RpcError> {
    node.call("author_submitExtrinsic", json!([sign(node, signer, call)]))
        .map(|_| ())
}
