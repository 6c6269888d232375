#!/usr/bin/env bash
# Other libraries' clients against gatewire-sim: a discord.py bot (Debian's
# python3-discord) and an @discordjs/ws manager (npm, installed here into a
# cache folder), each with zlib-stream, through the demo scenario: READY, a
# message stream, op 7 and a resume whose replay brings the messages sent
# while away, every message exactly once.
#
# Usage: foreign_clients_test.sh GATEWIRE_SIM
set -euo pipefail
sim_bin=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
messages=200

# Each start writes its own file: a shared one still holds the last run's
# "listening on" line until the new process truncates it, after the fork.
sim_runs=0
start_sim() {
    sim_runs=$((sim_runs + 1))
    local out=$work/sim-$sim_runs.out
    "$sim_bin" --scenario demo --messages "$messages" --heartbeat-ms 2000 >"$out" \
        2>"$work/sim-$sim_runs.err" &
    sim_pid=$!
    url=
    for _ in $(seq 600); do
        url=$(sed -n 's/^listening on \(ws:[^ ]*\) .*/\1/p' "$out" 2>/dev/null)
        [ -n "$url" ] && break
        kill -0 "$sim_pid" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$url" ] || fail "gatewire-sim did not start: $(cat "$work/sim-$sim_runs.err")"
}
stop_sim() { kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; sim_pid=; }
# check NAME: its output shows READY, the resume, and every message once.
check() {
    local name=$1 out=$work/$1.out
    grep -qx "DISPATCH READY" "$out" || fail "$name: no READY: $(tail -n 20 "$out")"
    grep -qx "DISPATCH RESUMED" "$out" || fail "$name: no resume after op 7: $(tail -n 20 "$out")"
    grep -qx "DONE $((messages + 10)) messages, each once" "$out" ||
        fail "$name: messages lost or repeated: $(tail -n 20 "$out")"
    echo "$name: READY, $((messages + 10)) messages each once, resumed after op 7"
}

echo "-- discord.py $(/usr/bin/python3 -c 'import discord; print(discord.__version__)')"
start_sim
timeout 120 /usr/bin/python3 "$here/discord_py_bot.py" "$url" "$messages" >"$work/discord.py.out" 2>&1 ||
    fail "discord.py: exit $?: $(tail -n 30 "$work/discord.py.out")"
stop_sim
check discord.py

# The npm packages, pinned, kept between runs.
cache=${GATEWIRE_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gatewire/npm}
mkdir -p "$cache"
if [ ! -f "$cache/node_modules/@discordjs/ws/package.json" ]; then
    echo "-- npm install @discordjs/ws@2.0.4 @discordjs/rest@2 into $cache"
    (cd "$cache" && timeout 300 npm install --no-audit --no-fund --silent \
        @discordjs/ws@2.0.4 @discordjs/rest@2 >/dev/null) || fail "npm install failed"
fi
cp "$here/discordjs_ws.mjs" "$cache/"
echo "-- @discordjs/ws $(node -p "require('$cache/node_modules/@discordjs/ws/package.json').version")"
start_sim
(cd "$cache" && timeout 120 node discordjs_ws.mjs "$url" "$messages") >"$work/discordjs.out" 2>&1 ||
    fail "@discordjs/ws: exit $?: $(tail -n 30 "$work/discordjs.out")"
stop_sim
check discordjs
echo "foreign clients: all checks passed"
