//! # MedChain types
//!
//! What the node, its clients and the auditor must agree on, written once. `no_std`, with no
//! Substrate dependency, so that the runtime could use it too.
//!
//! - [`access`]: who may be served a record's data. A hospital's node applies it before it
//!   serves a doctor (RPC) or another hospital's node (transfer); the auditor applies it to
//!   every access the chain logged.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod access;
