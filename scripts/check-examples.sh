#!/usr/bin/env bash
# Builds every example under examples/ as a project of its own against the
# gatewire installed in PREFIX, then runs each against that install's
# gatewire-sim playing the example's sim-session.jsonl, and checks what it
# printed. The bot-test example runs its own Catch2 tests; gateway-workers
# runs a gateway process and two workers through a redis-server of its own.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$1
work=$(mktemp -d)
sim_pid=
fan_out_pids=()
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    for pid in "${fan_out_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    [ -d "$work/redis" ] && "$root/tests/support/redis-fixture.sh" stop "$work/redis"
    rm -rf "$work"
}
trap cleanup EXIT

build() {
    cmake -S "$root/examples/$1" -B "$work/$1" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >/dev/null
    cmake --build "$work/$1" >/dev/null
}

# start_sim PROFILE SCRIPT [SIM OPTIONS...]: gatewire-sim in the background; sets $url.
start_sim() {
    local profile=$1 script=$2
    shift 2
    rm -f "$work/sim.out"  # the last start's line must not be read as this one's
    "$prefix/bin/gatewire-sim" --profile "$profile" --heartbeat-ms 1000 --script "$script" "$@" \
        >"$work/sim.out" 2>"$work/sim.err" &
    sim_pid=$!
    url=
    for _ in $(seq 200); do
        url=$(sed -n 's/^listening on \(ws:[^ ]*\).*/\1/p' "$work/sim.out" 2>/dev/null)
        [ -n "$url" ] && return 0
        sleep 0.05
    done
    cat "$work/sim.err" >&2
    echo "gatewire-sim did not start" >&2
    exit 1
}

stop_sim() {
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    sim_pid=
}

# run_example NAME PROFILE [ARGS...]: runs it, output in $work/NAME.out.
run_example() {
    local name=$1 profile=$2
    shift 2
    start_sim "$profile" "$root/examples/$name/sim-session.jsonl"
    GATEWIRE_TOKEN=sim-token timeout 60 "$work/$name/$name" --url "$url" "$@" >"$work/$name.out"
    stop_sim
}

# expect NAME TEXT: the example printed a line containing TEXT.
expect() {
    if ! grep -qF -- "$2" "$work/$1.out"; then
        echo "$1 did not print \"$2\"; it printed:" >&2
        cat "$work/$1.out" >&2
        exit 1
    fi
}

# expect_sim_received JSON: the simulator received exactly this command.
expect_sim_received() {
    if ! grep -qxF -- "gatewire-sim: received $1" "$work/sim.err"; then
        echo "gatewire-sim did not receive $1; its log:" >&2
        cat "$work/sim.err" >&2
        exit 1
    fi
}

# Two at a time: each is a project of one or two files, so one build alone
# leaves a core idle.
examples=(discord-bot fluxer-user-client sharded-bot presence-update member-chunks bot-test
    gateway-workers)
for ((i = 0; i < ${#examples[@]}; i += 2)); do
    pids=()
    for example in "${examples[@]:i:2}"; do
        echo "-- examples/$example: build against the installed gatewire"
        build "$example" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
done

echo "-- discord-bot against gatewire-sim"
# READY, the script's guild and two messages.
run_example discord-bot discord --max-events 4
expect discord-bot "ready as "
expect discord-bot "guild Example Guild"
expect discord-bot "message in 1300000000000000001 from alice: hello from the simulator"
expect discord-bot "from bob: hi alice"

echo "-- fluxer-user-client against gatewire-sim (Fluxer profile)"
run_example fluxer-user-client fluxer --max-events 6
expect fluxer-user-client "ready: 0 relationships, 0 read states"
expect fluxer-user-client "relationship 2200000000000000001: friend"
expect fluxer-user-client "relationship 2200000000000000002: removed"
expect fluxer-user-client "holding 1 relationships: 2200000000000000001 (friend)"
expect fluxer-user-client "holding 1 read states: 2300000000000000001 at 2400000000000000009"

echo "-- sharded-bot: two shards against gatewire-sim"
# Two READYs and the message on the shard of its guild.
run_example sharded-bot discord --max-events 3 --shards 0-1/2 --identify-interval-ms 0
expect sharded-bot "shard 0: ready"
expect sharded-bot "shard 1: ready"
expect sharded-bot "message sharded hello"
echo "-- sharded-bot: the shard count from the simulator's GET /gateway/bot"
start_sim discord "$root/examples/sharded-bot/sim-session.jsonl" --shards 3 --max-concurrency 3
GATEWIRE_TOKEN=sim-token timeout 60 "$work/sharded-bot/sharded-bot" --api "${url/ws:/http:}/api/v10" \
    --identify-interval-ms 0 --max-events 4 >"$work/sharded-bot.out"
stop_sim
expect sharded-bot "gateway: 3 shards, max_concurrency 3"
expect sharded-bot "shard 2: ready"
expect sharded-bot "message sharded hello"

echo "-- presence-update against gatewire-sim, both profiles"
run_example presence-update discord --profile discord --status dnd --text "a game of chess"
expect presence-update "presence: sent"
expect_sim_received '{"op":3,"d":{"activities":[{"name":"a game of chess","type":0}],"afk":false,"since":null,"status":"dnd"}}'
run_example presence-update fluxer --profile fluxer --status idle --text "deep work"
expect presence-update "presence: sent"
expect_sim_received '{"op":3,"d":{"afk":false,"custom_status":{"text":"deep work"},"status":"idle"}}'

echo "-- member-chunks: every member of a guild, assembled from the simulator's chunks"
run_example member-chunks discord --guild 42
expect member-chunks "5 members in 1 chunks: member-0 member-1 member-2 member-3 member-4"

echo "-- bot-test: its Catch2 tests drive the bot through gatewire::sim"
"$work/bot-test/greeter-test"

echo "-- gateway-workers: a gateway process and two workers through redis-server"
"$root/tests/support/redis-fixture.sh" start "$work/redis" >/dev/null
redis=$(cat "$work/redis/address")
start_sim discord "$root/examples/gateway-workers/sim-session.jsonl" --shards 2
for name in a b; do
    "$work/gateway-workers/worker" --redis "$redis" --name "$name" --shard-count 2 \
        >"$work/worker-$name.out" &
    fan_out_pids+=($!)
done
GATEWIRE_TOKEN=sim-token "$work/gateway-workers/gateway" --url "$url" --redis "$redis" \
    --shards 0-1/2 >"$work/gateway-workers.out" &
fan_out_pids+=($!)
# Eight messages, on both shards, each handled by one of the two workers.
for _ in $(seq 600); do
    [ "$(cat "$work"/worker-*.out | grep -c 'message from erin')" -ge 8 ] && break
    sleep 0.1
done
kill -TERM "${fan_out_pids[@]}"
for pid in "${fan_out_pids[@]}"; do wait "$pid"; done
fan_out_pids=()
stop_sim
"$root/tests/support/redis-fixture.sh" stop "$work/redis"
cat "$work"/worker-*.out >"$work/workers.out"
for job in 1 2 3 4 5 6 7 8; do
    if [ "$(grep -c "message from erin: job $job (" "$work/workers.out")" != 1 ]; then
        echo "job $job was not handled exactly once; the workers printed:" >&2
        cat "$work/workers.out" >&2
        exit 1
    fi
done
expect workers "(shard 0, seq"
expect workers "(shard 1, seq"
expect gateway-workers "gateway: every shard is ready"
