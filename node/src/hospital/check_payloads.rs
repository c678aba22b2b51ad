//! `medchain-node check-payloads`: an operator's check of a stopped node's payload store, after
//! a crash or a disk fault. Opening the store discards uploads a crash interrupted; every stored
//! payload is then read through and re-hashed, and any that no longer matches its address (the
//! hash recorded on-chain) is named.

use medchain_blob_store::{hex, BlobStore};
use polkadot_sdk::sc_cli;
use std::path::PathBuf;

/// Verify every payload in a stopped node's store.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckPayloadsCmd {
    /// The node's base path (its `--base-path`); the store is `<base>/medchain/blobs`.
    #[arg(long, value_name = "PATH")]
    pub base_path: PathBuf,
}

impl CheckPayloadsCmd {
    /// Prints what it found; an error if any payload is damaged.
    pub fn run(&self) -> sc_cli::Result<()> {
        let path = super::blob_store_path(&self.base_path);
        if !path.exists() {
            return Err(format!("no payload store at {}", path.display()).into());
        }
        let store = BlobStore::open(&path, u64::MAX).map_err(|e| {
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
        let mut damaged = 0usize;
        for hash in &hashes {
            match store.verify(hash) {
                Ok(()) => println!("intact    {}", hex(hash)),
                Err(e) => {
                    damaged += 1;
                    println!("DAMAGED   {} ({e})", hex(hash));
                }
            }
        }
        println!("{} payload(s), {damaged} damaged", hashes.len());
        if damaged > 0 {
            return Err(format!(
                "{damaged} payload(s) are damaged: restore them from a backup or fetch them again from their holders"
            )
            .into());
        }
        Ok(())
    }
}
