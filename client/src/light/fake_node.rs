//! An in-process fake node for the client's tests: a small synthetic chain served over the same
//! JSON-RPC a MedChain node speaks, with real headers, state roots and read proofs, events, an
//! update key, and a GRANDPA justification and finality proof signed by development keys. Each
//! test serves it intact or with one part altered, as a lying node would.

use std::{collections::BTreeMap, sync::Arc};

use codec::{Decode, Encode};
use jsonrpsee::{
    server::{RpcModule, Server, ServerHandle},
    types::ErrorObjectOwned,
};
use medchain_runtime::{
    pallet_hospitals, pallet_records, pallet_results, BlockNumber, Hash, Header, RuntimeEvent,
};
use medchain_types::{Epoch, RecordId};
use polkadot_sdk::{
    frame_system::{EventRecord, Phase},
    sp_consensus_grandpa::{AuthoritySignature, ConsensusLog, ScheduledChange, GRANDPA_ENGINE_ID},
    sp_core::Bytes,
    sp_keyring::{Ed25519Keyring, Sr25519Keyring},
    sp_runtime::{
        traits::{BlakeTwo256, Hash as _, Header as _},
        Digest, DigestItem, Justifications, StateVersion,
    },
    sp_state_machine::{prove_read, InMemoryBackend},
};
use serde_json::{json, Value};

use super::{justification::tests as grandpa, state::keys};
use crate::rpc::method;

/// How many blocks the fake chain has (0 ..= LAST).
pub const LAST: BlockNumber = 5;

/// What the fake node alters when serving.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tamper {
    /// Serve this block's header with another state root, under its true hash.
    pub header: Option<BlockNumber>,
    /// Serve this block with an altered extrinsic.
    pub body: Option<BlockNumber>,
    /// Serve the last block's justification with a corrupted signature.
    pub justification: bool,
    /// Keep no justification with the last block, so that only `grandpa_proveFinality` can
    /// prove it final.
    pub unstored: bool,
    /// Serve a proof of other events for this block.
    pub events: Option<BlockNumber>,
    /// Serve a proof of another update key for epoch 0 (in every block).
    pub update_key: bool,
    /// Put a forced change to Eve alone into this block's header (Eve then signs the last
    /// block, as a node forging its own finality would).
    pub forced_change: Option<BlockNumber>,
    /// Date the blocks a day ago.
    pub stale: bool,
}

/// The update key of epoch 0 the honest chain holds.
pub const UPDATE_KEY: &[u8] = b"the KGC's update key of epoch 0";

struct FakeBlock {
    header: Header,
    extrinsics: Vec<Vec<u8>>,
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    justification: Option<Vec<u8>>,
}

pub struct FakeChain {
    blocks: Vec<FakeBlock>,
    tamper: Tamper,
}

fn event(event: RuntimeEvent) -> EventRecord<RuntimeEvent, Hash> {
    EventRecord {
        phase: Phase::ApplyExtrinsic(0),
        event,
        topics: Vec::new(),
    }
}

/// Block 2: Alice's hospital adds doctor Bob; block 3: Charlie's hospital publishes record 0;
/// block 4: Alice's hospital logs Bob's access to it, which nothing authorises.
fn events_of(number: BlockNumber) -> Vec<EventRecord<RuntimeEvent, Hash>> {
    let alice = Sr25519Keyring::Alice.to_account_id();
    let bob = Sr25519Keyring::Bob.to_account_id();
    let charlie = Sr25519Keyring::Charlie.to_account_id();
    match number {
        2 => vec![event(RuntimeEvent::Hospitals(
            pallet_hospitals::Event::DoctorAdded {
                hospital: alice,
                doctor: bob,
            },
        ))],
        3 => vec![event(RuntimeEvent::Records(
            pallet_records::Event::RecordPublished {
                id: RecordId::new(0),
                hospital: charlie,
                payload_hash: [1; 32],
                payload_size: 100,
                epoch: Epoch::new(0),
                policy: b"role:physician".to_vec(),
            },
        ))],
        4 => vec![event(RuntimeEvent::Results(
            pallet_results::Event::AccessLogged {
                record: RecordId::new(0),
                hospital: alice,
                doctor: bob,
                kind: pallet_results::AccessKind::PayloadFetch,
            },
        ))],
        _ => Vec::new(),
    }
}

fn state_root(state: &BTreeMap<Vec<u8>, Vec<u8>>) -> Hash {
    *InMemoryBackend::<BlakeTwo256>::from((state.clone(), StateVersion::V1)).root()
}

impl FakeChain {
    /// The chain, served with `tamper`.
    pub fn new(tamper: Tamper) -> Self {
        use Ed25519Keyring::{Alice, Bob, Charlie, Dave};
        let authorities = grandpa::authorities(&[Alice, Bob, Charlie, Dave]);
        let mut blocks: Vec<FakeBlock> = Vec::new();
        for number in 0..=LAST {
            let day = if tamper.stale { 24 * 3600 * 1000 } else { 0 };
            let mut state = BTreeMap::from([
                (keys::grandpa_authorities(), authorities.encode()),
                (keys::tree_depth(), 2u8.encode()),
                (keys::current_epoch(), Epoch::new(0).encode()),
                (
                    keys::update_key(Epoch::new(0)),
                    UPDATE_KEY.to_vec().encode(),
                ),
            ]);
            let events = events_of(number);
            if number > 0 {
                state.insert(keys::events(), events.encode());
                state.insert(keys::timestamp(), (now_millis() - day).encode());
            }
            let extrinsics: Vec<Vec<u8>> = (0..number).map(|i| vec![i as u8; 40]).collect();
            let parent = blocks.last().map_or(Hash::zero(), |b| b.header.hash());
            let mut digest = Digest::default();
            if tamper.forced_change == Some(number) {
                let change = ScheduledChange {
                    next_authorities: grandpa::authorities(&[Ed25519Keyring::Eve]),
                    delay: 0,
                };
                digest.push(DigestItem::Consensus(
                    GRANDPA_ENGINE_ID,
                    ConsensusLog::ForcedChange(0, change).encode(),
                ));
            }
            let header = Header::new(
                number,
                BlakeTwo256::ordered_trie_root(extrinsics.clone(), StateVersion::V0),
                state_root(&state),
                parent,
                digest,
            );
            blocks.push(FakeBlock {
                header,
                extrinsics,
                state,
                justification: None,
            });
        }
        let last = &mut blocks[LAST as usize];
        let mut justification = match tamper.forced_change {
            Some(_) => grandpa::justification(&last.header, &[Ed25519Keyring::Eve], 1),
            None => grandpa::justification(&last.header, &[Alice, Bob, Charlie], 0),
        };
        if tamper.justification {
            let mut signature = justification.commit.precommits[0].signature.encode();
            signature[10] ^= 0xff;
            justification.commit.precommits[0].signature =
                AuthoritySignature::decode(&mut &signature[..]).expect("64 bytes");
        }
        last.justification = Some(justification.encode());
        Self { blocks, tamper }
    }

    /// The hash of block 0.
    pub fn genesis(&self) -> Hash {
        self.blocks[0].header.hash()
    }

    fn by_hash(&self, hash: Hash) -> Option<&FakeBlock> {
        self.blocks.iter().find(|b| b.header.hash() == hash)
    }

    fn header(&self, block: &FakeBlock) -> Header {
        let mut header = block.header.clone();
        if self.tamper.header == Some(header.number) {
            header.state_root = Hash::repeat_byte(0xee);
        }
        header
    }

    fn signed_block(&self, block: &FakeBlock) -> Value {
        let mut extrinsics = block.extrinsics.clone();
        if self.tamper.body == Some(block.header.number) {
            extrinsics[0][0] ^= 1;
        }
        let justifications = block
            .justification
            .clone()
            .filter(|_| !self.tamper.unstored)
            .map(|j| Justifications::from((GRANDPA_ENGINE_ID, j)));
        json!({
            "block": {
                "header": self.header(block),
                "extrinsics": extrinsics.into_iter().map(Bytes).collect::<Vec<_>>(),
            },
            "justifications": justifications,
        })
    }

    fn read_proof(&self, block: &FakeBlock, keys: Vec<Bytes>) -> Value {
        let mut state = block.state.clone();
        if self.tamper.events == Some(block.header.number) {
            state.insert(keys::events(), events_of(2).encode());
        }
        if self.tamper.update_key {
            state.insert(
                keys::update_key(Epoch::new(0)),
                b"a key of the node's making".encode(),
            );
        }
        let backend = InMemoryBackend::<BlakeTwo256>::from((state, StateVersion::V1));
        let proof = prove_read(backend, keys.iter().map(|k| k.0.clone())).expect("proof");
        json!({
            "at": block.header.hash(),
            "proof": proof.into_iter_nodes().map(Bytes).collect::<Vec<_>>(),
        })
    }
}

fn param<T: serde::de::DeserializeOwned>(
    params: &[Value],
    index: usize,
) -> Result<T, ErrorObjectOwned> {
    params
        .get(index)
        .cloned()
        .and_then(|value| serde_json::from_value(value).ok())
        .ok_or_else(|| ErrorObjectOwned::owned(-32602, "bad params", None::<()>))
}

/// GRANDPA's finality proof of the last block: its own justification.
fn finality_proof(chain: &FakeChain) -> Bytes {
    let last = &chain.blocks[LAST as usize];
    let justification = last.justification.clone().unwrap_or_default();
    Bytes((last.header.hash(), justification, Vec::<Header>::new()).encode())
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Serves `chain` on a free loopback port; returns its URL and the server's handle.
pub async fn serve(chain: FakeChain) -> (String, ServerHandle) {
    let mut module = RpcModule::new(Arc::new(chain));
    module
        .register_method(method::FINALIZED_HEAD, |_, chain, _| {
            Ok::<_, ErrorObjectOwned>(json!(chain.blocks[LAST as usize].header.hash()))
        })
        .expect("registered");
    module
        .register_method(method::BLOCK_HASH, |params, chain, _| {
            let params: Vec<Value> = params.parse()?;
            let number: BlockNumber = param(&params, 0)?;
            Ok::<_, ErrorObjectOwned>(json!(chain
                .blocks
                .get(number as usize)
                .map(|b| b.header.hash())))
        })
        .expect("registered");
    module
        .register_method(method::HEADER, |params, chain, _| {
            let params: Vec<Value> = params.parse()?;
            let hash: Hash = param(&params, 0)?;
            Ok::<_, ErrorObjectOwned>(json!(chain.by_hash(hash).map(|b| chain.header(b))))
        })
        .expect("registered");
    module
        .register_method(method::BLOCK, |params, chain, _| {
            let params: Vec<Value> = params.parse()?;
            let hash: Hash = param(&params, 0)?;
            Ok::<_, ErrorObjectOwned>(
                chain
                    .by_hash(hash)
                    .map_or(Value::Null, |b| chain.signed_block(b)),
            )
        })
        .expect("registered");
    module
        .register_method(method::READ_PROOF, |params, chain, _| {
            let params: Vec<Value> = params.parse()?;
            let keys: Vec<Bytes> = param(&params, 0)?;
            let at: Hash = param(&params, 1)?;
            let block = chain
                .by_hash(at)
                .ok_or_else(|| ErrorObjectOwned::owned(4003, "unknown block", None::<()>))?;
            Ok::<_, ErrorObjectOwned>(chain.read_proof(block, keys))
        })
        .expect("registered");
    module
        .register_method(method::PROVE_FINALITY, |_, chain, _| {
            Ok::<_, ErrorObjectOwned>(finality_proof(chain))
        })
        .expect("registered");
    let server = Server::builder()
        .build("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}", server.local_addr().expect("bound"));
    (url, server.start(module))
}
