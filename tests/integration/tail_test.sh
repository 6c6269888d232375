#!/usr/bin/env bash
# gatewire-tail against gatewire-sim: JSON lines out, exit codes, no token in output.
set -euo pipefail
tail_bin=$1
sim_bin=$2
work=$(mktemp -d)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start_sim() {
    rm -f "$work/sim.out"  # the last start's line must not be read as this one's
    "$sim_bin" "$@" >"$work/sim.out" 2>"$work/sim.err" &
    sim_pid=$!
    for _ in $(seq 200); do
        grep -q "listening on" "$work/sim.out" 2>/dev/null && break
        sleep 0.05
    done
    url=$(sed -n 's/^listening on \(ws:[^ ]*\).*/\1/p' "$work/sim.out")
    [ -n "$url" ] || fail "gatewire-sim did not start"
}
stop_sim() { kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; sim_pid=; }

# 1. Every dispatch as one JSON line; exit 0 after --max-events.
for profile in discord fluxer; do
    start_sim --profile "$profile" --scenario demo --messages 40 --heartbeat-ms 500
    status=0
    GATEWIRE_TOKEN=sim-token timeout 60 "$tail_bin" --url "$url" --profile "$profile" \
        --max-events 30 >"$work/out" 2>"$work/err" || status=$?
    [ "$status" -eq 0 ] || fail "$profile: exit $status: $(cat "$work/err")"
    [ "$(wc -l <"$work/out")" -eq 30 ] || fail "$profile: expected 30 lines"
    head -n 1 "$work/out" | grep -q '^{"shard":0,"seq":1,"t":"READY","d":{' || fail "$profile: bad first line"
    sed -n 2p "$work/out" | grep -q '"t":"GUILD_CREATE"' || fail "$profile: no GUILD_CREATE"
    python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/out" ||
        fail "$profile: output is not JSON lines"
    grep -q "ready: identified" "$work/err" || fail "$profile: no state change on stderr"
    stop_sim
done

# 2. A fatal close exits 2, names the code, and never shows the token.
start_sim --profile discord --token right-token --heartbeat-ms 500
status=0
GATEWIRE_TOKEN=wrong-secret-123 timeout 30 "$tail_bin" --url "$url" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "expected exit 2 on 4004, got $status"
grep -q "4004" "$work/err" || fail "the fatal error does not name 4004"
if grep -q "wrong-secret-123" "$work/out" "$work/err"; then fail "the token was printed"; fi
stop_sim

# 3. Any other error exits 1.
status=0
GATEWIRE_TOKEN=x timeout 30 "$tail_bin" --url "http://not-a-gateway" >"$work/out" 2>"$work/err" ||
    status=$?
[ "$status" -eq 1 ] || fail "expected exit 1 on a bad URL, got $status"

# 4. The token from a file; --token still works but warns; intents by name.
start_sim --profile discord --scenario demo --messages 5 --heartbeat-ms 500
printf 'sim-token\n' >"$work/token"
status=0
timeout 60 "$tail_bin" --url "$url" --token-file "$work/token" --intents guilds,guild_messages \
    --max-events 3 >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 0 ] || fail "--token-file: exit $status: $(cat "$work/err")"
if grep -q "warning: a token on the command line" "$work/err"; then fail "--token-file warned"; fi
stop_sim
start_sim --profile discord --scenario demo --messages 5 --heartbeat-ms 500  # the scenario plays once
status=0
timeout 60 "$tail_bin" --url "$url" --token sim-token --max-events 3 >"$work/out" 2>"$work/err" ||
    status=$?
[ "$status" -eq 0 ] || fail "--token: exit $status: $(cat "$work/err")"
grep -q "warning: a token on the command line is visible" "$work/err" || fail "--token did not warn"
stop_sim

# 5. Arguments are checked before anything connects.
expect_refused() {
    local what=$1 text=$2
    shift 2
    status=0
    GATEWIRE_TOKEN=x timeout 30 "$tail_bin" --url ws://127.0.0.1:9 "$@" >"$work/out" 2>"$work/err" ||
        status=$?
    [ "$status" -eq 1 ] || fail "$what: expected exit 1, got $status"
    grep -q -- "$text" "$work/err" || fail "$what: stderr lacks \"$text\": $(cat "$work/err")"
}
expect_refused "--shard 1/1" "the id must be below the count" --shard 1/1
expect_refused "--shard 0/0" "the id must be below the count" --shard 0/0
expect_refused "--shard x" "wants ID/COUNT" --shard 3
expect_refused "--shard 0/-1" "wants a whole number" --shard 0/-1
expect_refused "an unknown intent" "not intent names" --intents guilds,nonsense
expect_refused "intents on Fluxer" "has no intents" --profile fluxer --intents guilds
for bad in "--port 70000" "--shards 0" "--heartbeat-ms -5" "--max-concurrency x"; do
    status=0
    # shellcheck disable=SC2086
    timeout 10 "$sim_bin" $bad >"$work/out" 2>"$work/err" || status=$?
    [ "$status" -eq 1 ] && grep -q "wants a whole number" "$work/err" ||
        fail "gatewire-sim $bad: exit $status: $(cat "$work/err")"
done
status=0
timeout 30 "$tail_bin" --url ws://127.0.0.1:9 >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 1 ] && grep -q "no token (GATEWIRE_TOKEN or --token-file)" "$work/err" ||
    fail "no token: $(cat "$work/err")"
echo "gatewire-tail: all checks passed"
