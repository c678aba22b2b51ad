//! Transactions the node submits as its hospital: records it publishes for patients, the
//! accesses it serves, renewed grants. Nonces are counted here so that several can be pending at
//! once, and start after any the hospital's administrators sent through this node's pool with
//! the same account.

use super::{
    error::{unreadable, Poisoned, Unreadable},
    identity::Hospital,
    Pool,
};
use crate::service::FullClient;
use codec::{Decode, Encode};
use medchain_runtime::{transaction, AccountId, Hash, RuntimeCall};
use polkadot_sdk::{
    frame_system_rpc_runtime_api::AccountNonceApi,
    sc_transaction_pool_api::{InPoolTransaction, TransactionPool},
    sp_api::ProvideRuntimeApi,
    sp_blockchain::HeaderBackend,
    sp_runtime::{transaction_validity::TransactionSource, OpaqueExtrinsic},
};
use std::sync::{Arc, Mutex};

/// A transaction the node signs as its hospital did not reach the pool.
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
        let submitted = self
            .pool
            .submit_one(info.best_hash, TransactionSource::Local, opaque)
            .await;
        match submitted {
            Ok(hash) => Ok(hash),
            Err(e) => {
                self.nonces.release();
                Err(SubmitError::Refused(e.to_string()))
            }
        }
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
