//! Reading the chain through a node: heads, block hashes and runtime API calls.

use crate::rpc::Rpc;
use codec::{Decode, Encode};
use medchain_runtime::{pallet_results, Hash, Runtime};
use serde_json::{json, Value};

/// Parses a `0x`-prefixed hex string from a JSON-RPC answer.
pub fn bytes(value: &Value) -> Vec<u8> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("expected a hex string, got {value}"));
    hex::decode(text.trim_start_matches("0x")).unwrap_or_else(|e| panic!("bad hex {text}: {e}"))
}

fn hash(value: &Value) -> Hash {
    Hash::from_slice(&bytes(value))
}

impl Rpc {
    /// Hash of the last finalised block.
    pub fn finalized_head(&self) -> Hash {
        hash(&self.expect("chain_getFinalizedHead", json!([])))
    }

    /// Hash of the node's best block.
    pub fn best_head(&self) -> Hash {
        hash(&self.expect("chain_getBlockHash", json!([])))
    }

    /// Number of block `at` (the best block if `None`), or `None` if the node is unreachable.
    pub fn block_number(&self, at: Option<Hash>) -> Option<u32> {
        let header = self.call("chain_getHeader", json!([at])).ok()?;
        let number = header["number"].as_str()?;
        u32::from_str_radix(number.trim_start_matches("0x"), 16).ok()
    }

    /// Number of the last finalised block, or `None` if the node is unreachable.
    pub fn finalized_number(&self) -> Option<u32> {
        let head = self.call("chain_getFinalizedHead", json!([])).ok()?;
        self.block_number(Some(hash(&head)))
    }

    /// Hash of the block numbered `number` on the node's best chain.
    pub fn block_hash(&self, number: u32) -> Option<Hash> {
        let value = self.expect("chain_getBlockHash", json!([number]));
        (!value.is_null()).then(|| hash(&value))
    }

    /// The node's genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        self.block_hash(0).expect("every node has a genesis block")
    }

    /// Calls runtime API `method` (e.g. `HospitalsApi_authorizers_of`) with SCALE-encoded
    /// `args` in the state of block `at`, and decodes its answer.
    pub fn runtime_call<R: Decode>(&self, method: &str, args: impl Encode, at: Hash) -> R {
        let answer = self.expect(
            "state_call",
            json!([method, format!("0x{}", hex::encode(args.encode())), at]),
        );
        R::decode(&mut &bytes(&answer)[..])
            .unwrap_or_else(|e| panic!("cannot decode the answer of {method}: {e}"))
    }

    /// Number of peers the node is connected to.
    pub fn peers(&self) -> u64 {
        self.expect("system_health", json!([]))["peers"]
            .as_u64()
            .unwrap_or_default()
    }
}

impl Rpc {
    /// The value under storage `key` in the state of block `at` (the best block if `None`).
    pub fn storage<T: Decode>(&self, key: &[u8], at: Option<Hash>) -> Option<T> {
        let value = self.expect(
            "state_getStorage",
            json!([format!("0x{}", hex::encode(key)), at]),
        );
        (!value.is_null()).then(|| {
            T::decode(&mut &bytes(&value)[..])
                .unwrap_or_else(|e| panic!("cannot decode storage 0x{}: {e}", hex::encode(key)))
        })
    }

    /// Every access logged in blocks `from ..= at` (the access log is kept per block).
    pub fn accesses(&self, from: u32, at: Hash) -> Vec<pallet_results::Access<Runtime>> {
        let to = self.block_number(Some(at)).expect("the node answers");
        (from..=to)
            .flat_map(|number| {
                let key = pallet_results::Accesses::<Runtime>::hashed_key_for(number);
                self.storage::<Vec<pallet_results::Access<Runtime>>>(&key, Some(at))
                    .unwrap_or_default()
            })
            .collect()
    }
}
