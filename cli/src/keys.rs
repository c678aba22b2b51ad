//! Key files: what each role keeps on disk, and the one way secrets are written.
//!
//! An account key file is JSON: the role (`kind`), what rebuilds the exact sr25519 pair (a
//! random `secretSeed`, or the `suri` of a development account such as `//Alice`) and the SS58
//! `account`, checked against the rebuilt pair on every load so that a damaged file is refused
//! rather than signing as someone else. A doctor's file also holds their decryption secrets
//! (`x_D` and `zseed`, [`DoctorSecretKey`]), the registered `pk_D` the KGC seals their attribute
//! key to, and, once fetched and opened, that attribute key `SK` itself: all three stay on the
//! doctor's machine.
//!
//! The KGC's Setup file holds `pp` and `msk`. Every secret (and every decrypted record or report)
//! is written with mode 0600 and never over an existing file unless the user asks (`--force`).

use std::{
    fmt, fs,
    io::{self, Write},
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use codec::{Decode, DecodeAll, Encode};
use medchain_crypto::{
    abe::{self, AttributeKey, DoctorSecretKey, MasterSecretKey, PublicParams},
    elgamal,
};
use medchain_runtime::AccountId;
use medchain_types::CompressedG1;
use polkadot_sdk::sp_core::{sr25519, Pair};
use rand::{rngs::OsRng, RngCore};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::text;

/// Who a key belongs to: each command accepts only its own role's key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The key generation centre.
    Kgc,
    /// A hospital (its account also signs its council votes).
    Hospital,
    /// A patient.
    Patient,
    /// A doctor.
    Doctor,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Kgc => "kgc",
            Role::Hospital => "hospital",
            Role::Patient => "patient",
            Role::Doctor => "doctor",
        })
    }
}

/// A key file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Writing would replace an existing file.
    #[error("{} already exists: pass --force to overwrite it (what it holds is then lost)", .path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not a well-formed key file.
    #[error("{} is not a valid MedChain key file: {reason}", .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The file holds another role's key.
    #[error("{} holds a {found} key, but this command needs a {expected} key: make one with `medchain {expected} keygen`", .path.display())]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// The role in the file.
        found: Role,
        /// The role the command needs.
        expected: Role,
    },
    /// `--suri` does not describe a key.
    #[error("invalid secret URI {suri:?}: {reason} (use e.g. //Alice, or a 0x seed)")]
    Suri {
        /// The URI given.
        suri: String,
        /// Why it was refused.
        reason: String,
    },
}

/// Writes `contents` to `path` readable by its owner only (0600). Refuses an existing file unless
/// `force`, in which case its permissions are tightened too.
pub fn write_private(path: &Path, contents: &[u8], force: bool) -> Result<(), KeyFileError> {
    let write = |source| KeyFileError::Write {
        path: path.to_owned(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == io::ErrorKind::AlreadyExists {
            KeyFileError::Exists {
                path: path.to_owned(),
            }
        } else {
            write(source)
        }
    })?;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(write)?;
    file.write_all(contents).map_err(write)?;
    file.sync_all().map_err(write)
}

/// Replaces `path` with `contents` (0600) atomically: written beside it, then renamed over it, so
/// that a crash leaves the old file or the new one, never a torn key file.
fn replace_private(path: &Path, contents: &[u8]) -> Result<(), KeyFileError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    write_private(&temporary, contents, true)?;
    fs::rename(&temporary, path).map_err(|source| KeyFileError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Reads and parses a JSON file; the bytes read are wiped afterwards.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, KeyFileError> {
    let bytes = Zeroizing::new(fs::read(path).map_err(|source| KeyFileError::Read {
        path: path.to_owned(),
        source,
    })?);
    serde_json::from_slice(&bytes).map_err(|e| malformed(path, e))
}

/// Pretty JSON of `value`, wiped when dropped.
fn json_of<T: Serialize>(path: &Path, value: &T) -> Result<Zeroizing<Vec<u8>>, KeyFileError> {
    let mut json =
        Zeroizing::new(serde_json::to_vec_pretty(value).map_err(|e| malformed(path, e))?);
    json.push(b'\n');
    Ok(json)
}

/// Writes `value` as pretty JSON with [`write_private`].
fn write_json<T: Serialize>(path: &Path, value: &T, force: bool) -> Result<(), KeyFileError> {
    write_private(path, &json_of(path, value)?, force)
}

fn malformed(path: &Path, reason: impl ToString) -> KeyFileError {
    KeyFileError::Malformed {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// Decodes a SCALE value from a hex field of a key file.
fn decode_field<T: Decode>(path: &Path, field: &str, hex: &str) -> Result<T, KeyFileError> {
    let bytes = text::parse_hex(hex).map_err(|e| malformed(path, format!("{field}: {e}")))?;
    T::decode_all(&mut &bytes[..]).map_err(|e| malformed(path, format!("{field}: {e}")))
}

/// An account key file, as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountFile {
    kind: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_seed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    suri: Option<String>,
    account: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    doctor_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    doctor_public: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attribute_key: Option<String>,
}

/// What rebuilds an account's pair.
#[derive(Clone)]
enum Secret {
    /// A random 32-byte seed.
    Seed([u8; 32]),
    /// A secret URI (development accounts, derivation paths).
    Suri(String),
}

/// A doctor's own keys.
pub struct DoctorKeys {
    /// `x_D` (opens the sealed attribute key) and `zseed` (finishes every decryption).
    pub secret: DoctorSecretKey,
    /// `pk_D = g1^x_D`, registered on-chain: the KGC seals the attribute key to it.
    pub public: elgamal::PublicKey,
    /// `SK`, once fetched from the hospital's node and opened.
    pub attribute_key: Option<AttributeKey>,
}

/// A loaded account key.
pub struct AccountKey {
    /// Whose key it is.
    pub role: Role,
    /// The account's signing pair.
    pub pair: sr25519::Pair,
    /// The account.
    pub account: AccountId,
    secret: Secret,
    /// A doctor's own keys.
    pub doctor: Option<DoctorKeys>,
}

impl AccountKey {
    /// A new key for `role`: from `suri` when given, from the OS generator otherwise. Doctors
    /// also get fresh decryption secrets (`DoctorSetup`).
    pub fn generate(role: Role, suri: Option<&str>) -> Result<Self, KeyFileError> {
        let secret = match suri {
            Some(suri) => Secret::Suri(suri.to_owned()),
            None => {
                let mut seed = [0u8; 32];
                OsRng.fill_bytes(&mut seed);
                Secret::Seed(seed)
            }
        };
        let pair = pair_of(&secret)?;
        let doctor = (role == Role::Doctor).then(|| {
            let (secret, public) = abe::doctor_setup(&mut OsRng);
            DoctorKeys {
                secret,
                public,
                attribute_key: None,
            }
        });
        Ok(Self {
            role,
            account: AccountId::from(pair.public()),
            pair,
            secret,
            doctor,
        })
    }

    /// Writes the key to `path` (0600; see [`write_private`]).
    pub fn save(&self, path: &Path, force: bool) -> Result<(), KeyFileError> {
        write_json(path, &self.file(), force)
    }

    /// Rewrites the key file at `path` atomically, e.g. once the doctor's attribute key is in.
    pub fn update(&self, path: &Path) -> Result<(), KeyFileError> {
        replace_private(path, &json_of(path, &self.file())?)
    }

    fn file(&self) -> AccountFile {
        let (secret_seed, suri) = match &self.secret {
            Secret::Seed(seed) => (Some(text::hex(seed)), None),
            Secret::Suri(suri) => (None, Some(suri.clone())),
        };
        let doctor = self.doctor.as_ref();
        AccountFile {
            kind: self.role,
            secret_seed,
            suri,
            account: text::account(&self.account),
            doctor_secret: doctor.map(|k| text::hex(&Zeroizing::new(k.secret.encode()))),
            doctor_public: doctor.map(|k| text::hex(&k.public.encode())),
            attribute_key: doctor
                .and_then(|k| k.attribute_key.as_ref())
                .map(|sk| text::hex(&Zeroizing::new(sk.encode()))),
        }
    }

    /// Reads the key in `path`, which must be a `role` key whose pair matches its account.
    pub fn load(path: &Path, role: Role) -> Result<Self, KeyFileError> {
        let file: AccountFile = read_json(path)?;
        if file.kind != role {
            return Err(KeyFileError::WrongKind {
                path: path.to_owned(),
                found: file.kind,
                expected: role,
            });
        }
        let secret = match (file.secret_seed, file.suri) {
            (Some(seed), None) => Secret::Seed(
                text::parse_hex_array(&seed)
                    .map_err(|e| malformed(path, format!("secretSeed: {e}")))?,
            ),
            (None, Some(suri)) => Secret::Suri(suri),
            _ => {
                return Err(malformed(
                    path,
                    "it needs exactly one of secretSeed and suri",
                ))
            }
        };
        let pair = pair_of(&secret)?;
        let account = AccountId::from(pair.public());
        if text::account(&account) != file.account {
            return Err(malformed(
                path,
                format!(
                    "its secret is the key of {}, not of the account {} it names",
                    text::account(&account),
                    file.account
                ),
            ));
        }
        let doctor = match (role, file.doctor_secret, file.doctor_public) {
            (Role::Doctor, Some(secret), Some(public)) => {
                let secret: DoctorSecretKey = decode_field(path, "doctorSecret", &secret)?;
                let public: elgamal::PublicKey = decode_field(path, "doctorPublic", &public)?;
                if secret.public_key() != public {
                    return Err(malformed(
                        path,
                        "doctorPublic is not the key of doctorSecret",
                    ));
                }
                let attribute_key = file
                    .attribute_key
                    .map(|sk| decode_field(path, "attributeKey", &sk))
                    .transpose()?;
                Some(DoctorKeys {
                    secret,
                    public,
                    attribute_key,
                })
            }
            (Role::Doctor, _, _) => {
                return Err(malformed(
                    path,
                    "a doctor's key needs doctorSecret and doctorPublic",
                ))
            }
            (_, None, None) if file.attribute_key.is_none() => None,
            _ => return Err(malformed(path, "only a doctor's key holds doctor keys")),
        };
        Ok(Self {
            role,
            pair,
            account,
            secret,
            doctor,
        })
    }

    /// The account in SS58 form.
    pub fn ss58(&self) -> String {
        text::account(&self.account)
    }

    /// The ElGamal key reports (patients) and search keys (hospitals) are sealed to, derived
    /// from the account key so that it needs no storage of its own.
    pub fn encryption_key(&self) -> elgamal::SecretKey {
        elgamal::SecretKey::derive(&self.pair.to_raw_vec())
    }

    /// The public half of [`AccountKey::encryption_key`], compressed G1 as stored on-chain.
    pub fn encryption_public_key(&self) -> CompressedG1 {
        self.encryption_key().public_key().compress()
    }
}

fn pair_of(secret: &Secret) -> Result<sr25519::Pair, KeyFileError> {
    match secret {
        Secret::Seed(seed) => Ok(sr25519::Pair::from_seed(seed)),
        Secret::Suri(suri) => {
            sr25519::Pair::from_string(suri, None).map_err(|e| KeyFileError::Suri {
                suri: suri.clone(),
                reason: e.to_string(),
            })
        }
    }
}

/// The KGC's Setup file, as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetupFile {
    kind: String,
    depth: u8,
    public_params: String,
    master_secret: String,
}

/// The `kind` of a Setup file.
const SETUP_KIND: &str = "kgc-setup";

/// The KGC's Setup: public parameters and master secret.
pub struct KgcSetup {
    /// `pp`, which the chain holds too.
    pub pp: PublicParams,
    /// `msk`: issues attribute and update keys.
    pub msk: MasterSecretKey,
}

impl KgcSetup {
    /// Writes the Setup to `path` (0600).
    pub fn save(&self, path: &Path, force: bool) -> Result<(), KeyFileError> {
        let file = SetupFile {
            kind: SETUP_KIND.to_owned(),
            depth: self.pp.depth,
            public_params: text::hex(&self.pp.encode()),
            master_secret: text::hex(&self.msk.encode()),
        };
        write_json(path, &file, force)
    }

    /// Reads the Setup in `path`.
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let file: SetupFile = read_json(path)?;
        if file.kind != SETUP_KIND {
            return Err(malformed(
                path,
                format!(
                    "its kind is {:?}, not {SETUP_KIND:?}: make one with `medchain kgc setup`",
                    file.kind
                ),
            ));
        }
        let pp: PublicParams = decode_field(path, "publicParams", &file.public_params)?;
        if pp.depth != file.depth {
            return Err(malformed(path, "depth is not the depth of publicParams"));
        }
        let msk = decode_field(path, "masterSecret", &file.master_secret)?;
        Ok(Self { pp, msk })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use medchain_runtime::genesis::dev_kgc;
    use polkadot_sdk::sp_keyring::Sr25519Keyring;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).expect("exists").permissions().mode() & 0o777
    }

    #[test]
    fn a_random_key_round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("patient.json");
        let key = AccountKey::generate(Role::Patient, None).expect("generates");
        key.save(&path, false).expect("saves");
        assert_eq!(mode(&path), 0o600);
        let loaded = AccountKey::load(&path, Role::Patient).expect("loads");
        assert_eq!(loaded.account, key.account);
        assert_eq!(loaded.pair.to_raw_vec(), key.pair.to_raw_vec());
        assert_eq!(loaded.encryption_public_key(), key.encryption_public_key());
        assert!(loaded.doctor.is_none());
    }

    #[test]
    fn a_suri_key_rebuilds_the_development_account() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alice.json");
        AccountKey::generate(Role::Hospital, Some("//Alice"))
            .expect("generates")
            .save(&path, false)
            .expect("saves");
        let json = fs::read_to_string(&path).expect("reads");
        assert!(json.contains("\"suri\": \"//Alice\""), "{json}");
        assert!(!json.contains("secretSeed"), "{json}");
        let alice = AccountKey::load(&path, Role::Hospital).expect("loads");
        assert_eq!(alice.account, Sr25519Keyring::Alice.to_account_id());
        assert_eq!(
            alice.encryption_public_key(),
            medchain_runtime::hospital_keys::registered_encryption_key(
                &Sr25519Keyring::Alice.pair()
            )
        );
    }

    #[test]
    fn a_doctor_key_keeps_its_secrets_and_later_its_attribute_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("doctor.json");
        let mut key = AccountKey::generate(Role::Doctor, None).expect("generates");
        key.save(&path, false).expect("saves");
        let loaded = AccountKey::load(&path, Role::Doctor).expect("loads");
        let read = loaded.doctor.expect("doctor keys");
        let saved = key.doctor.as_mut().expect("doctor keys");
        assert_eq!(read.public, saved.public);
        assert_eq!(read.secret.public_key(), saved.public);
        assert!(read.attribute_key.is_none());

        let (pp, msk) = dev_kgc::setup();
        let tables = abe::KeyTables::new(&pp);
        let sk = abe::keygen(
            &pp,
            &tables,
            &msk,
            medchain_types::LeafIndex::new(3),
            &["cardiology"],
            &mut OsRng,
        )
        .expect("SK");
        saved.attribute_key = Some(sk);
        key.update(&path).expect("rewrites");
        assert_eq!(mode(&path), 0o600);
        let reloaded = AccountKey::load(&path, Role::Doctor).expect("loads");
        let sk = reloaded
            .doctor
            .and_then(|d| d.attribute_key)
            .expect("the attribute key is kept");
        assert_eq!(sk.leaf, medchain_types::LeafIndex::new(3));
    }

    #[test]
    fn an_existing_file_is_kept_unless_forced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("key.json");
        let first = AccountKey::generate(Role::Kgc, None).expect("generates");
        first.save(&path, false).expect("saves");
        let second = AccountKey::generate(Role::Kgc, None).expect("generates");
        assert!(matches!(
            second.save(&path, false),
            Err(KeyFileError::Exists { .. })
        ));
        assert_eq!(
            AccountKey::load(&path, Role::Kgc).expect("loads").account,
            first.account
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        second.save(&path, true).expect("forced");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            AccountKey::load(&path, Role::Kgc).expect("loads").account,
            second.account
        );
    }

    #[test]
    fn malformed_or_foreign_files_are_refused_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("key.json");
        write_private(&path, b"{not json", false).expect("writes");
        assert!(matches!(
            AccountKey::load(&path, Role::Patient),
            Err(KeyFileError::Malformed { .. })
        ));

        AccountKey::generate(Role::Patient, None)
            .expect("generates")
            .save(&path, true)
            .expect("saves");
        assert!(matches!(
            AccountKey::load(&path, Role::Doctor),
            Err(KeyFileError::WrongKind {
                found: Role::Patient,
                expected: Role::Doctor,
                ..
            })
        ));

        // Another account's address with this seed: refused, never signs as the wrong account.
        let json = fs::read_to_string(&path).expect("reads");
        let mut file: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        file["account"] = text::account(&Sr25519Keyring::Bob.to_account_id()).into();
        write_private(&path, file.to_string().as_bytes(), true).expect("writes");
        let error = AccountKey::load(&path, Role::Patient)
            .err()
            .expect("refused");
        assert!(error.to_string().contains("not of the account"), "{error}");

        assert!(matches!(
            AccountKey::load(&dir.path().join("missing.json"), Role::Patient),
            Err(KeyFileError::Read { .. })
        ));
    }

    #[test]
    fn a_setup_file_round_trips() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kgc-setup.json");
        let (pp, msk) = dev_kgc::setup();
        KgcSetup {
            pp: pp.clone(),
            msk,
        }
        .save(&path, false)
        .expect("saves");
        assert_eq!(mode(&path), 0o600);
        let loaded = KgcSetup::load(&path).expect("loads");
        assert_eq!(loaded.pp, pp);
        assert_eq!(loaded.msk.encode(), dev_kgc::setup().1.encode());
        assert!(matches!(
            AccountKey::load(&path, Role::Kgc),
            Err(KeyFileError::Malformed { .. })
        ));
    }
}
