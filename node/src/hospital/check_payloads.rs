//! `medchain-node check-payloads`: an operator's check of a stopped node's payload stores (what
//! the hospital holds, and its copies of other hospitals' payloads), after a crash or a disk
//! fault. Opening a store discards uploads a crash interrupted; every stored payload is then
//! read through and re-hashed, and any that no longer matches its address (the hash recorded
//! on-chain) is named.

use medchain_blob_store::{hex, BlobStore};
use polkadot_sdk::sc_cli;
use std::path::{Path, PathBuf};

/// Verify every payload in a stopped node's store.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckPayloadsCmd {
    /// The node's base path (its `--base-path`); the stores are `<base>/medchain/blobs` and
    /// `<base>/medchain/copies`.
    #[arg(long, value_name = "PATH")]
    pub base_path: PathBuf,
}

impl CheckPayloadsCmd {
    /// Prints what it found; an error if any payload is damaged.
    pub fn run(&self) -> sc_cli::Result<()> {
        let held = super::blob_store_path(&self.base_path);
        if !held.exists() {
            return Err(format!("no payload store at {}", held.display()).into());
        }
        let mut total = Tally::default();
        for path in [held, super::copy_store_path(&self.base_path)] {
            if path.exists() {
                total.add(check(&path)?);
            }
        }
        println!(
            "in all: {} payload(s), {} damaged",
            total.payloads, total.damaged
        );
        if total.damaged > 0 {
            return Err(format!(
                "{} payload(s) are damaged: restore them from a backup or fetch them again from their holders",
                total.damaged
            )
            .into());
        }
        Ok(())
    }
}

/// How many payloads a check read, and how many of them were damaged.
#[derive(Default)]
struct Tally {
    payloads: usize,
    damaged: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.payloads += other.payloads;
        self.damaged += other.damaged;
    }
}

/// Checks the store at `path`, printing each payload's state.
fn check(path: &Path) -> sc_cli::Result<Tally> {
    let store = BlobStore::open(path, u64::MAX).map_err(|e| {
        format!(
            "cannot open {} (is the node still running?): {e}",
            path.display()
        )
    })?;
    println!(
        "{}: discarded {} interrupted upload(s)",
        path.display(),
        store.discarded_on_open()
    );
    let hashes = store.hashes().map_err(|e| e.to_string())?;
    let mut tally = Tally {
        payloads: hashes.len(),
        damaged: 0,
    };
    for hash in &hashes {
        match store.verify(hash) {
            Ok(()) => println!("intact    {}", hex(hash)),
            Err(e) => {
                tally.damaged += 1;
                println!("DAMAGED   {} ({e})", hex(hash));
            }
        }
    }
    println!(
        "{}: {} payload(s), {} damaged",
        path.display(),
        tally.payloads,
        tally.damaged
    );
    Ok(tally)
}
