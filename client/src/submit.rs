//! Signing a transaction, submitting it, and waiting until it is in a finalised block: a command
//! reports success only once the change cannot be undone, and a failure by the pallet error's
//! name.

use std::cell::Cell;

use codec::Encode;
use medchain_runtime::{
    pallet_hospitals::{NOT_A_MEMBER, OVER_BLOCK_SHARE, TOO_MANY_PENDING},
    transaction, AccountId, BlockNumber, Hash, RuntimeCall, RuntimeEvent,
};
use polkadot_sdk::{
    frame_system::{self, Phase},
    sp_core::{crypto::Ss58Codec, sr25519, Pair},
    sp_crypto_hashing::blake2_256,
};

use crate::{
    chain::{Chain, ChainError},
    dispatch::{self, DispatchFailure},
    rpc::RpcError,
};

/// A transaction that made it into a finalised block and succeeded.
pub struct Included {
    /// The block's hash.
    pub block: Hash,
    /// The block's number.
    pub number: BlockNumber,
    /// The events the transaction emitted, in order.
    pub events: Vec<RuntimeEvent>,
}

/// A transaction did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Reading the chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The node's transaction pool refused it.
    #[error("the node refused the transaction from {signer}: {reason}")]
    Refused {
        /// The signer.
        signer: String,
        /// Why, with what to do.
        reason: String,
    },
    /// It was included but failed.
    #[error("the transaction failed in block #{number}: {failure}")]
    Failed {
        /// The block it failed in.
        number: BlockNumber,
        /// The named error.
        failure: DispatchFailure,
    },
}

/// Signs `call` with `signer` at its next nonce, submits it through `chain`'s node and waits
/// until it is final; its events on success.
pub async fn submit(
    chain: &Chain,
    signer: &sr25519::Pair,
    call: RuntimeCall,
) -> Result<Included, SubmitError> {
    let account = AccountId::from(signer.public());
    let genesis = chain.genesis().await?;
    let nonce = chain.next_nonce(&account).await?;
    let extrinsic = transaction::sign(signer, call, nonce, genesis).encode();
    let hash = blake2_256(&extrinsic);
    let (_, finalized) = chain.finalized().await?;
    chain
        .client()
        .submit_extrinsic(extrinsic)
        .await
        .map_err(|error| SubmitError::Refused {
            signer: account.to_ss58check(),
            reason: refusal(&error),
        })?;

    let next = Cell::new(finalized + 1);
    let (block, number, index) = chain
        .wait_final(
            "the transaction to be final",
            "the node accepted it but no finalised block holds it: check that the network finalises (a majority of hospitals' nodes online)",
            |head| {
                let next = &next;
                async move { find(chain, head, next, hash).await }
            },
        )
        .await?;
    let mut events = Vec::new();
    for record in chain.events(block).await? {
        if record.phase != Phase::ApplyExtrinsic(index) {
            continue;
        }
        match record.event {
            RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
                dispatch_error, ..
            }) => {
                return Err(SubmitError::Failed {
                    number,
                    failure: dispatch::describe(&dispatch_error),
                })
            }
            event => events.push(event),
        }
    }
    Ok(Included {
        block,
        number,
        events,
    })
}

/// Scans the finalised blocks from `next` up to `head` for the extrinsic with hash `hash`: its
/// block, number and index in the block. Moves `next` past what it scanned.
async fn find(
    chain: &Chain,
    head: Hash,
    next: &Cell<BlockNumber>,
    hash: [u8; 32],
) -> Result<Option<(Hash, BlockNumber, u32)>, ChainError> {
    let head_number = match chain.client().header(head).await? {
        Some(header) => header.number,
        None => return Ok(None),
    };
    while next.get() <= head_number {
        let number = next.get();
        let Some(block_hash) = chain.client().block_hash(number).await? else {
            return Ok(None);
        };
        let Some(block) = chain.client().block(block_hash).await? else {
            return Ok(None);
        };
        let position = block
            .block
            .extrinsics
            .iter()
            .position(|extrinsic| blake2_256(&extrinsic.0) == hash);
        if let Some(position) = position {
            return Ok(Some((block_hash, number, position as u32)));
        }
        next.set(number + 1);
    }
    Ok(None)
}

/// The pool's refusal in words, with the MedChain-specific codes named.
fn refusal(error: &RpcError) -> String {
    let Some(message) = error.message() else {
        return error.to_string();
    };
    match error.data().as_deref() {
        Some(data) if data == format!("Custom error: {NOT_A_MEMBER}") => {
            "the signer is not a registered hospital, doctor or the KGC: a hospital registers its doctors with `medchain hospital add-doctor`".to_owned()
        }
        Some(data) if data == format!("Custom error: {TOO_MANY_PENDING}") => {
            "the signer already has too many transactions waiting: retry once some are final".to_owned()
        }
        Some(data) if data == format!("Custom error: {OVER_BLOCK_SHARE}") => {
            "the transaction is larger than one member may put in a block: split it (a batch into smaller batches)".to_owned()
        }
        Some(data) => format!("{message} ({data})"),
        None => message.to_owned(),
    }
}

/// The events of type `E` among `events`, for reading a call's outcome (e.g. the leaf assigned).
pub fn events_of<E>(events: &[RuntimeEvent]) -> Vec<E>
where
    RuntimeEvent: TryInto<E>,
{
    events
        .iter()
        .filter_map(|event| event.clone().try_into().ok())
        .collect()
}
