//! What makes a hospital's node useful to its doctors and patients (`SPEC.md`, off-chain half):
//! the payload store, the in-memory search over authorising hospitals' indices, pre-decryption
//! with the transformation keys its doctors register each epoch, and the `medchain_` JSON-RPC
//! methods. The node never holds a doctor's attribute key: it relays it sealed to the doctor. A node whose keystore
//! holds no hospital account key (an auditor's, say) runs without them.

mod access;
mod check_payloads;
mod error;
mod events;
mod handover;
mod identity;
mod prepared;
mod replay;
mod rpc;
mod sealed_map;
mod submit;
mod transfer;
mod view;

pub use check_payloads::CheckPayloadsCmd;
pub use rpc::MedchainRpc;
pub use transfer::TransferPolicy;

use crate::service::FullClient;
use identity::Hospital;
use medchain_blob_store::BlobStore;
use medchain_crypto::{abe::TransformationKey, CryptoRngCore};
use medchain_runtime::{opaque::Block, AccountId};
use medchain_types::Epoch;
use polkadot_sdk::{
    sc_client_api::BlockchainEvents, sc_keystore::LocalKeystore,
    sc_network::service::traits::NetworkService, sc_service::TaskManager,
    sc_transaction_pool::TransactionPoolHandle,
};
use sealed_map::SealedMap;
use std::{
    path::Path,
    sync::{Arc, OnceLock},
};

/// The hospital services could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The hospital's account key could not be loaded.
    #[error(transparent)]
    Identity(#[from] identity::IdentityError),
    /// The services' directory could not be made.
    #[error("cannot create {}: {source}", .path.display())]
    Directory {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The payload store could not be opened.
    #[error("cannot open the payload store: {0}")]
    Store(medchain_blob_store::Error),
    /// A sealed key file could not be opened.
    #[error(transparent)]
    Keys(#[from] sealed_map::SealedMapError),
    /// The search view could not be loaded.
    #[error("cannot load the search view: {0}")]
    View(#[from] view::ViewError),
}

/// Node options of the hospital services.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Largest payload this node stores or fetches, in bytes; at most the runtime's
    /// `MaxPayloadSize` (the largest sealed payload, 1 GiB of ciphertext), which no record may
    /// exceed anyway.
    #[arg(long, default_value_t = runtime_max_payload_size())]
    pub max_payload_size: u64,
}

/// The runtime's bound on a record's payload (`pallet_records::Config::MaxPayloadSize`).
fn runtime_max_payload_size() -> u64 {
    use polkadot_sdk::frame_support::traits::Get;
    <medchain_runtime::Runtime as medchain_runtime::pallet_records::Config>::MaxPayloadSize::get()
}

/// The transaction pool the services submit to.
pub type Pool = TransactionPoolHandle<Block, FullClient>;

/// The hospital services, as the RPC methods and the transfer policy reach them. Each component
/// holds the handles it works with (the view: the chain, the payload store and the search keys
/// handed to this hospital; the submitter: the chain and the pool; the handover: the chain), and
/// these are what the RPC and the transfer policy use besides.
pub struct Services {
    client: Arc<FullClient>,
    hospital: Arc<Hospital>,
    /// What this hospital holds: its records' payloads, its doctors' reports, the attribute
    /// keys the KGC sealed to its doctors. The transfer protocol serves from here only.
    blobs: Arc<BlobStore>,
    /// Payloads fetched from other hospitals for this hospital's doctors: kept apart, never
    /// served to another node, and deleted when their record is withdrawn.
    copies: Arc<BlobStore>,
    max_payload_size: u64,
    /// The node's network, to fetch payloads from their holders; set once it is built.
    network: OnceLock<Arc<dyn NetworkService>>,
    /// Doctors' transformation keys, by doctor and epoch.
    transformation_keys: SealedMap<(AccountId, Epoch), TransformationKey>,
    /// The same keys prepared for pairing, as many as are in use.
    prepared: prepared::PreparedKeys,
    view: view::SharedView,
    replay: replay::ReplayGuard,
    submitter: submit::Submitter,
    handover: handover::Handover,
}

impl Services {
    /// Starts the services of the hospital whose account key is in `keystore` (or is the
    /// development seed), with their state under `base` (`<base>/medchain/`), or `None` when
    /// there is no such key.
    pub fn start(
        client: Arc<FullClient>,
        pool: Arc<Pool>,
        keystore: &LocalKeystore,
        dev_seed: Option<&str>,
        base: &Path,
        options: &Options,
        tasks: &TaskManager,
    ) -> Result<Option<Arc<Self>>, StartError> {
        let hospital = match (Hospital::from_keystore(keystore)?, dev_seed) {
            (Some(hospital), _) => hospital,
            (None, Some(seed)) => Hospital::from_dev_seed(seed)?,
            (None, None) => {
                log::info!(
                    "🏥 No hospital account key (`mdch`) in the keystore: medchain_ RPC is off"
                );
                return Ok(None);
            }
        };
        let limit = runtime_max_payload_size();
        let max_payload_size = options.max_payload_size.min(limit);
        if options.max_payload_size > limit {
            log::warn!("🏥 --max-payload-size is above the runtime's limit: using {limit} bytes");
        }
        let dir = base.join("medchain");
        std::fs::create_dir_all(&dir).map_err(|source| StartError::Directory {
            path: dir.clone(),
            source,
        })?;
        let open = |path| {
            let store = BlobStore::open(path, max_payload_size).map_err(StartError::Store)?;
            if store.discarded_on_open() > 0 {
                log::warn!(
                    "🏥 Discarded {} upload(s) interrupted by the last stop",
                    store.discarded_on_open()
                );
            }
            Ok::<_, StartError>(Arc::new(store))
        };
        let blobs = open(blob_store_path(base))?;
        let copies = open(copy_store_path(base))?;
        let transformation_keys = SealedMap::open(
            dir.join("transformation-keys"),
            hospital.file_key(),
            "medchain/node/transformation-keys/v1",
        )?;
        let handed_keys = SealedMap::open(
            dir.join("search-keys"),
            hospital.file_key(),
            "medchain/node/search-keys/v1",
        )?;
        log::info!("🏥 Serving hospital {}", hospital.account);
        let hospital = Arc::new(hospital);
        let view = view::SharedView::load(
            client.clone(),
            hospital.clone(),
            view::Stores {
                held: blobs.clone(),
                copies: copies.clone(),
            },
            handed_keys,
        )?;
        let services = Arc::new(Self {
            view,
            replay: replay::ReplayGuard::new(unix_millis()),
            submitter: submit::Submitter::new(client.clone(), pool, hospital.clone()),
            handover: handover::Handover::new(client.clone(), hospital.clone()),
            client,
            hospital,
            blobs,
            copies,
            max_payload_size,
            network: OnceLock::new(),
            transformation_keys,
            prepared: prepared::PreparedKeys::default(),
        });
        let follower = services.clone();
        tasks
            .spawn_handle()
            .spawn("medchain-follower", None, async move {
                use futures::StreamExt;
                let mut finalized = follower.client.finality_notification_stream();
                while let Some(notification) = finalized.next().await {
                    if let Err(e) = follower.view.follow(&notification) {
                        log::warn!(
                            "🏥 Could not apply finalised block {}: {e}",
                            notification.hash
                        );
                    }
                    let renewed = follower
                        .handover
                        .renew_stale_grants(&follower.submitter, notification.hash)
                        .await;
                    if let Err(e) = renewed {
                        log::warn!("🏥 Could not hand on our rotated search key: {e}");
                    }
                }
            });
        Ok(Some(services))
    }
}

impl Services {
    /// The payload store, which the transfer protocol serves from.
    pub fn blobs(&self) -> Arc<BlobStore> {
        self.blobs.clone()
    }

    /// Hands the services the node's network once it is built.
    pub fn attach_network(&self, network: Arc<dyn NetworkService>) {
        // Set once per node start; a second call would be a wiring mistake and changes nothing.
        let _ = self.network.set(network);
    }
}

/// Where the node with base path `base` keeps what its hospital holds.
fn blob_store_path(base: &Path) -> std::path::PathBuf {
    base.join("medchain").join("blobs")
}

/// Where the node with base path `base` keeps the payloads it fetched from other hospitals.
fn copy_store_path(base: &Path) -> std::path::PathBuf {
    base.join("medchain").join("copies")
}

/// The time now, in Unix milliseconds: 0 on a clock before 1970, against which every request
/// is stale.
fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

/// A generator seeded from the operating system: indices get fresh nonces, sealed search keys
/// fresh ephemerals.
fn os_rng() -> Result<impl CryptoRngCore, error::NoRandomness> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| error::NoRandomness(e.to_string()))?;
    Ok(medchain_crypto::seeded_rng(seed))
}
