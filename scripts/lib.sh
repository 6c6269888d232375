# Shared by scripts/demo and scripts/test: Debian packages and the build.
set -euo pipefail

GATEWIRE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GATEWIRE_PACKAGES=(cmake ninja-build g++ pkg-config libboost1.81-dev libssl-dev
    nlohmann-json3-dev zlib1g-dev libzstd-dev libsimdjson-dev libspdlog-dev libhiredis-dev catch2
    clang-format python3 doxygen)
# Only the tests need a Redis server (they start their own on loopback), and
# the foreign clients run against the simulator: discord.py and node with npm.
GATEWIRE_TEST_PACKAGES=(redis-server python3-discord)
# The fuzz targets need clang's libFuzzer.
GATEWIRE_FUZZ_PACKAGES=(clang libclang-rt-14-dev)

# Install what is missing (as root), or print the command and stop.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "installing: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    else
        echo "missing Debian packages; run:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

# configure_and_build PRESET [TARGET...]
configure_and_build() {
    local preset=$1
    shift
    cmake --preset "$preset" -S "$GATEWIRE_ROOT" >/dev/null
    if [ $# -gt 0 ]; then
        cmake --build "$GATEWIRE_ROOT/build/$preset" --target "$@"
    else
        cmake --build "$GATEWIRE_ROOT/build/$preset"
    fi
}
