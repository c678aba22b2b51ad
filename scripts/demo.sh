#!/usr/bin/env bash
# MedChain's main job: the whole story of SPEC.md on a local four-hospital network, told with
# the `medchain` CLI one role at a time, printing each step and what it answered.
#
#   scripts/demo.sh
#
# It sets up this machine, builds the two programs it runs (release: the node and the CLI),
# starts a fresh four-hospital network (scripts/local-network.sh; Alice, Bob, Charlie and Dave run
# hospitals 1-4, //Ferdie is the development KGC), runs the story, and leaves the network running
# for you to explore; stop it with `scripts/local-network.sh stop`. Keys and files the roles make
# are under .demo/.
# The well-known development keys it uses are public: never use them for real data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medchain-target}"
# Only the programs the demo runs: not the tests, benchmarks or their dependencies.
cargo build --release --locked -p medchain-node -p medchain-cli

offset=${MEDCHAIN_PORT_OFFSET:-0}
node() { echo "http://127.0.0.1:$((9940 + $1 + offset))"; } # hospital N's node (1-4)
medchain() { "$CARGO_TARGET_DIR/release/medchain" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
# Runs a CLI command with --json, shows its answer, and keeps it in $answer.
json() { answer=$(medchain --json "$@"); printf '%s\n' "$answer" | jq .; }

./scripts/local-network.sh purge >/dev/null
./scripts/local-network.sh start
./scripts/local-network.sh wait
work=.demo
rm -rf "$work"
mkdir -m 700 "$work"

step "1. The KGC: Setup (the development KGC, whose pp is in the local chain's genesis)"
medchain kgc setup --dev --out "$work/kgc.json" --node "$(node 1)"
medchain kgc keygen --suri //Ferdie --out "$work/kgc.key"
for n in 1 2 3; do
  names=(Alice Bob Charlie)
  medchain hospital keygen --suri "//${names[$((n - 1))]}" --out "$work/hospital$n.key" >/dev/null
done
hospital2=$(jq -r .account "$work/hospital2.key")

step "2. Doctors are added by their hospitals, register their own keys, and the KGC issues theirs"
register() { # register NAME HOSPITAL-NUMBER ATTRIBUTES
  json doctor keygen --out "$work/$1.key"
  local account
  account=$(jq -r .account <<<"$answer")
  medchain hospital add-doctor --key "$work/hospital$2.key" --doctor "$account" --node "$(node "$2")"
  medchain doctor register --key "$work/$1.key" --node "$(node "$2")"
  medchain kgc issue-key --kgc "$work/kgc.json" --key "$work/kgc.key" --doctor "$account" \
    --attributes "$3" --node "$(node "$2")"
}
register cardiologist 2 cardiology,consultant
register locum 2 cardiology,consultant
register outsider 3 cardiology,consultant

step "3. A patient at hospital 1 uploads a record under a policy, with keywords"
medchain patient keygen --out "$work/patient.key"
printf 'Holter 24h, 2026-11-20: paroxysmal atrial fibrillation, longest episode 3h12m.\n' \
  >"$work/holter.txt"
json patient upload "$work/holter.txt" --key "$work/patient.key" \
  --policy "cardiology and consultant" --keywords cardiology,arrhythmia,holter --node "$(node 1)"
record=$(jq -r .record <<<"$answer")

step "4. Hospital 1 authorises hospital 2 to search its records"
medchain hospital authorize --key "$work/hospital1.key" --to "$hospital2" --expires-in 100000 \
  --node "$(node 1)"

step "5. The cardiologist at hospital 2 searches, claims the record and is assigned"
medchain doctor search --key "$work/cardiologist.key" --interests arrhythmia,cardiology \
  --node "$(node 2)"
medchain hospital open-consultation --key "$work/hospital1.key" --record "$record" \
  --node "$(node 1)"
medchain doctor claim "$record" --key "$work/cardiologist.key" --interests arrhythmia,cardiology \
  --wait --node "$(node 2)"

step "6. The cardiologist decrypts the record and returns a report to the patient"
medchain doctor open "$record" --key "$work/cardiologist.key" --out "$work/opened.txt" \
  --node "$(node 2)"
say "decrypted: $(cat "$work/opened.txt")"
printf 'Start anticoagulation; rate control with bisoprolol; review in 4 weeks.\n' \
  >"$work/report.txt"
medchain doctor report "$record" "$work/report.txt" --key "$work/cardiologist.key" \
  --node "$(node 2)"

step "7. The patient reads the report through hospital 1"
medchain patient reports --key "$work/patient.key" --node "$(node 1)"
medchain patient open-report "$record" --key "$work/patient.key" --out "$work/report-read.txt" \
  --node "$(node 1)"
say "report: $(cat "$work/report-read.txt")"

step "8. The KGC revokes the locum from the next epoch, which becomes current"
locum=$(jq -r .account "$work/locum.key")
medchain kgc revoke --kgc "$work/kgc.json" --key "$work/kgc.key" --doctor "$locum" \
  --node "$(node 1)"
if medchain doctor open "$record" --key "$work/locum.key" --out "$work/locum.txt" \
  --node "$(node 2)"; then
  echo "unexpected: the revoked doctor was served the old record" >&2
  exit 1
fi
say "the old record: refused by hospital 2's node"
json patient upload "$work/holter.txt" --key "$work/patient.key" \
  --policy "cardiology and consultant" --keywords cardiology,holter --node "$(node 1)"
newer=$(jq -r .record <<<"$answer")
if medchain doctor open "$newer" --key "$work/locum.key" --out "$work/locum.txt" \
  --node "$(node 2)"; then
  echo "unexpected: the revoked doctor decrypted a record of the new epoch" >&2
  exit 1
fi
say "a record of the new epoch: refused by the cryptography (no transformation key can be made)"

step "9. Hospital 3, which no hospital authorises, finds nothing"
json doctor search --key "$work/outsider.key" --interests arrhythmia,cardiology --node "$(node 3)"
if [ "$(jq 'length' <<<"$answer")" != 0 ]; then
  echo "unexpected: an unauthorised hospital found records" >&2
  exit 1
fi

step "10. An auditor replays the ledger from genesis through hospital 4's node"
medchain audit verify --node "$(node 4)"
medchain audit report --out "$work/audit" --node "$(node 4)"

step "Done"
say "The network is still running: scripts/local-network.sh status | stop."
say "The audit report: $work/audit/report.html"
