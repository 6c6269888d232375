#!/usr/bin/env bash
# Installs the build of PRESET into a temporary prefix and builds a user's
# program three ways: find_package(gatewire) against the installed tree,
# add_subdirectory of the source tree, and pkg-config --cflags --libs.
# Each program runs and must exit 0.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-dev}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$root/build/$preset" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/gatewire/client.hpp"
test -x "$work/prefix/bin/gatewire-sim"

echo "-- find_package(gatewire) against the installed tree"
cmake -S "$root/tests/install/consumer" -B "$work/find-package" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/find-package" >/dev/null
"$work/find-package/consumer"

echo "-- add_subdirectory(gatewire)"
cmake -S "$root/tests/install/subproject" -B "$work/subproject" -G Ninja \
    -DGATEWIRE_SOURCE_DIR="$root" >/dev/null
cmake --build "$work/subproject" --target consumer >/dev/null
"$work/subproject/consumer"

echo "-- pkg-config --cflags --libs gatewire"
pc_dir=$(dirname "$(find "$work/prefix" -name gatewire.pc)")
flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --static --cflags --libs gatewire)
# shellcheck disable=SC2086
g++ -std=c++20 "$root/tests/install/consumer/main.cpp" -o "$work/pkg-config-consumer" $flags
"$work/pkg-config-consumer"
