//! Each signed request is served at most once: the signatures of requests served within the
//! freshness window are remembered, and older ones are forgotten since the window refuses them.

use medchain_rpc_api::FRESHNESS_MS;
use std::{collections::HashMap, sync::Mutex};

/// Signatures of recently served requests, with their timestamps.
#[derive(Default)]
pub struct ReplayGuard {
    seen: Mutex<HashMap<[u8; 64], u64>>,
}

impl ReplayGuard {
    /// Records request `id` issued at `issued_at`; `false` if it was already served. Forgets
    /// requests too old to be accepted again at `now`.
    pub fn first_time(&self, id: [u8; 64], issued_at: u64, now: u64) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        seen.retain(|_, at| at.abs_diff(now) <= FRESHNESS_MS);
        seen.insert(id, issued_at).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_served_once_within_the_window() {
        let guard = ReplayGuard::default();
        assert!(guard.first_time([1; 64], 1_000, 1_000));
        assert!(!guard.first_time([1; 64], 1_000, 2_000));
        assert!(guard.first_time([2; 64], 1_000, 2_000));
        // Once outside the window it is forgotten (and the window refuses it anyway).
        assert!(guard.first_time([1; 64], 1_000, 1_000 + FRESHNESS_MS + 1));
    }
}
