fn main() {
    #[cfg(feature = "std")]
    {
        // The target directory lives outside the work tree ($CARGO_TARGET_DIR), where the WASM
        // builder cannot find the workspace's Cargo.lock by walking up from OUT_DIR; without it
        // the WASM runtime's dependencies would be resolved afresh instead of locked.
        if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
            std::env::set_var(
                "WASM_BUILD_WORKSPACE_HINT",
                concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
            );
        }
        polkadot_sdk::substrate_wasm_builder::WasmBuilder::build_using_defaults();
    }
}
