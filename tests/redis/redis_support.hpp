// What the Redis tests share: the fixture's server under a key prefix of the
// test's own, child processes, and the files they write.
#pragma once

#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gatewire/redis/connection.hpp"

extern char** environ;

namespace gatewire::test {

// The fixture's server, with a key prefix of this test's own.
inline RedisOptions test_redis() {
    const char* file = std::getenv("GATEWIRE_TEST_REDIS_FILE");
    REQUIRE(file);
    std::ifstream in(file);
    std::string address;
    in >> address;
    auto options = parse_redis_address(address);
    REQUIRE(options);
    std::random_device random;
    options->key_prefix = "gatewire-test-" + std::to_string(random());
    return *options;
}

// A child process, killed at the end of the scope if still running.
struct Process {
    pid_t pid = -1;
    explicit Process(const std::vector<std::string>& arguments) {
        std::vector<char*> argv;
        for (const auto& a : arguments) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
    }
    int end(int signal) {
        if (pid < 0) {
            return -1;
        }
        ::kill(pid, signal);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return status;
    }
    ~Process() { end(SIGKILL); }
};

inline std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

}  // namespace gatewire::test
