#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| medchain_crypto_fuzz::round_trip::<
    medchain_crypto::abe::TransformationKey,
>(data));
