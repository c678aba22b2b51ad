//! Transactions the node submits as its hospital: records it publishes for patients, the
//! accesses it serves, renewed grants. Nonces are counted here so that several can be pending at
//! once, and start after any the hospital's administrators sent through this node's pool with
//! the same account.

use super::{Pool, Services};
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

/// The next nonce to use, when transactions are pending.
#[derive(Default)]
pub struct Submitter {
    next: Mutex<Option<u32>>,
}

impl Submitter {
    /// Signs `call` as the hospital and submits it to the local pool; the transaction's hash.
    pub async fn submit(&self, services: &Services, call: RuntimeCall) -> Result<Hash, String> {
        let info = services.client.info();
        let on_chain = services
            .client
            .runtime_api()
            .account_nonce(info.best_hash, services.hospital.account.clone())
            .map_err(|e| format!("cannot read the hospital's nonce: {e}"))?;
        let free = first_free_nonce(&services.pool, &services.hospital.account, on_chain);
        let nonce = {
            let mut next = self
                .next
                .lock()
                .map_err(|_| "the nonce counter is poisoned")?;
            let nonce = next.map_or(free, |n| n.max(free));
            *next = Some(nonce.saturating_add(1));
            nonce
        };
        let signed = transaction::sign(services.hospital.pair(), call, nonce, info.genesis_hash);
        let opaque = OpaqueExtrinsic::decode(&mut &signed.encode()[..])
            .map_err(|e| format!("cannot re-encode the transaction: {e}"))?;
        let submitted = services
            .pool
            .submit_one(info.best_hash, TransactionSource::Local, opaque)
            .await;
        match submitted {
            Ok(hash) => Ok(hash),
            Err(e) => {
                // Start again from the chain's nonce: this one was not used.
                if let Ok(mut next) = self.next.lock() {
                    *next = None;
                }
                Err(format!("the transaction pool refused it: {e}"))
            }
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
