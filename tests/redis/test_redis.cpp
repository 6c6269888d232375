// The Redis-backed identify queue and session store against a real
// redis-server on loopback (started by the CTest fixture), and two processes
// sharing one bot through them: one identify schedule for both, and a
// process killed and started again resuming its shards instead of identifying.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "../support/eventually.hpp"
#include "../support/sim_config.hpp"
#include "gatewire/client/cluster.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/redis/identify_queue.hpp"
#include "gatewire/redis/session_store.hpp"
#include "redis_support.hpp"

using namespace gatewire;
using namespace std::chrono_literals;
using test::eventually;
using test::patience;
using test::Process;
using test::read_lines;
using test::test_redis;

TEST_CASE("redis addresses") {
    auto plain = parse_redis_address("10.0.0.5:6380");
    REQUIRE(plain);
    CHECK(plain->host == "10.0.0.5");
    CHECK(plain->port == 6380);
    auto full = parse_redis_address("redis://:hunter2@cache.internal:6390/3");
    REQUIRE(full);
    CHECK(full->host == "cache.internal");
    CHECK(full->port == 6390);
    CHECK(full->password == "hunter2");
    CHECK(full->database == 3);
    CHECK(parse_redis_address("localhost")->port == 6379);
    CHECK_FALSE(parse_redis_address("host:notaport"));
    CHECK_FALSE(parse_redis_address(":6379"));
    CHECK_FALSE(parse_redis_address("redis://host/x"));
}

TEST_CASE("sessions saved in redis are loaded back, per shard and count, and erased") {
    auto redis = std::make_shared<RedisConnection>(test_redis());
    RedisSessionStore store(redis, 10s);
    CHECK_FALSE(store.load({3, 8}));
    ResumableSession session{"4f0a9c7e2b1d4e6f8a0b1c2d3e4f5a6b", 1234, "wss://resume.example"};
    store.save({3, 8}, session);
    CHECK(store.load({3, 8}) == session);
    CHECK_FALSE(store.load({3, 16}));  // another shard count is another shard
    REQUIRE(store.flush(patience));
    RedisSessionStore other_process(redis, 10s);
    CHECK(other_process.load({3, 8}) == session);
    CHECK(redis->command({"PTTL", store.key_of({3, 8})}).integer > 9000);
    redis->command({"SET", store.key_of({4, 8}), "not a session"});
    CHECK_FALSE(store.load({4, 8}));
    store.erase({3, 8});
    CHECK_FALSE(store.load({3, 8}));
    REQUIRE(store.flush(patience));
    CHECK_FALSE(other_process.load({3, 8}));
}

TEST_CASE("a session just saved loads back while its write to redis is still in flight") {
    // The store writes from a thread of its own; a load between that thread
    // taking a save and Redis answering it must not miss the save.
    auto redis = std::make_shared<RedisConnection>(test_redis());
    RedisSessionStore store(redis, 10s);
    for (std::uint64_t seq = 1; seq <= 2000; ++seq) {
        ResumableSession session{"4f0a9c7e2b1d4e6f8a0b1c2d3e4f5a6b", seq, ""};
        store.save({5, 8}, session);
        auto loaded = store.load({5, 8});
        REQUIRE(loaded);
        REQUIRE(loaded->seq == seq);
    }
    REQUIRE(store.flush(patience));
}

TEST_CASE("two identify queues on one redis keep one schedule per bucket") {
    auto options = test_redis();
    // Two processes' worth: separate connections, separate queues.
    RedisIdentifyQueue first(std::make_shared<RedisConnection>(options), 2, 300ms);
    RedisIdentifyQueue second(std::make_shared<RedisConnection>(options), 2, 300ms);
    auto now = Clock::now();
    auto a = first.reserve(0, now);   // bucket 0
    auto b = second.reserve(1, now);  // bucket 1: free at once
    auto c = second.reserve(2, now);  // bucket 0 again, from the other process
    auto d = first.reserve(4, now);   // and once more
    CHECK(a - now < 50ms);
    CHECK(b - now < 50ms);
    CHECK(c - a >= 250ms);  // one spacing (300 ms, less the time between the two calls)
    CHECK(d - c >= 250ms);
    CHECK(d - now <= 700ms);
}

TEST_CASE("a spent session budget in redis makes every process wait for its reset") {
    auto options = test_redis();
    RedisIdentifyQueue first(std::make_shared<RedisConnection>(options), 1, 1ms);
    RedisIdentifyQueue second(std::make_shared<RedisConnection>(options), 1, 1ms);
    first.set_limit({1000, 1, 2000ms, 1}, Clock::now());
    auto now = Clock::now();
    CHECK(first.reserve(0, now) - now < 100ms);  // the last one left today
    auto waited = second.reserve(0, now) - now;  // the other process sees it spent
    CHECK(waited > 1500ms);
    CHECK(waited <= 2100ms);
}

TEST_CASE("the budget in redis starts again from its total at the reset") {
    auto options = test_redis();
    RedisIdentifyQueue first(std::make_shared<RedisConnection>(options), 1, 1ms);
    RedisIdentifyQueue second(std::make_shared<RedisConnection>(options), 1, 1ms);
    first.set_limit({3, 0, 400ms, 1}, Clock::now());  // spent until the reset
    auto now = Clock::now();
    auto waited = second.reserve(0, now) - now;  // waits for the reset, owed to the new day
    CHECK(waited > 0ms);
    CHECK(waited <= 500ms);
    std::this_thread::sleep_for(600ms);  // past the reset
    now = Clock::now();
    CHECK(first.reserve(0, now) - now < 100ms);   // the new day: 3, less the one owed
    CHECK(second.reserve(0, now) - now < 100ms);  // the last of the day
    CHECK(first.reserve(0, now) - now > 23h);     // spent again: tomorrow
}

TEST_CASE("two processes behind one address share the identify window, resumes counted") {
    auto options = test_redis();
    const RateLimit window{2, 1000ms};  // as Fluxer counts identifies and resumes per address
    RedisIdentifyQueue first(std::make_shared<RedisConnection>(options), 4, 1ms, window);
    RedisIdentifyQueue second(std::make_shared<RedisConnection>(options), 4, 1ms, window);
    auto now = Clock::now();
    CHECK(first.reserve(0, now) - now < 100ms);
    CHECK(second.reserve_resume(1, now) - now < 100ms);  // the window's second place
    auto third = first.reserve(2, now) - now;            // a bucket of its own, yet it waits
    CHECK(third > 500ms);  // the window less the time between the calls
    CHECK(third <= 1100ms);
    auto fourth = second.reserve_resume(3, now) - now;
    CHECK(fourth > 500ms);
    CHECK(fourth <= 1100ms);
    auto fifth = second.reserve(1, now) - now;  // the window's next turn
    CHECK(fifth > 1500ms);
    CHECK(fifth <= 2200ms);
}

TEST_CASE("an unreachable redis costs the shared schedule, not the start") {
    RedisOptions nowhere;
    nowhere.port = 1;  // nothing listens there
    nowhere.timeout = 200ms;
    auto redis = std::make_shared<RedisConnection>(nowhere);
    RedisIdentifyQueue queue(redis, 1, 100ms);
    auto now = Clock::now();
    CHECK(queue.reserve(0, now) == now);          // this process's own schedule
    CHECK(queue.reserve(1, now) == now + 100ms);  // still spaced
    RedisSessionStore store(redis);
    try {
        store.load({0, 1});
        FAIL("no error");
    } catch (const std::system_error& e) {
        CHECK(e.code() == errc::store_unavailable);
    }
}

TEST_CASE("a blackholed redis never stalls heartbeats: 50 shards on one I/O thread keep theirs") {
    // A listener that takes connections and never answers: every command
    // waits out its timeout. The identify queue asks Redis from a thread of
    // its own, so the I/O thread goes on heartbeating every open connection
    // while the shards wait (one after another) for their slots and claims.
    int blackhole = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(blackhole >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(blackhole, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(blackhole, 512) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(blackhole, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    RedisOptions silent;
    silent.port = ntohs(address.sin_port);
    silent.timeout = 100ms;

    constexpr std::uint32_t shards = 50;
    auto sim_config = test::quick_sim_config(profiles::discord());
    sim_config.heartbeat_interval = 1000ms;
    sim_config.heartbeat_timeout_factor = 1.5;  // the real servers' tolerance
    sim_config.shards = shards;
    sim_config.max_concurrency = shards;
    sim::Simulator sim(sim_config);
    sim.start();

    boost::asio::io_context io;
    ClusterConfig config;
    config.shard.session.url = sim.url();
    config.shard.session.token = Secret("sim-token");
    config.shard.session.compression = Compression::zlib_stream;
    config.shards = ShardRange::all(shards);
    config.max_concurrency = shards;
    config.identify_spacing = 1ms;
    config.identify_queue = std::make_shared<RedisIdentifyQueue>(
        std::make_shared<RedisConnection>(silent), shards, 1ms);
    Cluster cluster(io.get_executor(), config);
    cluster.start();
    std::thread io_thread([&] { io.run(); });  // the one I/O thread
    // Each shard costs a reserve and a claim that time out (100 ms each):
    // about 10 s for the last, while the first have heartbeated all along.
    bool all_ready =
        sim.wait_until([](const auto& st) { return st.ready_sessions == shards; }, 120s);
    std::this_thread::sleep_for(2500ms);  // two more heartbeat intervals for every shard
    auto stats = sim.stats();
    cluster.stop();
    io_thread.join();
    ::close(blackhole);
    CHECK(all_ready);
    CHECK(stats.connections == shards);  // nobody reconnected
    CHECK(stats.identifies == shards);
    for (std::uint16_t code : stats.server_close_codes) {
        CHECK(code != 4009);  // no session timed out for a missing heartbeat
    }
    CHECK(stats.heartbeats >= shards * 2);
}

TEST_CASE("two processes share a bot's shards through redis: a killed one resumes on restart") {
    auto options = test_redis();
    std::string address = options.host + ":" + std::to_string(options.port);
    auto sim_config = test::quick_sim_config(profiles::discord());
    sim_config.shards = 4;
    sim_config.max_concurrency = 2;
    sim_config.identify_spacing = 300ms;  // enforced by the server: op 9 when too soon
    sim::Simulator sim(sim_config);
    sim.start();
    std::string out = std::filesystem::temp_directory_path() /
                      ("gatewire-node-" + std::to_string(::getpid()) + "-");
    auto node = [&](const std::string& range, const std::string& name) {
        return std::vector<std::string>{GATEWIRE_TEST_NODE,
                                        "--url",
                                        sim.url(),
                                        "--redis",
                                        address,
                                        "--prefix",
                                        options.key_prefix,
                                        "--shards",
                                        range,
                                        "--max-concurrency",
                                        "2",
                                        "--spacing-ms",
                                        "400",
                                        "--out",
                                        out + name};
    };
    std::remove((out + "a").c_str());
    std::remove((out + "b").c_str());

    auto a = std::make_unique<Process>(node("0-1/4", "a"));
    Process b(node("2-3/4", "b"));
    REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 4; }, patience));
    auto stats = sim.stats();
    // Shards 0 (process a) and 2 (process b) share bucket 0, as 1 and 3 share
    // bucket 1: only one schedule for both processes keeps them apart.
    CHECK(stats.rejected_identifies == 0);
    REQUIRE(stats.identify_log.size() == 4);
    std::map<std::uint32_t, std::vector<Clock::time_point>> by_bucket;
    for (const auto& record : stats.identify_log) {
        by_bucket[record.shard_id % 2].push_back(record.at);
    }
    for (auto& [bucket, times] : by_bucket) {
        REQUIRE(times.size() == 2);
        CHECK(times[1] - times[0] >= 300ms);
    }

    // Each shard's sessions is in redis once its READY has been handled.
    auto redis = std::make_shared<RedisConnection>(options);
    RedisSessionStore store(redis);
    REQUIRE(eventually([&] {
        for (std::uint32_t id = 0; id < 4; ++id) {
            if (!store.load({id, 4})) {
                return false;
            }
        }
        return true;
    }));

    // Process a dies without a word; its sockets drop, its sessions stay.
    a->end(SIGKILL);
    REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 2; }, patience));
    const std::uint64_t guild_of_shard_0 = std::uint64_t{4} << 22;
    const std::uint64_t guild_of_shard_1 = std::uint64_t{5} << 22;
    for (std::uint64_t guild : {guild_of_shard_0, guild_of_shard_1}) {
        sim.dispatch("TYPING_START", R"({"channel_id":"1","guild_id":")" + std::to_string(guild) +
                                         R"(","user_id":"2","timestamp":1795435200})");
    }

    a = std::make_unique<Process>(node("0-1/4", "a"));
    REQUIRE(sim.wait_until([](const auto& s) { return s.resumes == 2 && s.ready_sessions == 4; },
                           patience));
    CHECK(sim.stats().identifies == 4);  // no new identify
    // What was sent while it was away arrives after the restart.
    REQUIRE(eventually([&] {
        int typing = 0;
        for (const auto& line : read_lines(out + "a")) {
            typing += line.find("TYPING_START") != std::string::npos;
        }
        return typing == 2;
    }));

    // A deploy: SIGTERM keeps the sessions resumable, the next process resumes them.
    CHECK(a->end(SIGTERM) == 0);
    a = std::make_unique<Process>(node("0-1/4", "a"));
    REQUIRE(sim.wait_until([](const auto& s) { return s.resumes == 4 && s.ready_sessions == 4; },
                           patience));
    CHECK(sim.stats().identifies == 4);
    a.reset();
    sim.stop();
    std::remove((out + "a").c_str());
    std::remove((out + "b").c_str());
}
