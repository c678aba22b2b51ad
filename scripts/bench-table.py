#!/usr/bin/env python3
"""Prints criterion results as the Markdown tables of BENCHMARKS.md.

Usage: scripts/bench-table.py [criterion-dir]   (default: $CARGO_TARGET_DIR/criterion)
Reads each benchmark's new/estimates.json (mean, in ns) after `cargo bench -p medchain-crypto`.
"""
import json
import os
import sys
from pathlib import Path


def load(root: Path) -> dict:
    out = {}
    for est in root.glob("**/new/estimates.json"):
        bench = json.loads((est.parent / "benchmark.json").read_text())
        out[bench["full_id"]] = json.loads(est.read_text())["mean"]["point_estimate"]
    return out


def ms(ns: float) -> str:
    return f"{ns / 1e6:.2f}" if ns >= 1e5 else f"{ns / 1e6:.3f}"


def keygen(r: dict) -> None:
    print("| depth | revoked | KeyGen (ms) | UpdKeyGen (ms) |")
    print("| ---: | ---: | ---: | ---: |")
    for d in (4, 8, 12, 16, 20):
        for rl in (0, 10, 100, 1000):
            cells = [r.get(f"keygen/depth-{d}/{op}/{rl}") for op in ("keygen", "upd_keygen")]
            if any(c is not None for c in cells):
                print(f"| {d} | {rl} | " + " | ".join(ms(c) if c else "-" for c in cells) + " |")


def transformation(r: dict) -> None:
    print("| attributes | TKGen, depth 4 (ms) | TKGen, depth 20 (ms) |")
    print("| ---: | ---: | ---: |")
    for n in (1, 5, 10, 20):
        cells = [r.get(f"tk_gen/depth-{d}/attributes/{n}") for d in (4, 20)]
        print(f"| {n} | " + " | ".join(ms(c) if c else "-" for c in cells) + " |")


def policy(r: dict) -> None:
    ops = ("encrypt", "prepare_tk", "pre_decrypt", "decrypt", "open_32B")
    print("| attributes | Encrypt (ms) | prepare TK (ms) | PreDec (ms) | Dec (ms) | AES-GCM open 32 B (ms) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in (1, 5, 10, 20, 50):
        cells = [r.get(f"policy/{op}/{n}") for op in ops]
        print(f"| {n} | " + " | ".join(ms(c) if c else "-" for c in cells) + " |")


def matching(r: dict, indices: int = 10_000) -> None:
    print("| query | padded size | all match (checks/s) | none match (checks/s) |")
    print("| ---: | ---: | ---: | ---: |")
    for p in (8, 16):
        for q in (1, 3, 5):
            cells = [r.get(f"match/{kind}/q{q}-padded{p}") for kind in ("all-match", "no-match")]
            print(f"| {q} | {p} | " + " | ".join(f"{indices / (c / 1e9):,.0f}" if c else "-" for c in cells) + " |")


def baseline(r: dict) -> None:
    print("| attributes | ours encrypt | AC17 encrypt | BSW encrypt | ours decrypt (PreDec+Dec+open) | AC17 decrypt | BSW decrypt |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in (1, 5, 10, 20, 50):
        keys = [f"baseline/{s}/{op}/{n}" for op in ("encrypt", "decrypt") for s in ("medchain", "rabe-ac17", "rabe-bsw")]
        cells = [r.get(k) for k in keys]
        print(f"| {n} | " + " | ".join(ms(c) + " ms" if c else "-" for c in cells) + " |")


def main() -> None:
    default = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/medchain-target")) / "criterion"
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    r = load(root)
    for title, table in (("Key generation", keygen), ("Transformation keys", transformation),
                         ("Encryption and decryption", policy),
                         ("Match throughput", matching), ("Baseline", baseline)):
        print(f"\n### {title}\n")
        table(r)


if __name__ == "__main__":
    main()
