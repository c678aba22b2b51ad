#!/usr/bin/env bash
# Search speed over JSON-RPC with many indices on-chain (issue 5): starts a development node
# (Alice's hospital alone, temporary database), publishes RECORDS keyword indices as Alice in
# `utility.batch_all` transactions, waits until they are final and in the node's search view,
# and times `medchain_search` for a doctor of Alice's hospital. Prints one table row per query
# (fastest, median and slowest of 20) for BENCHMARKS.md.
#
#   scripts/search-bench.sh [RECORDS]      default 100000; about 10 minutes on 2 cores
#
# Environment: CARGO_TARGET_DIR (default ~/.cache/medchain-target), BENCH_RPC_PORT (9950).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

records=${1:-100000}
port=${BENCH_RPC_PORT:-9950}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medchain-target}"
cargo build --release --locked -p medchain-node -p medchain-integration-tests \
    --bin medchain-node --example search_load

log=$(mktemp -t medchain-search-bench.XXXXXX.log)
"$CARGO_TARGET_DIR/release/medchain-node" --dev --tmp --rpc-port "$port" \
    --no-prometheus --no-telemetry --rpc-max-request-size 64 >"$log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null || true' EXIT
echo "== node pid $node, log $log"

echo "| indices on-chain | query | fastest | median | slowest |"
echo "|---|---|---|---|---|"
"$CARGO_TARGET_DIR/release/examples/search_load" "$port" "$records"
