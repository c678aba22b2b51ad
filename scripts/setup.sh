#!/usr/bin/env bash
# Installs what building MedChain needs from the system's package manager, only what is missing.
# Safe to run any number of times. The Rust toolchain itself is pinned by rust-toolchain.toml and
# fetched by rustup on first use.
set -euo pipefail

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
# libclang is what bindgen (rocksdb's build) loads; look for the shared object, not a header.
if ! ldconfig -p 2>/dev/null | grep -q 'libclang[-.0-9]*\.so'; then need+=(libclang-dev); fi
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
command -v make >/dev/null 2>&1 || need+=(make)
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v curl >/dev/null 2>&1 || need+=(curl)
# The demo reads the CLI's --json output with jq.
command -v jq >/dev/null 2>&1 || need+=(jq)

if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  elif command -v dnf >/dev/null 2>&1; then
    # Fedora names: clang-devel carries libclang, protobuf-compiler is the same.
    mapped=("${need[@]/libclang-dev/clang-devel}")
    mapped=("${mapped[@]/build-essential/gcc}")
    $sudo dnf install -y -q "${mapped[@]}"
  else
    echo "setup: please install: ${need[*]} (no apt-get or dnf found)" >&2
    exit 1
  fi
fi

if ! command -v rustup >/dev/null 2>&1; then
  echo "setup: rustup is required (https://rustup.rs); the toolchain is pinned in rust-toolchain.toml" >&2
  exit 1
fi
# Make rustup fetch the pinned toolchain, targets and components now rather than mid-build.
cd "$(dirname "$0")/.."
rustup toolchain install >/dev/null
echo "setup: ok"
