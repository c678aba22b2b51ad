fn main() {
    #[cfg(feature = "std")]
    {
        // The target directory lives outside the work tree ($CARGO_TARGET_DIR), where the WASM
        // builder cannot find the workspace's Cargo.lock by walking up from OUT_DIR; without it
        // the WASM runtime's dependencies would be resolved afresh instead of locked.
        // Read when the script runs, not when it is compiled: cargo shares one compiled build
        // script between clones of the workspace in the same target directory.
        if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
            if let Some(runtime) = std::env::var_os("CARGO_MANIFEST_DIR") {
                let workspace = std::path::Path::new(&runtime).join("..");
                std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
            }
        }
        substrate_wasm_builder::WasmBuilder::build_using_defaults();
    }
}
