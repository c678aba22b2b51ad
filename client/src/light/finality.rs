//! GRANDPA's finality proof of a block (`grandpa_proveFinality`): a justification of that block
//! or of a later block of the same set, with the headers between.
//!
//! Nodes keep a justification only for blocks that hand over to a new authority set and every
//! so many blocks, so the finalised head usually has none of its own: the proof shows it final
//! through a descendant the set signed.

use codec::{Decode, DecodeAll};
use medchain_runtime::{BlockNumber, Hash, Header};

use super::{
    authorities::{AuthoritySet, AuthorityTracker},
    justification,
};

/// The finality proof `grandpa_proveFinality` returns (`sc_consensus_grandpa::FinalityProof`).
#[derive(Decode)]
struct FinalityProof {
    /// The block the justification is for.
    block: Hash,
    /// The encoded justification.
    justification: Vec<u8>,
    /// The headers after the requested block up to `block`, in order.
    unknown_headers: Vec<Header>,
}

/// Checks the encoded proof that block `last` (`hash`) is final. `set_at_last` is the set that
/// justifies `last` itself; `tracker` has followed the chain through `last`. A forced authority
/// change among the proof's headers is refused: it would let the proof name its own signers.
pub fn check_proof(
    encoded: &[u8],
    (last, hash): (BlockNumber, Hash),
    set_at_last: &AuthoritySet,
    tracker: &AuthorityTracker,
) -> Result<(), String> {
    let proof = FinalityProof::decode_all(&mut &encoded[..])
        .map_err(|e| format!("the finality proof does not decode: {e}"))?;
    if proof.block == hash {
        return justification::verify_encoded(&proof.justification, last, hash, set_at_last)
            .map_err(|e| e.to_string());
    }
    let mut tracker = tracker.clone();
    let (mut previous, mut number) = (hash, last);
    for header in &proof.unknown_headers {
        number += 1;
        if header.number != number || header.parent_hash != previous {
            return Err(format!(
                "the proof's header #{} does not link to block #{}",
                header.number,
                number - 1
            ));
        }
        let set = tracker.current().set_id;
        tracker.import(header).map_err(|e| e.to_string())?;
        if tracker.current().set_id != set {
            return Err(format!(
                "the proof's header #{number} forces a change of authorities"
            ));
        }
        previous = header.hash();
        if previous == proof.block {
            return justification::verify_encoded(
                &proof.justification,
                number,
                previous,
                tracker.current(),
            )
            .map_err(|e| format!("the proof's justification of block #{number}: {e}"));
        }
        tracker.finalize(number);
    }
    Err(format!(
        "the proof justifies block {:?}, which its headers do not link to block #{last}",
        proof.block
    ))
}
