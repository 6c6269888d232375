// gatewire-bench shards: the cost of many idle shards. For each compression
// a fresh process starts N shards (a Cluster, max_concurrency 16, a short
// identify spacing) against gatewire-sim in a process of its own, over ws://
// and over wss:// (a TLS front in the simulator's process) on loopback, and
// measures the time until every shard is READY,
// the resident memory each idle shard adds, and the CPU spent while idle.
#include "shards.hpp"

#include "tls_front.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "gatewire/client/cluster.hpp"
#include "gatewire/scale/identify_scheduler.hpp"
#include "gatewire/sim/simulator.hpp"

namespace gatewire::bench {

namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

struct ShardsOptions {
    std::uint32_t count = 1000;
    std::uint32_t max_concurrency = 16;
    std::chrono::milliseconds spacing{50};
    std::chrono::milliseconds idle{5000};
    std::chrono::milliseconds heartbeat{41250};
};

struct ShardsResult {
    double ready_seconds = 0;
    double rss_per_shard_kib = 0;
    double idle_cpu_percent = 0;           // of one core
    std::uint64_t refused_identifies = 0;  // by the simulator: too soon for the bucket
};

long resident_kib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void raise_file_limit() {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

// The simulator's process: serves until its parent closes the pipe. With a
// certificate, the port it reports is a TLS front's.
[[noreturn]] void serve_simulator(const ShardsOptions& options, const test::Pem* tls, int port_pipe,
                                  int stop_pipe) {
    sim::SimConfig config;
    config.shards = options.count;
    config.max_concurrency = options.max_concurrency;
    // The server's rule in full: shards send Identify at their slot, after
    // Hello, whatever their connects took. A refusal costs the shard a retry
    // and shows in the figures.
    config.identify_spacing = options.spacing;
    config.heartbeat_interval = options.heartbeat;
    config.guilds = 1;
    sim::Simulator simulator(config);
    simulator.start();
    std::uint16_t port = simulator.port();
    std::unique_ptr<TlsFront> front;
    if (tls) {
        front = std::make_unique<TlsFront>(port, *tls);
        port = front->port();
    }
    if (write(port_pipe, &port, sizeof port) != sizeof port) {
        _exit(1);
    }
    char byte;
    while (read(stop_pipe, &byte, 1) > 0) {
    }
    front.reset();
    std::uint64_t refused = simulator.stats().rejected_identifies;
    if (write(port_pipe, &refused, sizeof refused) != sizeof refused) {
        _exit(1);
    }
    simulator.stop();
    _exit(0);
}

// One measurement, in the calling process (a fresh one per compression).
ShardsResult measure(const ShardsOptions& options, Compression compression, bool secure) {
    std::optional<test::Pem> pem;
    std::string ca_file;
    if (secure) {
        pem = test::make_self_signed_certificate("localhost");
        ca_file = (std::filesystem::temp_directory_path() /
                   ("gatewire-bench-shards-" + std::to_string(getpid()) + ".pem"))
                      .string();
        std::ofstream(ca_file) << pem->certificate;
    }
    int port_pipe[2], stop_pipe[2];
    if (pipe(port_pipe) != 0 || pipe(stop_pipe) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_t simulator = fork();
    if (simulator == 0) {
        close(port_pipe[0]);
        close(stop_pipe[1]);
        serve_simulator(options, pem ? &*pem : nullptr, port_pipe[1], stop_pipe[0]);
    }
    close(port_pipe[1]);
    close(stop_pipe[0]);
    std::uint16_t port = 0;
    if (read(port_pipe[0], &port, sizeof port) != sizeof port) {
        throw std::runtime_error("the simulator did not start");
    }

    boost::asio::io_context io;
    ClusterConfig config;
    config.shard.session.url =
        (secure ? "wss://localhost:" : "ws://127.0.0.1:") + std::to_string(port);
    config.shard.ca_file = ca_file;
    config.shard.session.token = "sim-token";
    config.shard.session.intents = gatewire::Intents::guilds | gatewire::Intents::guild_messages;
    config.shard.session.compression = compression;
    config.shards = ShardRange::all(options.count);
    config.max_concurrency = options.max_concurrency;
    config.identify_spacing = options.spacing;
    // Production's proportion: Discord's 5 s spacing and the 5 s default
    // lead. With the spacing cut to 50 ms and the lead kept at 5 s, all the
    // shards would connect in the first millisecond, a burst no real start
    // makes, and the simulator's one thread would read Identifies late.
    config.shard.session.identify_lead = options.spacing;
    // The baseline comes before the shards exist: everything they hold,
    // from construction on, counts.
    long before = resident_kib();
    Cluster cluster(io.get_executor(), config);
    std::atomic<std::uint32_t> ready{0};
    cluster.on<events::Ready>([&](const events::Ready&, const EventContext&) { ++ready; });
    auto started = std::chrono::steady_clock::now();
    cluster.start();
    std::thread runner([&] { io.run(); });
    while (ready < options.count) {
        std::this_thread::sleep_for(5ms);
        if (std::chrono::steady_clock::now() - started > 10min) {
            std::fprintf(stderr, "gatewire-bench shards: %u of %u shards READY\n", ready.load(),
                         options.count);
            std::fflush(nullptr);
            _exit(1);  // the process is thrown away; nothing to unwind
        }
    }
    ShardsResult result;
    result.ready_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::this_thread::sleep_for(500ms);  // let the last READYs settle
    double cpu_before = cpu_seconds();
    auto idle_from = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(options.idle);
    double idle_wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - idle_from).count();
    result.idle_cpu_percent = (cpu_seconds() - cpu_before) / idle_wall * 100;
    long after = resident_kib();
    result.rss_per_shard_kib = static_cast<double>(after - before) / options.count;
    cluster.stop();
    io.stop();
    runner.join();
    if (secure) {
        std::filesystem::remove(ca_file);
    }
    close(stop_pipe[1]);  // the simulator stops and tells how many identifies it refused
    if (read(port_pipe[0], &result.refused_identifies, sizeof result.refused_identifies) !=
        sizeof result.refused_identifies) {
        throw std::runtime_error("the simulator failed");
    }
    int status = 0;
    waitpid(simulator, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("the simulator failed");
    }
    return result;
}

// Runs measure() in a child process, so each compression starts from a fresh heap.
ShardsResult measure_in_child(const ShardsOptions& options, Compression compression, bool secure) {
    int result_pipe[2];
    if (pipe(result_pipe) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_t child = fork();
    if (child == 0) {
        close(result_pipe[0]);
        int code = 0;
        try {
            ShardsResult result = measure(options, compression, secure);
            if (write(result_pipe[1], &result, sizeof result) != sizeof result) {
                code = 1;
            }
        } catch (const std::exception& e) {
            std::cerr << "gatewire-bench shards: " << e.what() << "\n";
            code = 1;
        }
        std::fflush(nullptr);
        _exit(code);
    }
    close(result_pipe[1]);
    ShardsResult result;
    bool got = read(result_pipe[0], &result, sizeof result) == sizeof result;
    close(result_pipe[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("the measurement failed");
    }
    return result;
}

int shards_usage() {
    std::cerr << "usage: gatewire-bench shards [--count N] [--max-concurrency N] "
                 "[--spacing-ms N] [--idle-ms N] [--json]\n";
    return 2;
}

}  // namespace

int run_shards(int argc, char** argv) {
    ShardsOptions options;
    bool as_json = false;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        auto number = [&]() -> long {
            if (i + 1 >= argc) {
                throw std::invalid_argument(arg + " needs a value");
            }
            return std::stol(argv[++i]);
        };
        try {
            if (arg == "--count") {
                options.count = static_cast<std::uint32_t>(number());
            } else if (arg == "--max-concurrency") {
                options.max_concurrency = static_cast<std::uint32_t>(number());
            } else if (arg == "--spacing-ms") {
                options.spacing = std::chrono::milliseconds(number());
            } else if (arg == "--idle-ms") {
                options.idle = std::chrono::milliseconds(number());
            } else if (arg == "--json") {
                as_json = true;
            } else {
                return shards_usage();
            }
        } catch (const std::exception&) {
            return shards_usage();
        }
    }
    if (options.count == 0 || options.max_concurrency == 0) {
        return shards_usage();
    }
    raise_file_limit();
    std::printf(
        "gatewire-bench shards: %u shards against gatewire-sim (a process of its own) over "
        "ws:// and wss:// on loopback;\nmax_concurrency %u, identify spacing %lld ms, heartbeat "
        "%lld ms, "
        "idle window %lld ms\n\n",
        options.count, options.max_concurrency, static_cast<long long>(options.spacing.count()),
        static_cast<long long>(options.heartbeat.count()),
        static_cast<long long>(options.idle.count()));
    std::fflush(stdout);
    try {
        ShardsResult zlib = measure_in_child(options, Compression::zlib_stream, false);
        ShardsResult zstd = measure_in_child(options, Compression::zstd_stream, false);
        ShardsResult zlib_tls = measure_in_child(options, Compression::zlib_stream, true);
        ShardsResult zstd_tls = measure_in_child(options, Compression::zstd_stream, true);
        std::printf("%-18s %14s %16s %16s %18s\n", "connection", "all READY", "RSS per shard",
                    "idle CPU", "identifies refused");
        auto row = [](const char* name, const ShardsResult& r) {
            std::printf("%-18s %12.2f s %12.1f KiB %14.2f %% %18llu\n", name, r.ready_seconds,
                        r.rss_per_shard_kib, r.idle_cpu_percent,
                        static_cast<unsigned long long>(r.refused_identifies));
        };
        row("ws:// zlib-stream", zlib);
        row("ws:// zstd-stream", zstd);
        row("wss:// zlib-stream", zlib_tls);
        row("wss:// zstd-stream", zstd_tls);
        double waves = std::ceil(static_cast<double>(options.count) / options.max_concurrency);
        auto claimed = options.spacing + claim_margin(options.spacing);
        std::printf(
            "\nthe identify rules alone take %.2f s (%.0f waves of %u, %lld ms apart); with the "
            "claim margin, %.2f s (%lld ms apart)\n",
            (waves - 1) * options.spacing.count() / 1000.0, waves, options.max_concurrency,
            static_cast<long long>(options.spacing.count()), (waves - 1) * claimed.count() / 1000.0,
            static_cast<long long>(claimed.count()));
        if (as_json) {
            json out = {{"benchmark", "shards"},
                        {"shards", options.count},
                        {"max_concurrency", options.max_concurrency},
                        {"identify_spacing_ms", options.spacing.count()},
                        {"rss_per_shard_kib_zlib", zlib.rss_per_shard_kib},
                        {"rss_per_shard_kib_zstd", zstd.rss_per_shard_kib},
                        {"ready_seconds_zlib", zlib.ready_seconds},
                        {"ready_seconds_zstd", zstd.ready_seconds},
                        {"idle_cpu_percent_zlib", zlib.idle_cpu_percent},
                        {"idle_cpu_percent_zstd", zstd.idle_cpu_percent},
                        {"refused_identifies_zlib", zlib.refused_identifies},
                        {"refused_identifies_zstd", zstd.refused_identifies},
                        {"rss_per_shard_kib_zlib_tls", zlib_tls.rss_per_shard_kib},
                        {"rss_per_shard_kib_zstd_tls", zstd_tls.rss_per_shard_kib},
                        {"ready_seconds_zlib_tls", zlib_tls.ready_seconds},
                        {"ready_seconds_zstd_tls", zstd_tls.ready_seconds},
                        {"idle_cpu_percent_zlib_tls", zlib_tls.idle_cpu_percent},
                        {"idle_cpu_percent_zstd_tls", zstd_tls.idle_cpu_percent},
                        {"refused_identifies_zlib_tls", zlib_tls.refused_identifies},
                        {"refused_identifies_zstd_tls", zstd_tls.refused_identifies}};
            std::cout << out.dump() << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << "gatewire-bench shards: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace gatewire::bench
