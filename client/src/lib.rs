//! # MedChain client
//!
//! The one way a program talks to a MedChain node: the CLI's role commands, the auditor and the
//! integration tests all go through this crate, so a method, a runtime API function or a storage
//! item is named once, in types, and a node's answer is decoded with the runtime's own types.
//!
//! - [`rpc`]: the connection, the standard Substrate methods and the signed `medchain_` services
//!   through the generated client of [`medchain_rpc_api::MedchainApiClient`].
//! - [`services`]: each request body bound to its method and answer, and request signing.
//! - [`runtime_api`]: the runtime APIs, typed.
//! - [`chain`]: storage by the pallets' storage types, events, heads, waiting for finality.
//! - [`submit`]: signing a transaction, submitting it and waiting until it is final.
//! - [`dispatch`]: a failed call's error by its pallet's name and documentation.
//! - [`light`]: what a client proves itself instead of taking a node's word (headers,
//!   finality, state proofs), and [`trust`]: the chain spec it proves it from.
//! - [`sealing`]: the cryptography each role runs on its own machine.

pub mod chain;
pub mod dispatch;
pub mod light;
pub mod rpc;
pub mod runtime_api;
pub mod sealing;
pub mod services;
pub mod submit;
pub mod trust;

pub use chain::{Chain, ChainError};
pub use rpc::{NodeClient, RpcError};
pub use services::Service;
