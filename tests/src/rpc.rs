//! The tests reach their nodes through `medchain-client`, the client every MedChain program
//! uses, so what they check is what the CLI and the auditor get. The tests themselves are
//! synchronous: a shared Tokio runtime runs each client call to completion.

use std::{
    fmt::Display,
    future::Future,
    ops::Deref,
    sync::{Arc, LazyLock},
};

use medchain_client::Chain;
use medchain_runtime::{pallet_hospitals, pallet_results, AccountId, BlockNumber, Hash, Runtime};

/// The runtime every client call of every test runs on (one, not one per node or per test).
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
});

/// Runs `call` to completion.
pub fn block_on<F: Future>(call: F) -> F::Output {
    RUNTIME.block_on(call)
}

/// Runs `call`, which the test expects to succeed, and returns its answer.
pub fn answer<T, E: Display>(call: impl Future<Output = Result<T, E>>) -> T {
    block_on(call).unwrap_or_else(|error| panic!("the node's answer: {error}"))
}

/// The JSON-RPC endpoint of one node, read through [`Chain`] (which it dereferences to).
#[derive(Clone)]
pub struct Rpc {
    port: u16,
    chain: Arc<Chain>,
}

impl Deref for Rpc {
    type Target = Chain;

    fn deref(&self) -> &Chain {
        &self.chain
    }
}

impl Rpc {
    /// The node answering HTTP on loopback `port` (it need not be up yet).
    pub fn new(port: u16) -> Self {
        let url = format!("http://127.0.0.1:{port}");
        let chain = block_on(Chain::connect(&url))
            .unwrap_or_else(|error| panic!("a client for {url}: {error}"));
        Self {
            port,
            chain: Arc::new(chain),
        }
    }

    /// The loopback port the node answers on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Hash of the last finalised block.
    pub fn finalized_head(&self) -> Hash {
        answer(self.client().finalized_head())
    }

    /// Hash of the node's best block.
    pub fn best_head(&self) -> Hash {
        answer(self.best_header()).hash()
    }

    /// Number of block `at` (the best block if `None`), or `None` if the node is unreachable.
    pub fn block_number(&self, at: Option<Hash>) -> Option<BlockNumber> {
        let header = match at {
            Some(hash) => block_on(self.client().header(hash)).ok()??,
            None => block_on(self.client().best_header()).ok()?,
        };
        Some(header.number)
    }

    /// Number of the last finalised block, or `None` if the node is unreachable.
    pub fn finalized_number(&self) -> Option<BlockNumber> {
        let head = block_on(self.client().finalized_head()).ok()?;
        self.block_number(Some(head))
    }

    /// Hash of the block numbered `number` on the node's best chain.
    pub fn block_hash(&self, number: BlockNumber) -> Option<Hash> {
        answer(self.client().block_hash(number))
    }

    /// The node's genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        answer(self.genesis())
    }

    /// Number of peers the node is connected to.
    pub fn peers(&self) -> u64 {
        answer(self.client().peers())
    }

    /// Every access logged in blocks `from ..= at`, with the hospital that logged it (the log
    /// is kept per block and hospital).
    pub fn accesses(
        &self,
        from: BlockNumber,
        at: Hash,
    ) -> Vec<(AccountId, pallet_results::Access<Runtime>)> {
        let to = self.block_number(Some(at)).expect("the node answers");
        let hospitals = answer(self.map_keys::<pallet_hospitals::Hospitals<Runtime>>(at));
        let mut accesses = Vec::new();
        for number in from..=to {
            for hospital in &hospitals {
                let logged = answer(self.double_map_value::<pallet_results::Accesses<Runtime>>(
                    &number,
                    hospital,
                    Some(at),
                ));
                accesses.extend(
                    logged
                        .unwrap_or_default()
                        .into_iter()
                        .map(|access| (hospital.clone(), access)),
                );
            }
        }
        accesses
    }
}
