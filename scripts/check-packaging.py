#!/usr/bin/env python3
"""Checks the vcpkg port and the Conan recipe against the CMake build.

Neither tool runs here, so this checks what can be checked without them: the
manifest is valid JSON, the recipes are Python that compiles, every package
declares the version CMakeLists.txt does, and each one's dependency list names
exactly the packages the CMake build and gatewireConfig.cmake find.
"""
import ast
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Package names in each ecosystem for the CMake packages the build finds.
VCPKG = {
    "boost-asio": "Boost", "boost-beast": "Boost", "boost-describe": "Boost",
    "boost-mp11": "Boost", "openssl": "OpenSSL", "zlib": "ZLIB", "zstd": "zstd",
    "simdjson": "simdjson", "nlohmann-json": "nlohmann_json", "spdlog": "spdlog",
    "hiredis": "hiredis",
}
CONAN = {
    "boost": "Boost", "openssl": "OpenSSL", "zlib": "ZLIB", "zstd": "zstd",
    "simdjson": "simdjson", "nlohmann_json": "nlohmann_json", "spdlog": "spdlog",
    "hiredis": "hiredis",
}
SYSTEM = {"Threads", "PkgConfig"}  # the platform's, not a package's
VCPKG_HOST_TOOLS = {"vcpkg-cmake", "vcpkg-cmake-config"}

failures = []


def fail(message):
    failures.append(message)


def cmake_packages():
    top = (ROOT / "CMakeLists.txt").read_text()
    found = set(re.findall(r"^find_package\((\w+)", top, re.M))
    # Found through a helper of ours (an optional one for hiredis).
    helpers = {"gatewireFindZstd.cmake": "zstd", "gatewireFindHiredis.cmake": "hiredis"}
    found |= {package for helper, package in helpers.items() if helper in top}
    config = (ROOT / "cmake/gatewireConfig.cmake.in").read_text()
    again = set(re.findall(r"find_dependency\((\w+)", config))
    again |= {package for helper, package in helpers.items() if helper in config}
    if found - SYSTEM != again - SYSTEM:
        fail(f"gatewireConfig.cmake finds {sorted(again - SYSTEM)}, the build {sorted(found - SYSTEM)}")
    version = re.search(r"project\(gatewire VERSION (\S+)", top).group(1)
    options = set(re.findall(r"^option\((\w+)", top, re.M))
    return found - SYSTEM, version, options


def check_vcpkg(packages, version, options):
    manifest_path = ROOT / "ports/gatewire/vcpkg.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as e:
        fail(f"{manifest_path}: not valid JSON: {e}")
        return
    if manifest.get("name") != "gatewire":
        fail("vcpkg.json: name is not gatewire")
    if manifest.get("version") != version:
        fail(f"vcpkg.json: version {manifest.get('version')}, CMakeLists.txt says {version}")
    listed = list(manifest.get("dependencies", []))
    for feature in manifest.get("features", {}).values():
        listed += feature.get("dependencies", [])
    names = {d if isinstance(d, str) else d["name"] for d in listed}
    unknown = names - set(VCPKG) - VCPKG_HOST_TOOLS
    if unknown:
        fail(f"vcpkg.json: dependencies the build does not use: {sorted(unknown)}")
    if not VCPKG_HOST_TOOLS <= names:
        fail("vcpkg.json: vcpkg-cmake and vcpkg-cmake-config are needed as host dependencies")
    mapped = {VCPKG[n] for n in names if n in VCPKG}
    if mapped != packages:
        fail(f"vcpkg.json covers {sorted(mapped)}, the build finds {sorted(packages)}")
    portfile = (ROOT / "ports/gatewire/portfile.cmake").read_text()
    for option in re.findall(r"-D(GATEWIRE_\w+)=", portfile) + re.findall(r"^\s+\w+ (GATEWIRE_\w+)$", portfile, re.M):
        if option not in options:
            fail(f"portfile.cmake sets {option}, which CMakeLists.txt does not have")
    for feature in re.findall(r"^\s+(\w+) GATEWIRE_\w+$", portfile, re.M):
        if feature not in manifest.get("features", {}):
            fail(f"portfile.cmake maps feature {feature}, which vcpkg.json does not declare")
    if not (ROOT / "ports/gatewire/usage").is_file():
        fail("ports/gatewire/usage is missing")


def conan_requires(path):
    tree = ast.parse(path.read_text(), str(path))  # raises on a syntax error
    refs = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "requires" and node.args
                and isinstance(node.args[0], ast.Constant)):
            refs.append(node.args[0].value)
    return tree, refs


def check_conan(packages, options):
    recipe = ROOT / "conanfile.py"
    try:
        tree, refs = conan_requires(recipe)
        ast.parse((ROOT / "test_package/conanfile.py").read_text())
    except SyntaxError as e:
        fail(f"{e.filename}:{e.lineno}: {e.msg}")
        return
    names = {ref.split("/")[0] for ref in refs}
    unknown = names - set(CONAN)
    if unknown:
        fail(f"conanfile.py: requirements the build does not use: {sorted(unknown)}")
    mapped = {CONAN[n] for n in names if n in CONAN}
    if mapped != packages:
        fail(f"conanfile.py requires {sorted(mapped)}, the build finds {sorted(packages)}")
    text = recipe.read_text()
    for option in re.findall(r'cache_variables\["(GATEWIRE_\w+)"\]', text):
        if option not in options:
            fail(f"conanfile.py sets {option}, which CMakeLists.txt does not have")
    # Every dependency must reach a component, or Conan refuses the package.
    used = {r.split("::")[0] for r in re.findall(r'"(\w+::\w+)"', text)}
    if not names <= used:
        fail(f"conanfile.py: no component requires {sorted(names - used)}")
    for name in ("CMakeLists.txt", "test_package.cpp"):
        if not (ROOT / "test_package" / name).is_file():
            fail(f"test_package/{name} is missing")


def main():
    packages, version, options = cmake_packages()
    check_vcpkg(packages, version, options)
    check_conan(packages, options)
    for message in failures:
        print(f"check-packaging: {message}", file=sys.stderr)
    if not failures:
        print(f"packaging: vcpkg port and Conan recipe match the build ({', '.join(sorted(packages))})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
