//! The revocation list's entries, as the chain stores them and the KGC's tree reads them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{Epoch, LeafIndex};

/// One entry of the revocation list: `leaf` is revoked from `epoch` on. The leaf and the epoch
/// only mean something together, so they travel as one value, from the KGC pallet's storage to
/// the update keys' node sets and the auditor's replay.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Revocation {
    /// The revoked doctor's leaf.
    pub leaf: LeafIndex,
    /// First epoch in which the leaf is revoked.
    pub epoch: Epoch,
}
