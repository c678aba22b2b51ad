//! Shared body of the decoder fuzz targets: decoding arbitrary bytes must return `Ok` or `Err`,
//! never panic or allocate past a limit, and whatever decodes must re-encode to the bytes read.

use codec::{Decode, Encode};

/// Decodes `data` as `T`; on success, checks the canonical re-encoding.
pub fn round_trip<T: Decode + Encode>(data: &[u8]) {
    let mut input = data;
    if let Ok(value) = T::decode(&mut input) {
        let consumed = data.len() - input.len();
        assert_eq!(
            value.encode(),
            &data[..consumed],
            "decoding is not canonical"
        );
    }
}
