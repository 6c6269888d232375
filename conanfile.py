"""Conan 2 recipe for gatewire, built from this checkout.

    conan create . --build=missing               # static library
    conan create . -o "gatewire/*:shared=True"   # shared library
    conan create . -o "gatewire/*:tools=True"    # also gatewire::sim and the tools
    conan create . -o "gatewire/*:redis=True"    # also gatewire::redis (hiredis)

Consumers: find_package(gatewire) and link gatewire::gatewire (gatewire::sim
with tools=True, gatewire::redis with redis=True), as with an installed tree.
"""
import os

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir


class GatewireConan(ConanFile):
    name = "gatewire"
    description = "Gateway client for Discord and Fluxer: sessions that resume, every dispatch event typed."
    license = "MIT"
    topics = ("discord", "fluxer", "gateway", "websocket", "bot")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "tools": [True, False],
        "redis": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "tools": False,
        "redis": False,
        # Asio, Beast and Describe are header-only.
        "boost/*:header_only": True,
    }
    exports_sources = "CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*", "tools/*"

    def set_version(self):
        # One version, the one CMakeLists.txt declares.
        text = load(self, os.path.join(self.recipe_folder, "CMakeLists.txt"))
        self.version = text.split("project(gatewire VERSION ", 1)[1].split()[0]

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        # Public headers include Asio/Beast, OpenSSL and spdlog.
        self.requires("boost/[>=1.81 <2]", transitive_headers=True)
        self.requires("openssl/[>=3 <4]", transitive_headers=True)
        self.requires("spdlog/[>=1.10 <2]", transitive_headers=True)
        self.requires("zlib/[>=1.2.11 <2]")
        self.requires("zstd/[>=1.5 <2]")
        self.requires("simdjson/[>=3.0 <4]")
        self.requires("nlohmann_json/[>=3.11 <4]")
        if self.options.redis:
            self.requires("hiredis/[>=0.14 <2]")

    def validate(self):
        check_min_cppstd(self, 20)

    def generate(self):
        toolchain = CMakeToolchain(self)
        toolchain.cache_variables["GATEWIRE_BUILD_TESTS"] = False
        toolchain.cache_variables["GATEWIRE_BUILD_BENCH"] = False
        toolchain.cache_variables["GATEWIRE_BUILD_EXAMPLES"] = False
        toolchain.cache_variables["GATEWIRE_BUILD_TOOLS"] = bool(self.options.tools)
        toolchain.cache_variables["GATEWIRE_WITH_REDIS"] = bool(self.options.redis)
        toolchain.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        CMake(self).install()
        # Conan writes its own CMake and pkg-config files from package_info().
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "gatewire")
        self.cpp_info.set_property("pkg_config_name", "gatewire")

        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "gatewire::gatewire")
        core.set_property("pkg_config_name", "gatewire")
        core.libs = ["gatewire"]
        core.defines = ["BOOST_ASIO_NO_DEPRECATED"]
        if self.options.shared:
            core.defines.append("GATEWIRE_SHARED")
        core.requires = [
            "boost::headers",
            "openssl::ssl",
            "openssl::crypto",
            "spdlog::libspdlog",
            "zlib::zlib",
            "zstd::zstdlib",
            "simdjson::simdjson",
            "nlohmann_json::nlohmann_json",
        ]
        if self.settings.os in ("Linux", "FreeBSD"):
            core.system_libs = ["pthread"]

        if self.options.tools:
            sim = self.cpp_info.components["sim"]
            sim.set_property("cmake_target_name", "gatewire::sim")
            sim.libs = ["gatewire_sim"]
            sim.requires = ["core", "zlib::zlib", "zstd::zstdlib", "nlohmann_json::nlohmann_json"]

        if self.options.redis:
            redis = self.cpp_info.components["redis"]
            redis.set_property("cmake_target_name", "gatewire::redis")
            redis.libs = ["gatewire_redis"]
            redis.requires = ["core", "hiredis::hiredis"]
