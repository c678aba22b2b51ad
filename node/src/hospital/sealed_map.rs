//! The secrets a hospital's node keeps that cannot be derived from its account key: its doctors'
//! transformation keys, and the search keys other hospitals handed it (whose older epochs are no
//! longer on-chain once rotated). Each set is kept in memory and in one
//! AES-256-GCM sealed file under the base path, rewritten atomically (temporary file, then
//! rename) with mode 0600.

use codec::{Decode, Encode};
use medchain_crypto::{
    aead::{PayloadKey, SealedPayload},
    hash::sha256,
    hazmat::{open_with_aad, payload_key, seal_with_aad},
    seeded_rng,
};
use std::{
    collections::BTreeMap, fs, io::Write, os::unix::fs::OpenOptionsExt, path::PathBuf, sync::RwLock,
};
use zeroize::Zeroizing;

use super::error::{NoRandomness, Poisoned};

/// A sealed key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SealedMapError {
    /// The file is not a sealed file.
    #[error("{} is not a sealed key file: {reason}", .path.display())]
    NotSealed {
        /// The file.
        path: PathBuf,
        /// The decoding error.
        reason: String,
    },
    /// The file is sealed for other secrets (another label).
    #[error("{} holds other secrets", .path.display())]
    OtherSecrets {
        /// The file.
        path: PathBuf,
    },
    /// The file does not open with this hospital's key.
    #[error("{} does not open with this hospital's key (another account's file, or tampered)", .path.display())]
    WrongKey {
        /// The file.
        path: PathBuf,
    },
    /// The opened file does not decode as the map's entries.
    #[error("{} holds malformed keys: {reason}", .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The decoding error.
        reason: String,
    },
    /// Reading or writing the file failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// `read`, `write` or `replace`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The in-memory map's lock is poisoned.
    #[error(transparent)]
    Poisoned(#[from] Poisoned),
    /// No randomness for the file's nonce.
    #[error(transparent)]
    NoRandomness(#[from] NoRandomness),
    /// Sealing failed.
    #[error("cannot seal the key file: {0}")]
    Seal(medchain_crypto::Error),
}

/// A map of secrets persisted in one sealed file.
pub struct SealedMap<K, V> {
    path: PathBuf,
    key: PayloadKey,
    /// The file's associated data: names what it holds, so that no other sealed file opens as
    /// this one.
    label: [u8; 32],
    entries: RwLock<BTreeMap<K, V>>,
}

impl<K: Ord + Encode + Decode + Clone, V: Encode + Decode + Clone> SealedMap<K, V> {
    /// Loads the file at `path` (none yet is an empty map) sealed under `file_key`, holding what
    /// `label` names.
    pub fn open(path: PathBuf, file_key: [u8; 32], label: &str) -> Result<Self, SealedMapError> {
        let key = payload_key(file_key);
        let label = sha256(label.as_bytes());
        let entries = match fs::read(&path) {
            Ok(bytes) => {
                let sealed = SealedPayload::decode(&mut &bytes[..]).map_err(|e| {
                    SealedMapError::NotSealed {
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                })?;
                if sealed.associated_data != label {
                    return Err(SealedMapError::OtherSecrets { path });
                }
                let plain = Zeroizing::new(
                    open_with_aad(&key, &sealed)
                        .map_err(|_| SealedMapError::WrongKey { path: path.clone() })?,
                );
                Vec::<(K, V)>::decode(&mut &plain[..])
                    .map_err(|e| SealedMapError::Malformed {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?
                    .into_iter()
                    .collect()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(SealedMapError::Io {
                    action: "read",
                    path,
                    source,
                })
            }
        };
        Ok(Self {
            path,
            key,
            label,
            entries: RwLock::new(entries),
        })
    }

    /// The secret kept under `key`.
    pub fn get(&self, key: &K) -> Option<V> {
        self.entries.read().ok()?.get(key).cloned()
    }

    /// Every entry.
    pub fn entries(&self) -> Vec<(K, V)> {
        self.entries
            .read()
            .map(|entries| {
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Keeps `value` under `key` (replacing an older one) and rewrites the file.
    pub fn insert(&self, key: K, value: V) -> Result<(), SealedMapError> {
        let mut entries = self.entries.write().map_err(|_| Poisoned("the key set"))?;
        entries.insert(key, value);
        let plain = Zeroizing::new(entries.iter().collect::<Vec<(&K, &V)>>().encode());
        let mut nonce_seed = [0u8; 32];
        getrandom::fill(&mut nonce_seed).map_err(|e| NoRandomness(e.to_string()))?;
        let sealed = seal_with_aad(&self.key, self.label, &plain, &mut seeded_rng(nonce_seed))
            .map_err(SealedMapError::Seal)?;
        self.write(&sealed.encode())
    }

    fn write(&self, bytes: &[u8]) -> Result<(), SealedMapError> {
        let temporary = self.path.with_extension("tmp");
        let io = |action, path: &PathBuf| {
            let path = path.clone();
            move |source| SealedMapError::Io {
                action,
                path,
                source,
            }
        };
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)
            .map_err(io("write", &temporary))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(io("write", &temporary))?;
        fs::rename(&temporary, &self.path).map_err(io("replace", &self.path))
    }
}
