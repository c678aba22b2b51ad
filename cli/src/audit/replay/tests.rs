//! The whole replay against an in-process fake node serving a small synthetic chain over the
//! same JSON-RPC a MedChain node speaks: real headers, state roots and read proofs, events and a
//! GRANDPA justification signed by development keys. Each test serves the chain intact or with
//! one part altered, and checks the finding that names the altered block.

use std::{collections::BTreeMap, sync::Arc};

use codec::{Decode, Encode};
use jsonrpsee::{
    server::{RpcModule, Server, ServerHandle},
    types::ErrorObjectOwned,
};
use medchain_runtime::{pallet_hospitals, pallet_records, pallet_results, RuntimeEvent};
use polkadot_sdk::{
    frame_system::{EventRecord, Phase},
    sp_consensus_grandpa::{AuthoritySignature, GRANDPA_ENGINE_ID},
    sp_core::Bytes,
    sp_keyring::{Ed25519Keyring, Sr25519Keyring},
    sp_runtime::{
        traits::{BlakeTwo256, Hash as _, Header as _},
        Digest, Justifications, StateVersion,
    },
    sp_state_machine::{prove_read, InMemoryBackend},
};
use serde_json::{json, Value};

use super::*;
use crate::{audit::findings::Severity, light::justification::tests as grandpa};

/// How many blocks the fake chain has (0 ..= LAST).
const LAST: BlockNumber = 5;

/// What the fake node alters when serving.
#[derive(Debug, Clone, Copy, Default)]
struct Tamper {
    /// Serve this block's header with another state root, under its true hash.
    header: Option<BlockNumber>,
    /// Serve this block with an altered extrinsic.
    body: Option<BlockNumber>,
    /// Serve the last block's justification with a corrupted signature.
    justification: bool,
    /// Serve a proof of other events for this block.
    events: Option<BlockNumber>,
}

struct FakeBlock {
    header: Header,
    extrinsics: Vec<Vec<u8>>,
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    justification: Option<Vec<u8>>,
}

struct FakeChain {
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
                id: 0,
                hospital: charlie,
                payload_hash: [1; 32],
                payload_size: 100,
                epoch: 0,
                policy: b"role:physician".to_vec(),
            },
        ))],
        4 => vec![event(RuntimeEvent::Results(
            pallet_results::Event::AccessLogged {
                record: 0,
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
    fn new(tamper: Tamper) -> Self {
        use Ed25519Keyring::{Alice, Bob, Charlie, Dave};
        let authorities = grandpa::authorities(&[Alice, Bob, Charlie, Dave]);
        let mut blocks: Vec<FakeBlock> = Vec::new();
        for number in 0..=LAST {
            let mut state = BTreeMap::from([
                (keys::grandpa_authorities(), authorities.encode()),
                (keys::tree_depth(), 2u8.encode()),
            ]);
            let events = events_of(number);
            if number > 0 {
                state.insert(keys::events(), events.encode());
            }
            let extrinsics: Vec<Vec<u8>> = (0..number).map(|i| vec![i as u8; 40]).collect();
            let parent = blocks.last().map_or(Hash::zero(), |b| b.header.hash());
            let header = Header::new(
                number,
                BlakeTwo256::ordered_trie_root(extrinsics.clone(), StateVersion::V0),
                state_root(&state),
                parent,
                Digest::default(),
            );
            blocks.push(FakeBlock {
                header,
                extrinsics,
                state,
                justification: None,
            });
        }
        let last = &mut blocks[LAST as usize];
        let mut justification = grandpa::justification(&last.header, &[Alice, Bob, Charlie], 0);
        if tamper.justification {
            let mut signature = justification.commit.precommits[0].signature.encode();
            signature[10] ^= 0xff;
            justification.commit.precommits[0].signature =
                AuthoritySignature::decode(&mut &signature[..]).expect("64 bytes");
        }
        last.justification = Some(justification.encode());
        Self { blocks, tamper }
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

/// Serves `chain` on a free loopback port; returns its URL and the server's handle.
async fn serve(chain: FakeChain) -> (String, ServerHandle) {
    let mut module = RpcModule::new(Arc::new(chain));
    module
        .register_method("chain_getFinalizedHead", |_, chain, _| {
            Ok::<_, ErrorObjectOwned>(json!(chain.blocks[LAST as usize].header.hash()))
        })
        .expect("registered");
    module
        .register_method("chain_getBlockHash", |params, chain, _| {
            let params: Vec<Value> = params.parse()?;
            let number: BlockNumber = param(&params, 0)?;
            Ok::<_, ErrorObjectOwned>(json!(chain
                .blocks
                .get(number as usize)
                .map(|b| b.header.hash())))
        })
        .expect("registered");
    module
        .register_method("chain_getHeader", |params, chain, _| {
            let params: Vec<Value> = params.parse()?;
            let hash: Hash = param(&params, 0)?;
            Ok::<_, ErrorObjectOwned>(json!(chain.by_hash(hash).map(|b| chain.header(b))))
        })
        .expect("registered");
    module
        .register_method("chain_getBlock", |params, chain, _| {
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
        .register_method("state_getReadProof", |params, chain, _| {
            let params: Vec<Value> = params.parse()?;
            let keys: Vec<Bytes> = param(&params, 0)?;
            let at: Hash = param(&params, 1)?;
            let block = chain
                .by_hash(at)
                .ok_or_else(|| ErrorObjectOwned::owned(4003, "unknown block", None::<()>))?;
            Ok::<_, ErrorObjectOwned>(chain.read_proof(block, keys))
        })
        .expect("registered");
    let server = Server::builder()
        .build("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}", server.local_addr().expect("bound"));
    (url, server.start(module))
}

async fn audit(tamper: Tamper) -> Audit {
    let (url, server) = serve(FakeChain::new(tamper)).await;
    let client = NodeClient::connect(&url).await.expect("connects");
    let options = ReplayOptions {
        concurrency: 4,
        genesis: None,
        rules: RuleConfig::default(),
        thresholds: Thresholds::default(),
    };
    let audit = replay(&client, &url, &options, Output::Json)
        .await
        .expect("the replay runs to the end");
    server.stop().expect("stops");
    audit
}

fn integrity(audit: &Audit) -> Vec<(Kind, BlockNumber)> {
    audit
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Integrity)
        .map(|f| (f.kind, f.block))
        .collect()
}

#[tokio::test]
async fn audit_replay_of_an_intact_chain_proves_it_and_judges_its_history() {
    let audit = audit(Tamper::default()).await;
    assert_eq!(integrity(&audit), Vec::new());
    assert_eq!(
        audit.summary.finality,
        FinalityEvidence::StoredJustification
    );
    assert_eq!(audit.summary.proven_final_up_to, Some(LAST));
    assert_eq!(audit.summary.justifications_verified, 1);
    assert_eq!(audit.history.tree_depth, Some(2));
    assert_eq!(
        audit
            .history
            .entries
            .iter()
            .map(|e| e.block)
            .collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    // Bob's access to Charlie's record, which nothing authorised, is a violation at block 4.
    let violation = audit
        .findings
        .iter()
        .find(|f| f.severity == Severity::Violation)
        .expect("a violation");
    assert_eq!(
        (violation.kind, violation.block, violation.record),
        (Kind::AccessWithoutAuthorization, 4, Some(0))
    );
    assert!(!audit.summary.tally.passed());
}

#[tokio::test]
async fn audit_replay_detects_a_tampered_header() {
    let audit = audit(Tamper {
        header: Some(3),
        ..Tamper::default()
    })
    .await;
    let found = integrity(&audit);
    assert!(found.contains(&(Kind::HeaderHashMismatch, 3)), "{found:?}");
    assert!(found.contains(&(Kind::ParentHashMismatch, 4)), "{found:?}");
}

#[tokio::test]
async fn audit_replay_detects_a_tampered_body() {
    let audit = audit(Tamper {
        body: Some(2),
        ..Tamper::default()
    })
    .await;
    assert_eq!(integrity(&audit), vec![(Kind::ExtrinsicsRootMismatch, 2)]);
}

#[tokio::test]
async fn audit_replay_detects_a_tampered_justification() {
    let audit = audit(Tamper {
        justification: true,
        ..Tamper::default()
    })
    .await;
    assert_eq!(
        integrity(&audit),
        vec![
            (Kind::BadJustification, LAST),
            (Kind::FinalityUnproven, LAST)
        ]
    );
    assert_eq!(audit.summary.finality, FinalityEvidence::Unproven);
    let bad = &audit.findings[0];
    assert!(bad.message.contains("invalid signature"), "{}", bad.message);
}

#[tokio::test]
async fn audit_replay_detects_made_up_events() {
    let audit = audit(Tamper {
        events: Some(4),
        ..Tamper::default()
    })
    .await;
    assert_eq!(integrity(&audit), vec![(Kind::StateProofInvalid, 4)]);
    // The made-up events are not in the history.
    assert!(audit.history.entries.iter().all(|e| e.block != 4));
}
