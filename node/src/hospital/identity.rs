//! Which hospital this node serves: the account key in its keystore, under key type `mdch`.
//!
//! The hospital's account signs what its node submits (records, access logs), and its secret is
//! the root of the hospital's other secrets ([`medchain_runtime::hospital_keys`]): the
//! encryption key other hospitals seal search keys to, its own search keys, and the key of the
//! file that keeps doctors' attribute keys. Insert it with
//! `medchain-node key insert --key-type mdch --scheme sr25519 --suri <secret>`.

use medchain_crypto::{elgamal, index::SearchKey};
use medchain_runtime::{hospital_keys, AccountId};
use medchain_types::KeyEpoch;
use polkadot_sdk::{
    sc_keystore::LocalKeystore,
    sp_application_crypto::{app_crypto, sr25519},
    sp_core::{crypto::KeyTypeId, Pair},
    sp_keystore::Keystore,
};

/// The keystore key type of a hospital's account key.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"mdch");

mod app {
    use super::*;
    app_crypto!(sr25519, KEY_TYPE);
}

/// The hospital this node serves, with the secrets derived from its account key.
pub struct Hospital {
    pair: polkadot_sdk::sp_core::sr25519::Pair,
    /// Its account.
    pub account: AccountId,
}

/// The hospital's account key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// More than one account key: the node would not know which hospital it serves.
    #[error("the keystore holds more than one `mdch` account key")]
    Several,
    /// The public key is there, its secret is not.
    #[error("the `mdch` account key's secret is not in the keystore")]
    NoSecret,
    /// The keystore could not be read.
    #[error("cannot read the keystore: {0}")]
    Keystore(String),
    /// The development seed is not a secret URI.
    #[error("the development seed {0} is not a secret URI")]
    DevSeed(String),
}

impl Hospital {
    /// The hospital whose account key is in `keystore`, if there is exactly one.
    pub fn from_keystore(keystore: &LocalKeystore) -> Result<Option<Self>, IdentityError> {
        let publics = Keystore::sr25519_public_keys(keystore, KEY_TYPE);
        let public = match publics.as_slice() {
            [] => return Ok(None),
            [one] => app::Public::from(*one),
            _ => return Err(IdentityError::Several),
        };
        let pair = keystore
            .key_pair::<app::Pair>(&public)
            .map_err(|e| IdentityError::Keystore(e.to_string()))?
            .ok_or(IdentityError::NoSecret)?
            .into_inner();
        Ok(Some(Self {
            account: AccountId::from(pair.public()),
            pair,
        }))
    }

    /// The hospital whose account key is the development seed `seed` (`--alice`, ...), as the
    /// node's session keys are on a development chain.
    pub fn from_dev_seed(seed: &str) -> Result<Self, IdentityError> {
        let pair = polkadot_sdk::sp_core::sr25519::Pair::from_string(seed, None)
            .map_err(|_| IdentityError::DevSeed(seed.to_owned()))?;
        Ok(Self {
            account: AccountId::from(pair.public()),
            pair,
        })
    }

    /// Its account key, to sign transactions.
    pub fn pair(&self) -> &polkadot_sdk::sp_core::sr25519::Pair {
        &self.pair
    }

    /// Its encryption key.
    pub fn encryption_key(&self) -> elgamal::SecretKey {
        hospital_keys::encryption_key(&self.pair)
    }

    /// Its search key of `key_epoch`.
    pub fn search_key(&self, key_epoch: KeyEpoch) -> SearchKey {
        hospital_keys::search_key(&self.pair, key_epoch)
    }

    /// The key of the files that keep its doctors' attribute keys and the search keys handed to
    /// it; each file's label tells them apart.
    pub fn file_key(&self) -> [u8; 32] {
        medchain_crypto::hash::expand(&self.pair.to_raw_vec(), b"medchain/node/attribute-keys")
    }
}
