//! A hospital's own encryption and search keys, derived from its account key: the node needs no
//! secret storage for them, and they come back with the keystore after a reinstall. Its
//! encryption public key is what the hospital registers on-chain; other hospitals seal their
//! search keys to it when they authorise it.

use medchain_crypto::{elgamal, index::SearchKey};
use polkadot_sdk::sp_core::{sr25519, Pair};

/// The hospital's ElGamal key.
pub fn encryption_key(account: &sr25519::Pair) -> elgamal::SecretKey {
    elgamal::SecretKey::derive(&account.to_raw_vec())
}

/// The hospital's search key of `key_epoch`.
pub fn search_key(account: &sr25519::Pair, key_epoch: u32) -> SearchKey {
    SearchKey::derive(&account.to_raw_vec(), key_epoch)
}

/// The encryption public key as registered on-chain (compressed G1).
pub fn registered_encryption_key(account: &sr25519::Pair) -> pallet_hospitals::EncryptionKey {
    codec::Encode::encode(&encryption_key(account).public_key().0)
        .try_into()
        .expect("a compressed G1 point is 48 bytes")
}
