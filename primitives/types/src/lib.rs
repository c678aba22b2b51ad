//! # MedChain types
//!
//! What the runtime, the node, its clients and the auditor must agree on, written once. `no_std`,
//! with no Substrate dependency beyond SCALE and its type information (and the curve, for its
//! points), so that the pallets use it as well as the programs around them, and the
//! cryptography builds on it.
//!
//! - [`ids`]: the numbers the chain names things by ([`RecordId`], [`ReportId`], [`Epoch`],
//!   [`KeyEpoch`], [`LeafIndex`], [`NodeId`]), each its own type, encoded as the bare integer.
//! - [`point`]: group elements as they travel ([`CompressedG1`]), checked once where they are
//!   decompressed.
//! - [`revocation`]: an entry of the revocation list ([`Revocation`]): a leaf and the epoch it
//!   is revoked from.
//! - [`directory`]: what the pallets ask of the hospitals registry ([`HospitalDirectory`]).
//! - [`access`]: who may be served a record's data. A hospital's node applies it before it
//!   serves a doctor (RPC) or another hospital's node (transfer); the auditor applies it to
//!   every access the chain logged.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod access;
pub mod directory;
pub mod ids;
pub mod point;
pub mod revocation;

pub use directory::HospitalDirectory;
pub use ids::{Epoch, KeyEpoch, LeafIndex, NodeId, RecordId, ReportId};
pub use point::{CompressedG1, InvalidPoint};
pub use revocation::Revocation;
