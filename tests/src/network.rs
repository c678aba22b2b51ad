//! Starting and stopping `medchain-node` processes on loopback.

use crate::{rpc::Rpc, wait_for};
use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

/// The release node binary that `cargo build --release --workspace` produced.
pub fn node_binary() -> PathBuf {
    release_binary("medchain-node")
}

/// The release `medchain` CLI that `cargo build --release --workspace` produced.
pub fn cli_binary() -> PathBuf {
    release_binary("medchain")
}

fn release_binary(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            PathBuf::from(home).join(".cache/medchain-target")
        });
    let binary = target.join("release").join(name);
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build --release --workspace` first",
        binary.display()
    );
    binary
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("the OS hands out a free loopback port")
}

/// A hospital of the built-in `local` chain: its dev-seed identity and its node key.
#[derive(Clone, Copy, Debug)]
pub struct Hospital {
    /// `--alice`, `--bob`, ...: inserts the dev session keys and makes the node a validator.
    pub flag: &'static str,
    /// Secret ed25519 node key.
    pub node_key: &'static str,
    /// The peer id of that node key.
    pub peer_id: &'static str,
}

/// The four founding hospitals of `--chain local`.
pub const FOUNDERS: [Hospital; 4] = [
    Hospital {
        flag: "--alice",
        node_key: "0000000000000000000000000000000000000000000000000000000000000001",
        peer_id: "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
    },
    Hospital {
        flag: "--bob",
        node_key: "0000000000000000000000000000000000000000000000000000000000000002",
        peer_id: "12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD",
    },
    Hospital {
        flag: "--charlie",
        node_key: "0000000000000000000000000000000000000000000000000000000000000003",
        peer_id: "12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x",
    },
    Hospital {
        flag: "--dave",
        node_key: "0000000000000000000000000000000000000000000000000000000000000004",
        peer_id: "12D3KooWSsChzF81YDUKpe9Uk5AHV5oqAaXAcWNSPYgoLauUk4st",
    },
];

/// A node key no hospital registered, and its peer id.
pub const OUTSIDER: Hospital = Hospital {
    flag: "--eve",
    node_key: "0000000000000000000000000000000000000000000000000000000000000005",
    peer_id: "12D3KooWSuTq6MG9gPt7qZqLFKkYrfxMewTZhj9nmRHJkPwzWDG2",
};

/// One running node. Dropping it kills the process and deletes its base path.
pub struct Node {
    child: Option<Child>,
    hospital: Hospital,
    base: tempfile::TempDir,
    p2p_port: u16,
    rpc_port: u16,
    bootnodes: Vec<String>,
    pub rpc: Rpc,
}

impl Node {
    /// Starts `hospital`'s node on `--chain local`, bootstrapping from `bootnodes`.
    pub fn start(hospital: Hospital, bootnodes: &[String]) -> Self {
        let base = tempfile::Builder::new()
            .prefix("medchain-test-")
            .tempdir()
            .expect("a temporary base path");
        let rpc_port = free_port();
        let mut node = Self {
            child: None,
            hospital,
            base,
            p2p_port: free_port(),
            rpc_port,
            bootnodes: bootnodes.to_vec(),
            rpc: Rpc::new(rpc_port),
        };
        node.spawn();
        node
    }

    /// This node's address, for other nodes' `--bootnodes`.
    pub fn multiaddr(&self) -> String {
        format!(
            "/ip4/127.0.0.1/tcp/{}/p2p/{}",
            self.p2p_port, self.hospital.peer_id
        )
    }

    /// The node's JSON-RPC URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.rpc_port)
    }

    /// The node's `--base-path`.
    pub fn base_path(&self) -> &Path {
        self.base.path()
    }

    /// `medchain-node check-payloads` on this (stopped) node's payload stores: whether it found
    /// everything intact, and what it printed.
    pub fn check_payloads(&self) -> (bool, String) {
        let output = Command::new(node_binary())
            .arg("check-payloads")
            .arg("--base-path")
            .arg(self.base_path())
            .output()
            .expect("the node binary runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// Kills the process, keeping its database for [`Node::restart`].
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Already exited is fine: the point is that it no longer runs.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the process again on the same database, ports and keys.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    fn spawn(&mut self) {
        let log = std::fs::File::create(self.base.path().join("node.log")).expect("a log file");
        let child = Command::new(node_binary())
            .args(["--chain", "local", self.hospital.flag])
            .arg("--base-path")
            .arg(self.base.path())
            .args(["--node-key", self.hospital.node_key])
            .args(["--rpc-port", &self.rpc_port.to_string()])
            .args([
                "--listen-addr",
                &format!("/ip4/127.0.0.1/tcp/{}", self.p2p_port),
            ])
            .args([
                "--no-mdns",
                "--no-prometheus",
                "--no-telemetry",
                "--allow-private-ip",
            ])
            .args(["--offchain-worker", "always"])
            // Keeps every finalised block's state: the auditor's replay reads it from genesis.
            .args(["--state-pruning", "archive-canonical"])
            .args(
                self.bootnodes
                    .iter()
                    .flat_map(|b| ["--bootnodes", b.as_str()]),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("medchain-node starts");
        self.child = Some(child);
        let rpc = self.rpc.clone();
        wait_for("the node's RPC server", Duration::from_secs(60), || {
            rpc.block_number(None)
        });
    }

    /// The node's log so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.base.path().join("node.log")).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The four founding hospitals' validators, each bootstrapping from the first.
pub fn start_founders() -> Vec<Node> {
    let first = Node::start(FOUNDERS[0], &[]);
    let bootnodes = vec![first.multiaddr()];
    let mut nodes = vec![first];
    nodes.extend(FOUNDERS[1..].iter().map(|h| Node::start(*h, &bootnodes)));
    nodes
}

/// The four founders' validators, once each has finalised a block: a network ready for a test.
pub fn running_founders(timeout: Duration) -> Vec<Node> {
    let nodes = start_founders();
    wait_finalized(&nodes.iter().collect::<Vec<_>>(), 1, timeout);
    nodes
}

/// Waits until every node has finalised at least block `number`.
pub fn wait_finalized(nodes: &[&Node], number: u32, timeout: Duration) {
    for node in nodes {
        wait_for(&format!("finality of block {number}"), timeout, || {
            node.rpc.finalized_number().filter(|n| *n >= number)
        });
    }
}
