//! Each signed request is served at most once: the signatures of requests served within the
//! freshness window are remembered, and older ones are forgotten since the window refuses them.
//!
//! - **Bounded**: at most [`CAPACITY`] requests are remembered. Once that many were served
//!   within one window, new requests are refused until the oldest age out: a flood is turned
//!   away, never let through as possible replays.
//! - **Across restarts**: a request issued before this node started is refused, since the run
//!   before may have served it. That gives the guarantee a set kept on disk would, without one.
//! - **Cheap**: requests are kept by time as well as by signature, so forgetting the old ones
//!   takes only those, not a scan of all.

use medchain_rpc_api::FRESHNESS_MS;
use std::{
    collections::{BTreeSet, HashSet},
    sync::Mutex,
};

/// Most requests remembered: served within one freshness window, about 800 a second.
pub const CAPACITY: usize = 100_000;

/// A signed request's signature, which identifies it.
type Id = [u8; 64];

/// Why a request is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Replay {
    /// It was served already.
    #[error("the request was already served (replay)")]
    Served,
    /// It was signed before this node started, so it may have been served before.
    #[error("the request was signed before this node started: sign it again")]
    BeforeStart,
    /// The node has served as many requests as it remembers within the freshness window.
    #[error("this node is serving too many requests: try again in a minute")]
    Busy,
}

/// Signatures of recently served requests, with their timestamps.
pub struct ReplayGuard {
    started_at: u64,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    ids: HashSet<Id>,
    by_time: BTreeSet<(u64, Id)>,
}

impl ReplayGuard {
    /// A guard for a node started at `started_at` (Unix milliseconds).
    pub fn new(started_at: u64) -> Self {
        Self {
            started_at,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Records request `id` issued at `issued_at`, to be served at `now`; why not, if it must
    /// not be served.
    pub fn first_time(&self, id: Id, issued_at: u64, now: u64) -> Result<(), Replay> {
        if issued_at < self.started_at {
            return Err(Replay::BeforeStart);
        }
        // A poisoned lock means a panic while holding it: refuse rather than risk a replay.
        let mut seen = self.seen.lock().map_err(|_| Replay::Busy)?;
        while let Some(&(at, old)) = seen.by_time.first() {
            if at.saturating_add(FRESHNESS_MS) >= now {
                break;
            }
            seen.by_time.pop_first();
            seen.ids.remove(&old);
        }
        if seen.ids.contains(&id) {
            return Err(Replay::Served);
        }
        if seen.ids.len() >= CAPACITY {
            return Err(Replay::Busy);
        }
        seen.ids.insert(id);
        seen.by_time.insert((issued_at, id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: usize) -> Id {
        let mut id = [0u8; 64];
        id[..8].copy_from_slice(&n.to_le_bytes());
        id
    }

    #[test]
    fn a_request_is_served_once_within_the_window() {
        let guard = ReplayGuard::new(0);
        assert_eq!(guard.first_time([1; 64], 1_000, 1_000), Ok(()));
        assert_eq!(guard.first_time([1; 64], 1_000, 2_000), Err(Replay::Served));
        assert_eq!(guard.first_time([2; 64], 1_000, 2_000), Ok(()));
        // Once outside the window it is forgotten (and the window refuses it anyway).
        assert_eq!(
            guard.first_time([1; 64], 1_000, 1_000 + FRESHNESS_MS + 1),
            Ok(())
        );
    }

    #[test]
    fn a_request_signed_before_the_node_started_is_refused() {
        let guard = ReplayGuard::new(10_000);
        assert_eq!(
            guard.first_time([1; 64], 9_999, 10_500),
            Err(Replay::BeforeStart)
        );
        assert_eq!(guard.first_time([1; 64], 10_000, 10_500), Ok(()));
    }

    #[test]
    fn a_flood_is_refused_not_forgotten() {
        let guard = ReplayGuard::new(0);
        for n in 0..CAPACITY {
            assert_eq!(guard.first_time(id(n), 1_000, 1_000), Ok(()));
        }
        assert_eq!(
            guard.first_time(id(CAPACITY), 1_000, 1_000),
            Err(Replay::Busy)
        );
        // Every one remembered is still refused as a replay.
        assert_eq!(guard.first_time(id(0), 1_000, 1_000), Err(Replay::Served));
        // Once the window has passed, the oldest make room.
        let later = 1_000 + FRESHNESS_MS + 1;
        assert_eq!(guard.first_time(id(CAPACITY), later, later), Ok(()));
    }
}
