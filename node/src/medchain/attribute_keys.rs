//! Doctors' attribute keys, as the KGC issued them: the only secrets of a hospital's node that
//! cannot be derived from its account key. Kept in memory and in one AES-256-GCM sealed file
//! under the base path, rewritten atomically (temporary file, then rename) with mode 0600.

use codec::{Decode, Encode};
use medchain_crypto::{
    abe::AttributeKey,
    aead::{open_with_aad, seal_with_aad, PayloadKey, SealedPayload},
    hash::sha256,
    seeded_rng,
};
use medchain_runtime::AccountId;
use std::{
    collections::BTreeMap, fs, io::Write, os::unix::fs::OpenOptionsExt, path::PathBuf, sync::RwLock,
};

/// The file's associated data: names what it holds, so that no other sealed file opens as one.
fn label() -> [u8; 32] {
    sha256(b"medchain/node/attribute-keys/v1")
}

/// Doctors' attribute keys, by doctor.
pub struct AttributeKeys {
    path: PathBuf,
    key: PayloadKey,
    keys: RwLock<BTreeMap<AccountId, AttributeKey>>,
}

impl AttributeKeys {
    /// Loads the file at `path` (none yet is an empty set) sealed under `file_key`.
    pub fn open(path: PathBuf, file_key: [u8; 32]) -> Result<Self, String> {
        let key = PayloadKey::from_bytes(file_key);
        let keys = match fs::read(&path) {
            Ok(bytes) => {
                let sealed = SealedPayload::decode(&mut &bytes[..])
                    .map_err(|e| format!("{} is not a sealed key file: {e}", path.display()))?;
                let plain = open_with_aad(&key, &sealed).map_err(|_| {
                    format!(
                        "{} does not open with this hospital's key (another account's file, or tampered)",
                        path.display()
                    )
                })?;
                Vec::<(AccountId, AttributeKey)>::decode(&mut &plain[..])
                    .map_err(|e| format!("{} holds malformed keys: {e}", path.display()))?
                    .into_iter()
                    .collect()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(Self {
            path,
            key,
            keys: RwLock::new(keys),
        })
    }

    /// `doctor`'s attribute key, if the KGC delivered one.
    pub fn get(&self, doctor: &AccountId) -> Option<AttributeKey> {
        self.keys.read().ok()?.get(doctor).cloned()
    }

    /// Keeps `doctor`'s key (replacing an older one) and rewrites the file.
    pub fn insert(&self, doctor: AccountId, key: AttributeKey) -> Result<(), String> {
        let mut keys = self.keys.write().map_err(|_| "the key set is poisoned")?;
        keys.insert(doctor, key);
        let plain: Vec<(&AccountId, &AttributeKey)> = keys.iter().collect();
        let mut nonce_seed = [0u8; 32];
        getrandom::fill(&mut nonce_seed).map_err(|e| format!("no randomness: {e}"))?;
        let sealed = seal_with_aad(
            &self.key,
            label(),
            &plain.encode(),
            &mut seeded_rng(nonce_seed),
        )
        .map_err(|e| format!("cannot seal the key file: {e:?}"))?;
        self.write(&sealed.encode())
    }

    fn write(&self, bytes: &[u8]) -> Result<(), String> {
        let temporary = self.path.with_extension("tmp");
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)
            .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
        fs::rename(&temporary, &self.path)
            .map_err(|e| format!("cannot replace {}: {e}", self.path.display()))
    }
}
