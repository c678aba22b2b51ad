#!/usr/bin/env bash
# Measures every MedChain pallet's calls with the FRAME benchmarks and writes the weights the
# runtime uses, `pallets/<name>/src/weights.rs`, from `scripts/weights-template.hbs`.
#
# It builds the runtime with `runtime-benchmarks` in its own target directory (a second full
# build: the feature changes much of the dependency tree), and runs it with
# `frame-omni-bencher`, installed on first use. Run it on the reference hardware hospitals'
# validators are sized for, on an otherwise idle machine, and commit the result.
#
#   scripts/weights.sh [pallet ...]      default: every pallet
#
# Environment: BENCH_TARGET_DIR (default ~/.cache/medchain-bench-target), STEPS (50),
# REPEAT (20).
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh

target_dir=${BENCH_TARGET_DIR:-$HOME/.cache/medchain-bench-target}
steps=${STEPS:-50}
repeat=${REPEAT:-20}
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(hospitals kgc records results)

# The release of frame-omni-bencher that matches the workspace's polkadot-sdk (2609).
bencher_version=0.28.0
if ! frame-omni-bencher --version 2>/dev/null | grep -q "$bencher_version"; then
    echo "== installing frame-omni-bencher $bencher_version"
    cargo install frame-omni-bencher --version "$bencher_version" --locked
fi

echo "== building the runtime with runtime-benchmarks"
CARGO_TARGET_DIR=$target_dir cargo build --release --locked -p medchain-runtime \
    --features runtime-benchmarks
runtime=$target_dir/release/wbuild/medchain-runtime/medchain_runtime.compact.compressed.wasm

for pallet in "${pallets[@]}"; do
    output=pallets/$pallet/src/weights.rs
    echo "== benchmarking pallet_$pallet -> $output"
    frame-omni-bencher v1 benchmark pallet \
        --runtime "$runtime" \
        --genesis-builder-preset development \
        --pallet "pallet_$pallet" \
        --extrinsic '*' \
        --steps "$steps" \
        --repeat "$repeat" \
        --template scripts/weights-template.hbs \
        --output "$output"
    rustfmt --edition 2021 "$output"
done
