//! # MedChain runtime
//!
//! A permissioned solochain run by hospitals. Blocks are authored with Aura and finalised with
//! GRANDPA by the registered hospitals, whose set the `hospitals` pallet keeps: the session
//! pallet takes its validators from it, node authorisation lets only its nodes peer, and its
//! council (a collective of all hospitals) admits and removes hospitals by majority.
//!
//! There is no token and there are no fees: `pallet-balances` is present only because
//! `pallet-session` requires a currency for key deposits, which are zero here; nobody holds a
//! balance. Spam is kept out by [`pallet_hospitals::CheckMemberNonce`] instead: signed
//! transactions are accepted only from hospitals and their doctors, with a bounded number
//! pending per account, and only for the calls the chain's call filter lets through.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` need the recursion.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

// Before `apis`, which uses the macros `define_benchmarks!` declares in it.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
mod apis;
mod call_filter;
mod configs;
mod directory;
#[cfg(feature = "std")]
pub mod errors;
pub mod genesis;
#[cfg(feature = "std")]
pub mod hospital_keys;
mod registries;
#[cfg(feature = "std")]
pub mod transaction;

pub use apis::{RuntimeApi, RUNTIME_API_VERSIONS};
pub use configs::{CouncilInstance, HospitalsMajority, CONSULTATION_WINDOW, MAX_HOSPITALS};
use polkadot_sdk::*;
pub use {pallet_hospitals, pallet_kgc, pallet_records, pallet_results};

use sp_runtime::{
    generic, impl_opaque_keys,
    traits::{BlakeTwo256, IdentifyAccount, Verify},
    MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

/// Runtime identity: nodes refuse blocks from a runtime with another `spec_name`.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: alloc::borrow::Cow::Borrowed("medchain"),
    impl_name: alloc::borrow::Cow::Borrowed("medchain"),
    authoring_version: 1,
    // 2: doctors register their encryption keys and the KGC declares each key issuance on a
    // fresh leaf; revocation dates itself at the next epoch and publishes its update key;
    // `KgcApi` version 2. 3: only MedChain's own calls and what the chain needs are dispatched
    // (`call_filter`), and the pool refuses the others.
    spec_version: 4,
    impl_version: 1,
    apis: RUNTIME_API_VERSIONS,
    // 2: the KGC pallet's calls changed (`assign_leaf` and the old `revoke` are gone).
    transaction_version: 2,
    system_version: 1,
};

/// Target time between blocks. Short, because hospitals' nodes are few and well connected and a
/// record's publication should be final within seconds.
pub const MILLISECS_PER_BLOCK: u64 = 3_000;
/// Aura slot length; it cannot change once the chain runs.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;
/// Blocks per session: an admitted hospital starts validating within two sessions (one minute).
pub const SESSION_PERIOD: BlockNumber = 10;

/// Signature of transactions (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;
/// An account: the public key of its signing key.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Per-account transaction counter.
pub type Nonce = u32;
/// Block hash.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = u32;
/// Unit of the (unused) currency that `pallet-session` requires.
pub type Balance = u128;
/// How transactions name accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// Checks every signed transaction goes through. [`pallet_hospitals::CheckMemberNonce`] takes
/// the place of `frame_system::CheckNonce`: members only, bounded pending transactions. There is
/// no payment extension: MedChain charges no fees.
pub type TxExtension = (
    frame_system::CheckNonZeroSender<Runtime>,
    frame_system::CheckSpecVersion<Runtime>,
    frame_system::CheckTxVersion<Runtime>,
    frame_system::CheckGenesis<Runtime>,
    frame_system::CheckEra<Runtime>,
    pallet_hospitals::CheckMemberNonce<Runtime>,
    frame_system::CheckWeight<Runtime>,
);

/// A transaction as it travels and is stored in blocks.
pub type UncheckedExtrinsic =
    generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// What a transaction's signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// The storage migrations an upgrade to this runtime runs, each once (at its pallet's version).
pub type Migrations = (
    pallet_records::migrations::v2::MigrateToV2<Runtime>,
    pallet_results::migrations::v2::MigrateToV2<Runtime>,
);

/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
    Runtime,
    Block,
    frame_system::ChainContext<Runtime>,
    Runtime,
    AllPalletsWithSystem,
    Migrations,
>;

/// Types the node handles without knowing the runtime's transactions.
pub mod opaque {
    use super::*;

    pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;
    /// Block header.
    pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
    /// Block with opaque transactions.
    pub type Block = generic::Block<Header, UncheckedExtrinsic>;
}

impl_opaque_keys! {
    /// A validator's session keys: Aura (block authoring) and GRANDPA (finality).
    pub struct SessionKeys {
        pub aura: Aura,
        pub grandpa: Grandpa,
    }
}

#[frame_support::runtime]
mod runtime {
    #[runtime::runtime]
    #[runtime::derive(
        RuntimeCall,
        RuntimeEvent,
        RuntimeError,
        RuntimeOrigin,
        RuntimeFreezeReason,
        RuntimeHoldReason,
        RuntimeSlashReason,
        RuntimeLockId,
        RuntimeTask,
        RuntimeViewFunction
    )]
    pub struct Runtime;

    #[runtime::pallet_index(0)]
    pub type System = frame_system;

    #[runtime::pallet_index(1)]
    pub type Timestamp = pallet_timestamp;

    #[runtime::pallet_index(2)]
    pub type Balances = pallet_balances;

    // Before Session: its genesis names the first validators.
    #[runtime::pallet_index(3)]
    pub type Hospitals = pallet_hospitals;

    #[runtime::pallet_index(4)]
    pub type Session = pallet_session;

    #[runtime::pallet_index(5)]
    pub type Historical = pallet_session::historical;

    // After Session, which hands them the validators' keys.
    #[runtime::pallet_index(6)]
    pub type Aura = pallet_aura;

    #[runtime::pallet_index(7)]
    pub type Grandpa = pallet_grandpa;

    #[runtime::pallet_index(8)]
    pub type NodeAuthorization = pallet_node_authorization;

    #[runtime::pallet_index(9)]
    pub type Council = pallet_collective<Instance1>;

    #[runtime::pallet_index(10)]
    pub type Sudo = pallet_sudo;

    #[runtime::pallet_index(11)]
    pub type Kgc = pallet_kgc;

    // Before Results, so that a consultation closing in a block is assigned before reports in
    // it are checked.
    #[runtime::pallet_index(12)]
    pub type Records = pallet_records;

    #[runtime::pallet_index(13)]
    pub type Results = pallet_results;

    // Batches: a hospital importing its archive publishes many records per transaction.
    #[runtime::pallet_index(14)]
    pub type Utility = pallet_utility;
}
