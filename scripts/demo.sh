#!/usr/bin/env bash
# MedChain's main job: set up this machine, build the workspace once (release), and start the
# local four-hospital network. Prints each node's RPC endpoint; stop it with
# `scripts/local-network.sh stop`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medchain-target}"
cargo build --release --locked -p medchain-node
./scripts/local-network.sh start
