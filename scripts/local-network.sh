#!/usr/bin/env bash
# A four-hospital MedChain network on this machine's loopback interface.
#
#   scripts/local-network.sh start    build nothing; start the four validators (Alice, Bob,
#                                     Charlie and Dave's hospitals) of the built-in `local` chain
#   scripts/local-network.sh status   each node's pid, RPC endpoint, best and finalised block
#   scripts/local-network.sh wait     until every node has finalised a block
#   scripts/local-network.sh stop     stop the four nodes (their databases are kept)
#   scripts/local-network.sh purge    stop them and delete their databases
#
# Every node keeps the state of every finalised block (`--state-pruning archive-canonical`), so
# an auditor can replay the ledger from genesis through any of them.
#
# Each node has its own base path, node key, ports and session keys (inserted into its keystore
# with `medchain-node key insert`), under .local-network/ in the repository. The keys are the
# well-known development seeds (//Alice, ...) and node keys 0x00..01 to 0x00..04: never use them
# for real data. Ports: p2p 30331-30334, RPC 9941-9944 (set MEDCHAIN_PORT_OFFSET to shift all).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-$HOME/.cache/medchain-target}"
node_bin="${MEDCHAIN_NODE:-$target/release/medchain-node}"
dir=.local-network
offset="${MEDCHAIN_PORT_OFFSET:-0}"
names=(alice bob charlie dave)

p2p_port() { echo $((30331 + $1 + offset)); }
rpc_port() { echo $((9941 + $1 + offset)); }
peer_ids=(
  12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp
  12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD
  12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x
  12D3KooWSsChzF81YDUKpe9Uk5AHV5oqAaXAcWNSPYgoLauUk4st
)

running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

rpc() { # rpc PORT METHOD PARAMS -> the JSON answer
  curl -s --max-time 5 -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "http://127.0.0.1:$1"
}

block_number() { # block_number PORT [HASH] -> decimal number of the best (or given) block
  local params="[]"
  [ -n "${2:-}" ] && params="[\"$2\"]"
  local hex
  hex=$(rpc "$1" chain_getHeader "$params" | sed -n 's/.*"number":"0x\([0-9a-f]*\)".*/\1/p')
  [ -n "$hex" ] && echo $((16#$hex)) || echo "?"
}

start() {
  if [ ! -x "$node_bin" ]; then
    echo "local-network: $node_bin not found; build it with: cargo build --release -p medchain-node" >&2
    exit 1
  fi
  mkdir -p "$dir"
  for i in 0 1 2 3; do
    local name=${names[$i]} base="$dir/${names[$i]}"
    if running "$name"; then echo "$name: already running"; continue; fi
    mkdir -p "$base"
    printf '%064x' $((i + 1)) > "$base/node-key"
    # Session keys: Aura (sr25519) and GRANDPA (ed25519) from the dev seed.
    "$node_bin" key insert --base-path "$base" --chain local --scheme sr25519 \
      --suri "//${name^}" --key-type aura
    "$node_bin" key insert --base-path "$base" --chain local --scheme ed25519 \
      --suri "//${name^}" --key-type gran
    # The hospital's account key: its node signs records and access logs with it.
    "$node_bin" key insert --base-path "$base" --chain local --scheme sr25519 \
      --suri "//${name^}" --key-type mdch
    local bootnodes=()
    [ "$i" -gt 0 ] && bootnodes=(--bootnodes "/ip4/127.0.0.1/tcp/$(p2p_port 0)/p2p/${peer_ids[0]}")
    nohup "$node_bin" --chain local --validator --name "${name^} Hospital" \
      --base-path "$base" --node-key-file "$base/node-key" \
      --listen-addr "/ip4/127.0.0.1/tcp/$(p2p_port "$i")" --rpc-port "$(rpc_port "$i")" \
      --no-mdns --no-prometheus --no-telemetry --allow-private-ip --offchain-worker always \
      --state-pruning archive-canonical \
      "${bootnodes[@]}" > "$dir/$name.log" 2>&1 &
    echo $! > "$dir/$name.pid"
    echo "$name: started (pid $!), RPC http://127.0.0.1:$(rpc_port "$i") ws://127.0.0.1:$(rpc_port "$i"), log $dir/$name.log"
  done
}

status() {
  for i in 0 1 2 3; do
    local name=${names[$i]} port
    port=$(rpc_port "$i")
    if running "$name"; then
      local finalized
      finalized=$(rpc "$port" chain_getFinalizedHead '[]' | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')
      echo "$name: running (pid $(cat "$dir/$name.pid")), RPC http://127.0.0.1:$port," \
        "best #$(block_number "$port"), finalised #$(block_number "$port" "$finalized")"
    else
      echo "$name: stopped"
    fi
  done
}

wait_final() { # every node has finalised a block (two minutes at most)
  for i in 0 1 2 3; do
    local port number=0
    port=$(rpc_port "$i")
    for _ in $(seq 240); do
      local finalized
      # Until its RPC server is up, a node refuses connections: not an error here.
      finalized=$(rpc "$port" chain_getFinalizedHead '[]' 2>/dev/null |
        sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p' || true)
      [ -n "$finalized" ] && number=$(block_number "$port" "$finalized" 2>/dev/null || true)
      [[ "$number" =~ ^[0-9]+$ ]] || number=0
      [ "$number" -ge 1 ] && break
      sleep 0.5
    done
    if [ "$number" -lt 1 ]; then
      echo "${names[$i]}: no block finalised after two minutes; see $dir/${names[$i]}.log" >&2
      exit 1
    fi
  done
  echo "all four nodes finalise blocks"
}

stop() {
  for name in "${names[@]}"; do
    if running "$name"; then
      kill "$(cat "$dir/$name.pid")"
      echo "$name: stopped"
    fi
    rm -f "$dir/$name.pid"
  done
}

case "${1:-}" in
  start) start ;;
  status) status ;;
  wait) wait_final ;;
  stop) stop ;;
  purge) stop; rm -rf "$dir" ;;
  *) echo "usage: $0 start|status|wait|stop|purge" >&2; exit 2 ;;
esac
