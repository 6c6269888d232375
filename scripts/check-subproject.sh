#!/usr/bin/env bash
# A user's project with gatewire's source tree added as a subdirectory
# (tests/install/subproject), built as shared libraries with the tools and
# Redis: its program runs, then the same build is installed and checked as a
# shared libgatewire (scripts/check-install.sh: the exported API and nothing of
# the parsers and codecs, find_package, pkg-config). One library build serves
# both checks; add_subdirectory does not depend on the library's kind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/subproject-shared

echo "-- add_subdirectory(gatewire), shared"
cmake -S "$root/tests/install/subproject" -B "$build" -G Ninja \
    -DGATEWIRE_SOURCE_DIR="$root" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 \
    -DBUILD_SHARED_LIBS=ON -DGATEWIRE_BUILD_TOOLS=ON -DGATEWIRE_WITH_REDIS=ON \
    -DGATEWIRE_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build"
"$build/consumer"

"$root/scripts/check-install.sh" "$build"
