//! Text forms of binary values on the command line and in files: `0x` hex and SS58 addresses.
//!
//! Every parser names what it expected, so that a mistyped argument is refused by `clap` with a
//! message that says how to fix it, before anything is sent to a node.

use medchain_runtime::{AccountId, Hash};
use medchain_types::CompressedG1;
use polkadot_sdk::sp_core::crypto::Ss58Codec;

/// `bytes` as `0x`-prefixed lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    format!("0x{}", ::hex::encode(bytes))
}

/// Hex with or without the `0x` prefix.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    ::hex::decode(digits).map_err(|e| format!("not hex: {e}"))
}

/// Bytes given as one hex argument (a field of type `Vec<u8>` would make `clap` expect a list
/// of numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

/// One argument of hex bytes.
pub fn parse_hex_bytes(text: &str) -> Result<HexBytes, String> {
    parse_hex(text).map(HexBytes)
}

/// Exactly `N` bytes of hex.
pub fn parse_hex_array<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let bytes = parse_hex(text)?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| format!("expected {N} bytes of hex, got {}", bytes.len()))
}

/// An encryption public key (a compressed G1 point, 48 bytes of hex), checked to be a key.
pub fn parse_encryption_key(text: &str) -> Result<CompressedG1, String> {
    let key = CompressedG1::from_bytes(parse_hex_array::<48>(text)?);
    medchain_crypto::elgamal::PublicKey::decompress(&key)
        .map(|_| key)
        .map_err(|e| format!("not an encryption key: {e}"))
}

/// A 32-byte hash (a council proposal, a transaction) in hex.
pub fn parse_hash(text: &str) -> Result<Hash, String> {
    parse_hex_array::<32>(text).map(Hash::from)
}

/// An account in SS58 form (any network prefix).
pub fn parse_account(text: &str) -> Result<AccountId, String> {
    AccountId::from_ss58check(text).map_err(|e| format!("not an SS58 account address: {e}"))
}

/// An account in the SS58 form the chain uses (prefix 42, the generic Substrate one).
pub fn account(account: &AccountId) -> String {
    account.to_ss58check()
}

/// Bytes as UTF-8 where they are (hospital names are UTF-8 by convention only), hex otherwise.
pub fn lossless(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => hex(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_with_or_without_prefix() {
        assert_eq!(hex(&[1, 0xab]), "0x01ab");
        assert_eq!(parse_hex("0x01ab"), Ok(vec![1, 0xab]));
        assert_eq!(parse_hex("01AB"), Ok(vec![1, 0xab]));
        assert!(parse_hex("0xzz").is_err());
        assert_eq!(
            parse_hex_array::<3>("0x0102"),
            Err("expected 3 bytes of hex, got 2".to_owned())
        );
    }

    #[test]
    fn accounts_round_trip_through_ss58() {
        let alice = polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id();
        assert_eq!(parse_account(&account(&alice)), Ok(alice));
        assert!(parse_account("5NotAnAddress").is_err());
    }
}
