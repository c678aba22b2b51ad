//! Transactions the node submits as its hospital: records it publishes for patients, the
//! accesses it serves, renewed grants. Nonces are counted here so that several can be pending at
//! once, and start after any the hospital's administrators sent through this node's pool with
//! the same account. What must be on-chain before the node acts on it (an access log entry
//! before the access is served) is submitted with [`Submitter::submit_included`], which waits
//! for a block to include it and checks that it succeeded there.

use super::{
    error::{unreadable, Poisoned, Unreadable},
    events,
    identity::Hospital,
    Pool,
};
use crate::service::FullClient;
use codec::{Decode, Encode};
use futures::{future, StreamExt};
use medchain_runtime::{transaction, AccountId, BlockNumber, Hash, RuntimeCall, RuntimeEvent};
use polkadot_sdk::{
    frame_system::{self, Phase},
    frame_system_rpc_runtime_api::AccountNonceApi,
    sc_transaction_pool_api::{InPoolTransaction, TransactionPool, TransactionStatus},
    sp_api::ProvideRuntimeApi,
    sp_blockchain::HeaderBackend,
    sp_runtime::{transaction_validity::TransactionSource, DispatchError, OpaqueExtrinsic},
};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

/// How long [`Submitter::submit_included`] waits for a block to include a transaction: a few
/// slots, ample on a live network (a block every 3 s) and short enough that a caller waiting on
/// an access is answered.
pub const INCLUSION_TIMEOUT: Duration = Duration::from_secs(30);

/// A transaction the node signs as its hospital did not reach the pool, or (when its inclusion
/// is awaited) did not succeed in a block.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The hospital's nonce could not be read.
    #[error(transparent)]
    Chain(#[from] Unreadable),
    /// The nonce counter's lock is poisoned.
    #[error(transparent)]
    Poisoned(#[from] Poisoned),
    /// The signed transaction does not re-encode as an extrinsic.
    #[error("cannot re-encode the transaction: {0}")]
    Encoding(codec::Error),
    /// The pool refused it.
    #[error("the transaction pool refused it: {0}")]
    Refused(String),
    /// It left the pool without a block including it.
    #[error("it was {0} before any block included it")]
    NotIncluded(&'static str),
    /// No block included it in time.
    #[error("no block included it within {} s", INCLUSION_TIMEOUT.as_secs())]
    Timeout,
    /// A block included it, but its call failed there.
    #[error("block #{block} included it, but it failed: {reason}")]
    Failed {
        /// The including block's number.
        block: BlockNumber,
        /// Why, in the runtime's words.
        reason: String,
    },
}

/// Signs transactions as the hospital and hands them to the node's own pool.
pub struct Submitter {
    client: Arc<FullClient>,
    pool: Arc<Pool>,
    hospital: Arc<Hospital>,
    nonces: Nonces,
}

impl Submitter {
    /// A submitter for `hospital` over the node's `client` and `pool`.
    pub fn new(client: Arc<FullClient>, pool: Arc<Pool>, hospital: Arc<Hospital>) -> Self {
        Self {
            client,
            pool,
            hospital,
            nonces: Nonces::default(),
        }
    }

    /// Signs `call` as the hospital and submits it to the local pool; the transaction's hash.
    pub async fn submit(&self, call: RuntimeCall) -> Result<Hash, SubmitError> {
        let (at, opaque) = self.sign(call)?;
        let submitted = self
            .pool
            .submit_one(at, TransactionSource::Local, opaque)
            .await;
        submitted.map_err(|e| self.refused(e))
    }

    /// Signs `call` as the hospital, submits it to the local pool and waits until a block
    /// includes it; the transaction's hash, once the call succeeded in that block. A call that
    /// fails in its block, or that no block includes within [`INCLUSION_TIMEOUT`], is an error.
    pub async fn submit_included(&self, call: RuntimeCall) -> Result<Hash, SubmitError> {
        let (at, opaque) = self.sign(call)?;
        let transaction = self.pool.hash_of(&opaque);
        let statuses = self
            .pool
            .submit_and_watch(at, TransactionSource::Local, opaque)
            .await
            .map_err(|e| self.refused(e))?;
        let inclusion = statuses
            .filter_map(|status| {
                future::ready(match status {
                    TransactionStatus::InBlock(included) => Some(Ok(included)),
                    TransactionStatus::Invalid => {
                        Some(Err(SubmitError::NotIncluded("found invalid")))
                    }
                    TransactionStatus::Dropped => {
                        Some(Err(SubmitError::NotIncluded("dropped from the pool")))
                    }
                    TransactionStatus::Usurped(_) => Some(Err(SubmitError::NotIncluded(
                        "replaced by another with the same nonce",
                    ))),
                    _ => None,
                })
            })
            .into_future();
        let timeout = futures_timer::Delay::new(INCLUSION_TIMEOUT);
        let (block, index) = match future::select(inclusion, timeout).await {
            future::Either::Left(((Some(included), _), _)) => included?,
            future::Either::Left(((None, _), _)) => {
                return Err(SubmitError::NotIncluded("dropped from the pool"))
            }
            future::Either::Right(_) => return Err(SubmitError::Timeout),
        };
        match dispatch_outcome(&self.client, block, index)? {
            Ok(()) => Ok(transaction),
            Err(error) => Err(SubmitError::Failed {
                block: self.client.number(block).ok().flatten().unwrap_or_default(),
                reason: describe(&error),
            }),
        }
    }

    /// `call` signed as the hospital with its next nonce, as an extrinsic for the pool; the
    /// block it is signed at.
    fn sign(&self, call: RuntimeCall) -> Result<(Hash, OpaqueExtrinsic), SubmitError> {
        let info = self.client.info();
        let on_chain = self
            .client
            .runtime_api()
            .account_nonce(info.best_hash, self.hospital.account.clone())
            .map_err(unreadable("the hospital's nonce"))?;
        let free = first_free_nonce(&self.pool, &self.hospital.account, on_chain);
        let nonce = self.nonces.reserve(free)?;
        let signed = transaction::sign(self.hospital.pair(), call, nonce, info.genesis_hash);
        let opaque =
            OpaqueExtrinsic::decode(&mut &signed.encode()[..]).map_err(SubmitError::Encoding)?;
        Ok((info.best_hash, opaque))
    }

    /// The pool refused a transaction: its nonce is free again.
    fn refused(&self, error: impl std::fmt::Display) -> SubmitError {
        self.nonces.release();
        SubmitError::Refused(error.to_string())
    }
}

/// Whether extrinsic `index` of block `block` succeeded, as the block's events say.
fn dispatch_outcome(
    client: &FullClient,
    block: Hash,
    index: usize,
) -> Result<Result<(), DispatchError>, Unreadable> {
    let phase = Phase::ApplyExtrinsic(index as u32);
    let failed = events::records(client, block)?
        .into_iter()
        .filter(|record| record.phase == phase)
        .find_map(|record| match record.event {
            RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
                dispatch_error, ..
            }) => Some(dispatch_error),
            _ => None,
        });
    Ok(failed.map_or(Ok(()), Err))
}

/// A failed call in the runtime's words: the pallet error's documentation, or the error itself.
fn describe(error: &DispatchError) -> String {
    match medchain_runtime::errors::named(error) {
        Some(named) if !named.doc.is_empty() => named.doc,
        Some(named) => format!("{}.{}", named.pallet, named.name),
        None => {
            let description: &'static str = (*error).into();
            description.to_owned()
        }
    }
}

impl SubmitError {
    /// Whether the transaction will certainly never succeed: the pool refused it, it left the
    /// pool, or its call failed in its block. Not so when no block included it in time: it may
    /// still be.
    pub fn is_final(&self) -> bool {
        !matches!(self, SubmitError::Timeout)
    }
}

/// The next nonce to use, when transactions are pending.
#[derive(Default)]
struct Nonces {
    next: Mutex<Option<u32>>,
}

impl Nonces {
    /// The nonce for the next transaction, given that the chain and the pool leave `free` as
    /// the first unused one: past every nonce this node handed out and not released.
    fn reserve(&self, free: u32) -> Result<u32, Poisoned> {
        let mut next = self
            .next
            .lock()
            .map_err(|_| Poisoned("the nonce counter"))?;
        let nonce = next.map_or(free, |n| n.max(free));
        *next = Some(nonce.saturating_add(1));
        Ok(nonce)
    }

    /// Forgets the nonces handed out: the last one was not used, so the next transaction starts
    /// again from what the chain and the pool say.
    fn release(&self) {
        if let Ok(mut next) = self.next.lock() {
            *next = None;
        }
    }
}

/// The first nonce from `on_chain` on that no ready transaction of `who` in the pool takes, as
/// `system_accountNextIndex` computes it. Ready transactions come in nonce order per sender,
/// each providing the tag `(sender, nonce)`.
fn first_free_nonce(pool: &Pool, who: &AccountId, on_chain: u32) -> u32 {
    let mut nonce = on_chain;
    for transaction in pool.ready() {
        if transaction.provides().first() == Some(&(who, nonce).encode()) {
            nonce = nonce.saturating_add(1);
        }
    }
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_transactions_get_consecutive_nonces_from_the_first_free_one() {
        let nonces = Nonces::default();
        assert_eq!(nonces.reserve(5).unwrap(), 5);
        // Still pending: the pool has not counted them yet.
        assert_eq!(nonces.reserve(5).unwrap(), 6);
        assert_eq!(nonces.reserve(5).unwrap(), 7);
        // The chain or the pool moved past what this node handed out (an administrator's own
        // transactions with the same account): start there.
        assert_eq!(nonces.reserve(12).unwrap(), 12);
    }

    #[test]
    fn a_refused_transaction_releases_its_nonce() {
        let nonces = Nonces::default();
        assert_eq!(nonces.reserve(3).unwrap(), 3);
        assert_eq!(nonces.reserve(3).unwrap(), 4);
        nonces.release();
        assert_eq!(
            nonces.reserve(4).unwrap(),
            4,
            "from the chain's count again"
        );
    }
}
