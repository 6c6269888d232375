#!/usr/bin/env bash
# Runs `gatewire-bench peers` with @discordjs/ws 2.0.4 and zlib-sync, installed
# here (pinned, with npm) into a cache folder kept between runs.
#
# Usage: bench/peers/run.sh GATEWIRE_BENCH [peers options...]
set -euo pipefail
bench=$1
shift
cache=${GATEWIRE_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gatewire/npm-peers}
mkdir -p "$cache"
if [ ! -f "$cache/node_modules/@discordjs/ws/package.json" ] ||
    [ ! -f "$cache/node_modules/zlib-sync/package.json" ]; then
    echo "-- npm install @discordjs/ws@2.0.4 zlib-sync@0.1.10 into $cache"
    (cd "$cache" && timeout 600 npm install --no-audit --no-fund --silent \
        @discordjs/ws@2.0.4 zlib-sync@0.1.10 >/dev/null)
fi
# zlib-sync is a native module: prove it loads, or @discordjs/ws would quietly
# fall back to no compression.
(cd "$cache" && node -e "if (typeof require('zlib-sync').Inflate !== 'function') process.exit(1)") || {
    echo "zlib-sync does not load in $cache (its native build failed)" >&2
    exit 1
}
exec "$bench" peers --node-dir "$cache" "$@"
