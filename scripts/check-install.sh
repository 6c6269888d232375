#!/usr/bin/env bash
# check-install.sh PRESET|BUILD_DIR
# Installs a build (build/PRESET, or a build folder) into a temporary prefix
# and builds a user's program against it: find_package(gatewire) (also the
# Conan test_package's program) and pkg-config --cflags --libs; then, for a
# static build, the examples (scripts/check-examples.sh). Each program runs and
# must exit 0. For a shared build it checks too that libgatewire exports its
# API and none of the parsers and codecs inside it. add_subdirectory is
# scripts/check-subproject.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-dev}
[ -d "$build" ] || build=$root/build/$build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/gatewire/gatewire.hpp"
# What is not API stays in the source tree.
test ! -e "$work/prefix/include/gatewire/detail"
test -x "$work/prefix/bin/gatewire-sim"
"$work/prefix/bin/gatewire-decode" --list >/dev/null  # the installed tools find their library

shared=$(find "$work/prefix" -name 'libgatewire.so.*.*' | head -n 1)
if [ -n "$shared" ]; then
    echo "-- shared library: SONAME, exported symbols"
    readelf -d "$shared" | grep -q 'SONAME.*libgatewire\.so\.[0-9]'
    nm -D --defined-only -C "$shared" >"$work/exports"
    grep -q ' gatewire::Shard::start()' "$work/exports"
    leaked=$(grep -E 'simdjson::|nlohmann::|ZSTD_|inflate|deflate' "$work/exports" || true)
    if [ -n "$leaked" ]; then
        echo "libgatewire exports symbols of its private dependencies:" >&2
        echo "$leaked" | head -n 5 >&2
        exit 1
    fi
fi

echo "-- find_package(gatewire) against the installed tree"
cmake -S "$root/tests/install/consumer" -B "$work/find-package" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/find-package" >/dev/null
"$work/find-package/consumer"

if [ -n "$(find "$work/prefix" -name 'libgatewire_redis.*' | head -n 1)" ]; then
    echo "-- find_package(gatewire COMPONENTS redis) against the installed tree"
    cmake -S "$root/tests/install/redis-consumer" -B "$work/redis-consumer" -G Ninja \
        -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
    cmake --build "$work/redis-consumer" >/dev/null
    "$work/redis-consumer/redis-consumer" | grep -q 'sessions under gatewire:session:3:16'
fi

echo "-- the Conan test_package's program against the installed tree"
cmake -S "$root/test_package" -B "$work/test-package" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/test-package" >/dev/null
"$work/test-package/test_package"

if [ -z "$shared" ]; then
    "$root/scripts/check-examples.sh" "$work/prefix"
    echo "-- the README's and getting-started's code, as written (scripts/check-docs)"
    "$root/scripts/check-docs" "$work/prefix"
fi

# The command docs/getting-started.md gives, as written: no --static, for the
# default static install as for a shared one.
echo "-- pkg-config --cflags --libs gatewire"
pc_dir=$(dirname "$(find "$work/prefix" -name gatewire.pc)")
flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs gatewire)
# shellcheck disable=SC2086
g++ -std=c++20 "$root/tests/install/consumer/main.cpp" -o "$work/pkg-config-consumer" $flags
LD_LIBRARY_PATH="$pc_dir/.." "$work/pkg-config-consumer"
