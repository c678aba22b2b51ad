//! Signing transactions outside the runtime: what a hospital's node does when it publishes a
//! record or logs an access, and what wallets, the CLI and the tests do.

use crate::{
    pallet_hospitals::CheckMemberNonce, Hash, Nonce, Runtime, RuntimeCall, SignedPayload,
    TxExtension, UncheckedExtrinsic, VERSION,
};
use codec::Encode;
use polkadot_sdk::{
    frame_system,
    sp_core::{sr25519, Pair},
    sp_runtime::{generic::Era, AccountId32},
};

/// `call` signed by `signer` with `nonce`, valid forever on the chain with genesis `genesis`
/// (immortal: MedChain's members are few and their nonces order their transactions).
pub fn sign(
    signer: &sr25519::Pair,
    call: RuntimeCall,
    nonce: Nonce,
    genesis: Hash,
) -> UncheckedExtrinsic {
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
    let account = AccountId32::from(signer.public());
    UncheckedExtrinsic::new_signed(call, account.into(), signature.into(), extension)
}
