//! A hospital's own encryption and search keys, derived from its account key: the node needs no
//! secret storage for them, and they come back with the keystore after a reinstall. Its
//! encryption public key is what the hospital registers on-chain; other hospitals seal their
//! search keys to it when they authorise it.

use codec::{Decode, Encode};
use medchain_crypto::{elgamal, index::SearchKey, CryptoRngCore};
use medchain_types::{CompressedG1, KeyEpoch};
use polkadot_sdk::sp_core::{sr25519, Pair};

/// The hospital's ElGamal key.
pub fn encryption_key(account: &sr25519::Pair) -> elgamal::SecretKey {
    elgamal::SecretKey::derive(&account.to_raw_vec())
}

/// The hospital's search key of `key_epoch`.
pub fn search_key(account: &sr25519::Pair, key_epoch: KeyEpoch) -> SearchKey {
    SearchKey::derive(&account.to_raw_vec(), key_epoch)
}

/// The encryption public key as registered on-chain (compressed G1).
pub fn registered_encryption_key(account: &sr25519::Pair) -> CompressedG1 {
    encryption_key(account).public_key().compress()
}

/// A search key of `key_epoch` sealed to the hospital whose registered encryption key is
/// `recipient`: what `Hospitals::authorize` carries. `None` if `recipient` is not a valid key.
pub fn seal_search_key(
    recipient: &CompressedG1,
    key_epoch: KeyEpoch,
    key: &SearchKey,
    rng: &mut impl CryptoRngCore,
) -> Option<Vec<u8>> {
    let recipient = elgamal::PublicKey::decompress(recipient).ok()?;
    let plaintext = (key_epoch, key.expose()).encode();
    elgamal::seal(&recipient, &plaintext, rng)
        .ok()
        .map(|sealed| sealed.encode())
}

/// Opens a search key sealed to `secret`: its key epoch and the key. `None` if it was not
/// sealed to this key or is malformed.
pub fn open_search_key(
    secret: &elgamal::SecretKey,
    sealed: &[u8],
) -> Option<(KeyEpoch, SearchKey)> {
    let sealed = elgamal::Ciphertext::decode(&mut &sealed[..]).ok()?;
    let plaintext = secret.open(&sealed).ok()?;
    let (key_epoch, key) = <(KeyEpoch, [u8; 32])>::decode(&mut &plaintext[..]).ok()?;
    Some((key_epoch, SearchKey::from_bytes(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polkadot_sdk::sp_keyring::Sr25519Keyring;

    #[test]
    fn a_sealed_search_key_opens_only_for_its_recipient() {
        let (alice, bob) = (Sr25519Keyring::Alice.pair(), Sr25519Keyring::Bob.pair());
        let first = KeyEpoch::new(0);
        let key = search_key(&alice, first);
        let mut rng = medchain_crypto::seeded_rng([3; 32]);
        let sealed = seal_search_key(&registered_encryption_key(&bob), first, &key, &mut rng)
            .expect("Bob's key is valid");
        assert_eq!(
            open_search_key(&encryption_key(&bob), &sealed),
            Some((first, key))
        );
        assert_eq!(open_search_key(&encryption_key(&alice), &sealed), None);
        assert_eq!(open_search_key(&encryption_key(&bob), &sealed[1..]), None);
        assert!(seal_search_key(
            &CompressedG1::from_bytes([7; 48]),
            first,
            &search_key(&alice, first),
            &mut rng
        )
        .is_none());
    }
}
