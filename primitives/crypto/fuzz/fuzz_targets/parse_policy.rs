#![no_main]
//! Policy text from the network: parsing and solving must answer, never panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(policy) = medchain_crypto::policy::Policy::parse(text) {
            let lsss = medchain_crypto::policy::Lsss::new(&policy);
            assert_eq!(lsss.rows().len(), policy.rows().len());
            let _ = medchain_crypto::policy::coefficients(&policy, policy.rows());
        }
    }
});
