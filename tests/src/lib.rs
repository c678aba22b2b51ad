//! Harness for MedChain's integration tests: starts release `medchain-node` processes on
//! loopback, talks to them through `medchain-client` and signs transactions for them.
//!
//! Every node started here is killed when its [`Node`](network::Node) is dropped, also when a test fails.

pub mod cli;
pub mod doctor_keys;
pub mod network;
pub mod rpc;
pub mod services;
pub mod tamper;
pub mod tx;

use std::time::{Duration, Instant};

/// Calls `probe` every half second until it returns `Some`, or fails after `timeout` with `what`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}
