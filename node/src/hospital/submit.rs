//! Transactions the node submits as its hospital: records it publishes for patients, the
//! accesses it serves, renewed grants. Nonces are counted here so that several can be pending at
//! once, and start after any the hospital's administrators sent through this node's pool with
//! the same account.

use super::{
    error::{unreadable, Poisoned, Unreadable},
    Pool, Services,
};
use codec::{Decode, Encode};
use medchain_runtime::{transaction, AccountId, Hash, RuntimeCall};
use polkadot_sdk::{
    frame_system_rpc_runtime_api::AccountNonceApi,
    sc_transaction_pool_api::{InPoolTransaction, TransactionPool},
    sp_api::ProvideRuntimeApi,
    sp_blockchain::HeaderBackend,
    sp_runtime::{transaction_validity::TransactionSource, OpaqueExtrinsic},
};
use std::sync::Mutex;

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

/// The next nonce to use, when transactions are pending.
#[derive(Default)]
pub struct Submitter {
    next: Mutex<Option<u32>>,
}

impl Submitter {
    /// Signs `call` as the hospital and submits it to the local pool; the transaction's hash.
    pub async fn submit(
        &self,
        services: &Services,
        call: RuntimeCall,
    ) -> Result<Hash, SubmitError> {
        let info = services.client.info();
        let on_chain = services
            .client
            .runtime_api()
            .account_nonce(info.best_hash, services.hospital.account.clone())
            .map_err(unreadable("the hospital's nonce"))?;
        let free = first_free_nonce(&services.pool, &services.hospital.account, on_chain);
        let nonce = self.reserve(free)?;
        let signed = transaction::sign(services.hospital.pair(), call, nonce, info.genesis_hash);
        let opaque =
            OpaqueExtrinsic::decode(&mut &signed.encode()[..]).map_err(SubmitError::Encoding)?;
        let submitted = services
            .pool
            .submit_one(info.best_hash, TransactionSource::Local, opaque)
            .await;
        match submitted {
            Ok(hash) => Ok(hash),
            Err(e) => {
                self.release();
                Err(SubmitError::Refused(e.to_string()))
            }
        }
    }

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
        let submitter = Submitter::default();
        assert_eq!(submitter.reserve(5).unwrap(), 5);
        // Still pending: the pool has not counted them yet.
        assert_eq!(submitter.reserve(5).unwrap(), 6);
        assert_eq!(submitter.reserve(5).unwrap(), 7);
        // The chain or the pool moved past what this node handed out (an administrator's own
        // transactions with the same account): start there.
        assert_eq!(submitter.reserve(12).unwrap(), 12);
    }

    #[test]
    fn a_refused_transaction_releases_its_nonce() {
        let submitter = Submitter::default();
        assert_eq!(submitter.reserve(3).unwrap(), 3);
        assert_eq!(submitter.reserve(3).unwrap(), 4);
        submitter.release();
        assert_eq!(
            submitter.reserve(4).unwrap(),
            4,
            "from the chain's count again"
        );
    }
}
