#!/usr/bin/env bash
# The whole MedChain test suite: set up the machine, build the workspace once (release profile,
# WASM runtime included) and run every test: crate unit tests, pallet mock-runtime tests and the
# integration tests that start real nodes from that build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medchain-target}"
cargo build --release --locked --workspace --all-targets
cargo test --release --locked --workspace
