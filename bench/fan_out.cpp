// gatewire-bench fanout [--events N] [--paced N] [--rate N] [--workers 1,2,4] [--shards N]
//
// Events through Redis from one gateway (a Cluster of --shards shards on the
// simulator, with a RedisEventPublisher) to N RedisEventWorkers on this
// machine, each on a thread and a connection of its own, against a
// redis-server the bench starts on loopback. Per worker count:
//  - throughput: --events dispatched at once, events per second from the
//    first dispatch to the last event handled by a worker;
//  - latency: --paced events at --rate a second, each stamped when the
//    simulator dispatched it; p50/p99 at the gateway's own handler and at the
//    workers' handlers, and the difference (what Redis adds).
#include "fan_out.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gatewire/client/cluster.hpp"
#include "gatewire/core/log.hpp"
#include "gatewire/redis/event_publisher.hpp"
#include "gatewire/redis/event_worker.hpp"
#include "gatewire/sim/simulator.hpp"

extern char** environ;

namespace gatewire::bench::fan_out {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

// The dispatch time the bench wrote into the event's nonce; 0 if none.
std::int64_t stamp_of(std::string_view d) {
    auto at = d.find("\"nonce\":\"");
    if (at == std::string_view::npos) {
        return 0;
    }
    return std::stoll(std::string(d.substr(at + 9, 20)));
}

std::uint16_t free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(s);
    return ntohs(address.sin_port);
}

struct RedisServer {
    pid_t pid = -1;
    std::uint16_t port = free_port();
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("gatewire-bench-redis-" + std::to_string(::getpid()));
    RedisServer() {
        std::filesystem::create_directories(dir);
        std::vector<std::string> arguments{"/usr/bin/redis-server",
                                           "--bind",
                                           "127.0.0.1",
                                           "--port",
                                           std::to_string(port),
                                           "--save",
                                           "",
                                           "--appendonly",
                                           "no",
                                           "--dir",
                                           dir.string(),
                                           "--logfile",
                                           (dir / "redis.log").string()};
        std::vector<char*> argv;
        for (auto& a : arguments) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
            throw std::runtime_error("cannot start redis-server (apt install redis-server)");
        }
        RedisOptions options;
        options.port = port;
        for (int i = 0; i < 100; ++i) {
            try {
                RedisConnection(options).command({"PING"});
                return;
            } catch (const std::exception&) {
                std::this_thread::sleep_for(50ms);
            }
        }
        throw std::runtime_error("redis-server did not answer");
    }
    ~RedisServer() {
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
        std::filesystem::remove_all(dir);
    }
};

struct Latencies {
    std::mutex mutex;
    std::vector<double> us;
    void add(std::int64_t stamp) {
        if (stamp == 0) {
            return;
        }
        double value = static_cast<double>(now_ns() - stamp) / 1000.0;
        std::lock_guard lock(mutex);
        us.push_back(value);
    }
    double percentile(double p) {
        std::lock_guard lock(mutex);
        if (us.empty()) {
            return 0;
        }
        std::sort(us.begin(), us.end());
        return us[std::min(us.size() - 1, static_cast<std::size_t>(p * us.size()))];
    }
};

struct Result {
    unsigned workers = 0;
    double events_per_second = 0;
    double gateway_p50 = 0, gateway_p99 = 0, worker_p50 = 0, worker_p99 = 0;
};

std::string message(std::uint64_t guild, std::uint64_t n) {
    return R"({"id":")" + std::to_string(1000 + n) + R"(","channel_id":"5","guild_id":")" +
           std::to_string(guild) + R"(","author":{"id":"7","username":"u"},"content":"hello",)" +
           R"("timestamp":"2026-12-03T10:00:00Z","nonce":")" + std::to_string(now_ns()) + R"("})";
}

Result measure(std::uint16_t port, unsigned workers, std::uint32_t shards, std::size_t events,
               std::size_t paced, std::size_t rate) {
    RedisOptions options;
    options.port = port;
    options.key_prefix = "bench-" + std::to_string(workers);
    sim::SimConfig sim_config;
    sim_config.shards = shards;
    sim_config.max_concurrency = shards;
    sim_config.guilds = 0;
    sim_config.heartbeat_interval = 5000ms;
    sim::Simulator sim(sim_config);
    sim.start();

    EventPublisherConfig fan_out;
    fan_out.streams.shard_count = shards;
    RedisEventPublisher publisher(options, fan_out);
    boost::asio::io_context io;
    ClusterConfig config;
    config.shard.session.url = sim.url();
    config.shard.session.token = Secret("sim-token");
    config.shard.session.intents = Intents::guilds | Intents::guild_messages;
    config.shards = ShardRange::all(shards);
    config.max_concurrency = shards;
    config.identify_spacing = 1ms;
    Cluster cluster(io.get_executor(), config);
    Latencies at_gateway, at_workers;
    std::atomic<bool> timing = false;
    cluster.on_raw([&](const RawEvent& e) {
        if (timing) {
            at_gateway.add(stamp_of(e.data()));
        }
    });
    publisher.attach(cluster);
    cluster.start();
    std::thread io_thread([&] { io.run(); });

    std::atomic<std::size_t> handled = 0;
    std::vector<std::unique_ptr<RedisEventWorker>> pool;
    std::vector<std::thread> threads;
    EventStreams streams = fan_out.streams;
    for (unsigned i = 0; i < workers; ++i) {
        EventWorkerConfig worker_config;
        worker_config.streams = streams.all_keys(options.key_prefix);
        worker_config.consumer = "w" + std::to_string(i);
        auto worker = std::make_unique<RedisEventWorker>(options, worker_config);
        worker->on_raw([&](const RawEvent& e) {
            if (e.name == "MESSAGE_CREATE") {
                if (timing) {
                    at_workers.add(stamp_of(e.data()));
                }
                ++handled;
            }
        });
        threads.emplace_back([w = worker.get()] { w->run(); });
        pool.push_back(std::move(worker));
    }
    sim.wait_until([&](const auto& s) { return s.ready_sessions == shards; }, 60s);

    auto wait_handled = [&](std::size_t n) {
        auto deadline = Clock::now() + 120s;
        while (handled < n && Clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
    };
    // Throughput: everything at once; guilds spread over the shards.
    auto started = Clock::now();
    for (std::size_t n = 0; n < events; ++n) {
        sim.dispatch("MESSAGE_CREATE", message((n % shards) << 22, n));
    }
    wait_handled(events);
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();

    // Latency: paced.
    timing = true;
    auto gap = std::chrono::nanoseconds(1'000'000'000 / std::max<std::size_t>(1, rate));
    auto next = Clock::now();
    for (std::size_t n = 0; n < paced; ++n) {
        std::this_thread::sleep_until(next);
        next += gap;
        sim.dispatch("MESSAGE_CREATE", message((n % shards) << 22, events + n));
    }
    wait_handled(events + paced);

    for (auto& worker : pool) {
        worker->stop();
    }
    for (auto& t : threads) {
        t.join();
    }
    cluster.stop();
    io_thread.join();
    sim.stop();
    Result result;
    result.workers = workers;
    result.events_per_second = handled >= events ? static_cast<double>(events) / seconds : 0;
    result.gateway_p50 = at_gateway.percentile(0.50);
    result.gateway_p99 = at_gateway.percentile(0.99);
    result.worker_p50 = at_workers.percentile(0.50);
    result.worker_p99 = at_workers.percentile(0.99);
    return result;
}

}  // namespace gatewire::bench::fan_out

namespace gatewire::bench {

int run_fan_out(int argc, char** argv) {
    using namespace fan_out;
    std::size_t events = 20000, paced = 2000, rate = 1000;
    std::uint32_t shards = 4;
    std::vector<unsigned> worker_counts{1, 2, 4};
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--events") {
            events = std::stoul(value);
        } else if (key == "--paced") {
            paced = std::stoul(value);
        } else if (key == "--rate") {
            rate = std::stoul(value);
        } else if (key == "--shards") {
            shards = static_cast<std::uint32_t>(std::stoul(value));
        } else if (key == "--workers") {
            worker_counts.clear();
            std::stringstream list(value);
            for (std::string item; std::getline(list, item, ',');) {
                worker_counts.push_back(static_cast<unsigned>(std::stoul(item)));
            }
        }
    }
    set_logger(nullptr);
    RedisServer redis;
    std::printf(
        "fan-out through redis-server (loopback): %u shards, %zu events at once, "
        "%zu paced at %zu/s\n",
        shards, events, paced, rate);
    std::printf("  %-8s %14s %12s %12s %12s %12s %12s\n", "workers", "events/s", "gw p50 us",
                "gw p99 us", "wk p50 us", "wk p99 us", "added p50");
    bool ok = true;
    for (unsigned workers : worker_counts) {
        Result r = measure(redis.port, workers, shards, events, paced, rate);
        ok &= r.events_per_second > 0;
        std::printf("  %-8u %14.0f %12.0f %12.0f %12.0f %12.0f %12.0f\n", r.workers,
                    r.events_per_second, r.gateway_p50, r.gateway_p99, r.worker_p50, r.worker_p99,
                    r.worker_p50 - r.gateway_p50);
        std::fflush(stdout);
    }
    return ok ? 0 : 1;
}

}  // namespace gatewire::bench
