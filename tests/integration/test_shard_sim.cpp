// The real client against the real simulator over loopback: every fault, both
// profiles, each compression mode. Timing uses short simulated intervals and
// generous bounds; nothing asserts a wall-clock duration.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include "../support/shard_harness.hpp"
#include "../support/sim_config.hpp"

#include "gatewire/core/error.hpp"
#include "gatewire/core/log.hpp"
#include "gatewire/sim/simulator.hpp"
#include "gatewire/transport/shard.hpp"

namespace shard_sim_tests {

using namespace gatewire;
using namespace std::chrono_literals;
namespace net = boost::asio;

using namespace gatewire::test;

TEST_CASE("identify, READY and a stream of events, for every profile and compression") {
    for (const Mode& mode : all_modes()) {
        DYNAMIC_SECTION(name_of(mode)) {
            Harness h(Harness::sim_config(*mode.profile));
            h.start(Harness::client_config(*mode.profile, mode.compression));
            REQUIRE(h.wait_ready());
            h.send_messages(1, 200);
            REQUIRE(h.wait_events(201));
            check_exactly_once(h.dispatch_seqs(), 201);
            CHECK(h.count_named("READY") == 1);
            auto stats = h.sim.stats();
            CHECK(stats.identifies == 1);
            CHECK(stats.resumes == 0);
            CHECK(stats.connections == 1);
            REQUIRE(h.shard->session());
            CHECK(h.wait([&] { return h.shard->session()->seq == 201; }));
        }
    }
}

TEST_CASE("op 7: the client resumes and every event arrives exactly once") {
    for (const Mode& mode : all_modes()) {
        DYNAMIC_SECTION(name_of(mode)) {
            Harness h(Harness::sim_config(*mode.profile));
            h.start(Harness::client_config(*mode.profile, mode.compression));
            REQUIRE(h.wait_ready());
            h.send_messages(1, 20);
            REQUIRE(h.wait_events(21));
            h.sim.fault({sim::Fault::Kind::reconnect});
            h.send_messages(21, 40);  // held back until the resume replays them
            REQUIRE(h.wait_sim([](const auto& s) { return s.resumes == 1; }));
            h.send_messages(41, 50);
            REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 51; }));
            check_exactly_once(h.dispatch_seqs(), 51);
            CHECK(h.count_named("RESUMED") == 1);
            auto stats = h.sim.stats();
            CHECK(stats.identifies == 1);
            CHECK(stats.replayed == 20);
            if (mode.profile->has_resume_gateway_url) {
                // Discord resumes on READY's resume_gateway_url.
                CHECK(stats.hosts.back().rfind("localhost:", 0) == 0);
            }
        }
    }
}

TEST_CASE("abrupt resets, server closes and corrupt streams cost a resume, never an event") {
    struct Case {
        std::string name;
        sim::Fault fault;
    };
    std::vector<Case> cases = {
        {"TCP reset", {sim::Fault::Kind::reset}},
        {"close 4000", {sim::Fault::Kind::close, 4000}},
        {"close 1001", {sim::Fault::Kind::close, 1001}},
        {"close 4008", {sim::Fault::Kind::close, 4008}},
        {"close 4999", {sim::Fault::Kind::close, 4999}},
        {"corrupt stream", {sim::Fault::Kind::corrupt_next}},
    };
    for (const Mode& mode : {Mode{&profiles::discord(), Compression::zlib_stream},
                             Mode{&profiles::fluxer(), Compression::zstd_stream}}) {
        for (const Case& c : cases) {
            DYNAMIC_SECTION(name_of(mode) << " " << c.name) {
                Harness h(Harness::sim_config(*mode.profile));
                h.start(Harness::client_config(*mode.profile, mode.compression));
                REQUIRE(h.wait_ready());
                h.send_messages(1, 10);
                REQUIRE(h.wait_events(11));
                h.sim.fault(c.fault);
                if (c.fault.kind == sim::Fault::Kind::corrupt_next) {
                    h.send_messages(11, 11);  // this one goes out damaged
                }
                REQUIRE(h.wait_sim([](const auto& s) { return s.resumes == 1; }));
                h.send_messages(c.fault.kind == sim::Fault::Kind::corrupt_next ? 12 : 11, 30);
                REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 31; }));
                check_exactly_once(h.dispatch_seqs(), 31);
                CHECK(h.sim.stats().identifies == 1);
                if (c.fault.kind == sim::Fault::Kind::corrupt_next) {
                    CHECK(h.has_error(errc::decompression_failed));
                }
            }
        }
    }
}

TEST_CASE("close codes that end the session make the client identify anew") {
    for (std::uint16_t code : {4003, 4007, 4009}) {
        DYNAMIC_SECTION("close " << code) {
            Harness h(Harness::sim_config(profiles::discord()));
            h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
            REQUIRE(h.wait_ready());
            h.sim.fault({sim::Fault::Kind::close, code});
            REQUIRE(h.wait_sim([](const auto& s) { return s.identifies == 2; }));
            CHECK(h.sim.stats().resumes == 0);
            CHECK(h.wait([&] { return h.count_named("READY") == 2; }));
        }
    }
}

TEST_CASE("invalid session: op 9 true resumes, op 9 false identifies (each after 1-5 s)") {
    for (const Mode& mode : {Mode{&profiles::discord(), Compression::zlib_stream},
                             Mode{&profiles::fluxer(), Compression::zstd_stream}}) {
        DYNAMIC_SECTION(name_of(mode) << " resumable") {
            if (mode.profile->name == "discord") {
                Harness h(Harness::sim_config(*mode.profile));
                h.start(Harness::client_config(*mode.profile, mode.compression));
                REQUIRE(h.wait_ready());
                h.sim.fault({sim::Fault::Kind::invalid_session, 0, true});
                REQUIRE(h.wait_sim([](const auto& s) { return s.resumes == 1; }));
                CHECK(h.sim.stats().identifies == 1);
            }
        }
        DYNAMIC_SECTION(name_of(mode) << " not resumable") {
            Harness h(Harness::sim_config(*mode.profile));
            h.start(Harness::client_config(*mode.profile, mode.compression));
            REQUIRE(h.wait_ready());
            h.sim.fault({sim::Fault::Kind::invalid_session, 0, false});
            REQUIRE(h.wait_sim([](const auto& s) { return s.identifies == 2; }));
            auto stats = h.sim.stats();
            CHECK(stats.resumes == 0);
            // Fluxer identifies again on the same socket; Discord on a new one.
            CHECK(stats.connections == (mode.profile->invalid_session_keeps_socket ? 1u : 2u));
        }
    }
}

TEST_CASE("fatal close codes end the shard with the code and it never reconnects") {
    SECTION("4004: a wrong token is tried once") {
        Harness h(Harness::sim_config(profiles::discord()));
        ShardConfig config = Harness::client_config(profiles::discord(), Compression::zlib_stream);
        config.session.token = "wrong-token";
        h.start(config);
        REQUIRE(h.wait([&] { return h.finished.has_value(); }));
        CHECK(*h.finished == make_close_error(4004));
        CHECK(h.shard->state() == ShardState::failed);
        std::this_thread::sleep_for(500ms);  // room for a reconnect that must not happen
        CHECK(h.sim.stats().connections == 1);
        CHECK(h.sim.stats().identifies == 0);
        CHECK(h.sim.stats().last_identify.find("wrong-token") == std::string::npos);
    }
    SECTION("4010: an invalid shard") {
        Harness h(Harness::sim_config(profiles::fluxer()));
        ShardConfig config = Harness::client_config(profiles::fluxer(), Compression::none);
        config.session.shard = ShardId{4, 2};
        h.start(config);
        REQUIRE(h.wait([&] { return h.finished.has_value(); }));
        CHECK(*h.finished == make_close_error(4010));
    }
    SECTION("4012: the wrong API version, before Hello") {
        Harness h(Harness::sim_config(profiles::fluxer()));
        h.start(Harness::client_config(profiles::discord(), Compression::none));
        REQUIRE(h.wait([&] { return h.finished.has_value(); }));
        CHECK(*h.finished == make_close_error(4012));
        CHECK(h.sim.stats().connections == 1);
    }
    SECTION("4014 sent by the server on a live session") {
        Harness h(Harness::sim_config(profiles::discord()));
        h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
        REQUIRE(h.wait_ready());
        h.sim.fault({sim::Fault::Kind::close, 4014});
        REQUIRE(h.wait([&] { return h.finished.has_value(); }));
        CHECK(h.finished->message().find("disallowed intents") != std::string::npos);
        std::this_thread::sleep_for(300ms);
        CHECK(h.sim.stats().connections == 1);
    }
}

TEST_CASE("withheld ACKs or a stalled server: zombie, close keeping the session, resume") {
    for (auto kind : {sim::Fault::Kind::withhold_acks, sim::Fault::Kind::stall}) {
        DYNAMIC_SECTION((kind == sim::Fault::Kind::stall ? "stall" : "withheld ACKs")) {
            Harness h(Harness::sim_config(profiles::discord()));
            h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
            REQUIRE(h.wait_ready());
            h.send_messages(1, 5);
            REQUIRE(h.wait_events(6));
            h.sim.fault({kind, 0, true, 0, 3000ms});
            REQUIRE(h.wait_sim([](const auto& s) { return s.connections >= 2 && s.resumes >= 1; }));
            h.sim.fault({sim::Fault::Kind::withhold_acks, 0, false});
            h.send_messages(6, 10);
            REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 11; }));
            check_exactly_once(h.dispatch_seqs(), 11);
            auto stats = h.sim.stats();
            CHECK(stats.identifies == 1);
            if (!stats.client_close_codes.empty()) {
                CHECK(stats.client_close_codes.front() != 1000);
                CHECK(stats.client_close_codes.front() != 1001);
            }
        }
    }
}

TEST_CASE("a payload split over several WebSocket messages is reassembled") {
    for (const Mode& mode : all_modes()) {
        DYNAMIC_SECTION(name_of(mode)) {
            Harness h(Harness::sim_config(*mode.profile));
            h.start(Harness::client_config(*mode.profile, mode.compression));
            REQUIRE(h.wait_ready());
            h.sim.fault({sim::Fault::Kind::split_next, 0, true, 5});
            h.sim.dispatch("GUILD_CREATE",
                           R"({"id":"1","name":")" + std::string(3000, 'g') + R"("})");
            h.send_messages(1, 3);
            REQUIRE(h.wait_events(5));
            check_exactly_once(h.dispatch_seqs(), 5);
            CHECK(h.sim.stats().connections == 1);
        }
    }
}

TEST_CASE("an oversized message is refused with an error and the session is kept") {
    for (const Mode& mode : all_modes()) {
        DYNAMIC_SECTION(name_of(mode)) {
            // The ACK after the 512 KiB message arrives only once it is read:
            // on a loaded machine under ASan that took over the 500 ms
            // interval, and the zombie check reconnected. A 3 s interval
            // keeps the test about the size bound alone.
            sim::SimConfig sim_config = Harness::sim_config(*mode.profile);
            sim_config.heartbeat_interval = 3s;
            Harness h(sim_config);
            ShardConfig config = Harness::client_config(*mode.profile, mode.compression);
            config.session.max_message_bytes = 64 * 1024;
            h.start(config);
            REQUIRE(h.wait_ready());
            h.sim.dispatch_oversized(512 * 1024);
            h.send_messages(1, 3);
            REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 4; }));
            CHECK(h.dispatch_seqs() == std::vector<std::uint64_t>{1, 3, 4, 5});
            CHECK(h.has_error(errc::message_too_large));
            CHECK(h.sim.stats().connections == 1);
        }
    }
}

TEST_CASE("garbage and unknown opcodes are reported: the session carries on") {
    Harness h(Harness::sim_config(profiles::fluxer()));
    h.start(Harness::client_config(profiles::fluxer(), Compression::zstd_stream));
    REQUIRE(h.wait_ready());
    h.sim.fault({sim::Fault::Kind::garbage});
    h.sim.fault({sim::Fault::Kind::unknown_opcode, 99});
    h.send_messages(1, 3);
    REQUIRE(h.wait_events(4));
    CHECK(h.wait([&] { return h.errors.size() >= 2; }));
    CHECK(h.sim.stats().connections == 1);
}

TEST_CASE("the server's heartbeat request is answered (Fluxer's op 1)") {
    Harness h(Harness::sim_config(profiles::fluxer()));
    h.start(Harness::client_config(profiles::fluxer(), Compression::zstd_stream));
    REQUIRE(h.wait_ready());
    auto before = h.sim.stats().heartbeats;
    for (int i = 0; i < 5; ++i) {
        h.sim.fault({sim::Fault::Kind::heartbeat_request});
    }
    REQUIRE(h.wait_sim([&](const auto& s) { return s.heartbeats >= before + 5; }));
    CHECK(h.sim.stats().connections == 1);
}

TEST_CASE("a handler that blocks for seconds does not cost the session") {
    Harness h(Harness::sim_config(profiles::discord()));
    std::atomic<bool> blocked_once{false};
    h.on_event_extra = [&](const RawEvent& event) {
        if (event.name == "MESSAGE_CREATE" && !blocked_once.exchange(true)) {
            std::this_thread::sleep_for(4s);  // 8 heartbeat intervals
        }
    };
    h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
    REQUIRE(h.wait_ready());
    auto heartbeats_before = h.sim.stats().heartbeats;
    h.send_messages(1, 20);
    REQUIRE(h.wait_events(21));
    check_exactly_once(h.dispatch_seqs(), 21);
    auto stats = h.sim.stats();
    CHECK(stats.connections == 1);
    CHECK(stats.server_close_codes.empty());  // no 4009
    CHECK(stats.heartbeats >= heartbeats_before + 5);
}

TEST_CASE("a full event queue stops reading the socket and drops nothing") {
    Harness h(Harness::sim_config(profiles::discord()));
    h.on_event_extra = [](const RawEvent&) { std::this_thread::sleep_for(5ms); };
    ShardConfig config = Harness::client_config(profiles::discord(), Compression::zlib_stream);
    config.event_queue_capacity = 4;
    h.start(config);
    REQUIRE(h.wait_ready());
    h.send_messages(1, 400);  // 2 s of handling: many heartbeat intervals with a full queue
    REQUIRE(h.wait_events(401));
    check_exactly_once(h.dispatch_seqs(), 401);
    CHECK(h.sim.stats().connections == 1);
    CHECK(h.sim.stats().server_close_codes.empty());
}

TEST_CASE("a handler told the shard is ready finds the new session already in session()") {
    // Found by CI under TSan: the state was handed over before the snapshot
    // that session() reads had taken the new session.
    Harness h(Harness::sim_config(profiles::discord()));
    std::mutex mutex;
    std::vector<std::string> seen;  // the session id each ready found; empty: none
    h.on_state_extra = [&](ShardState state) {
        if (state == ShardState::ready) {
            auto session = h.shard->session();
            std::lock_guard lock(mutex);
            seen.push_back(session ? session->session_id : std::string());
        }
    };
    h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
    REQUIRE(h.wait_ready());
    constexpr std::size_t rounds = 30;
    for (std::size_t i = 1; i < rounds; ++i) {
        h.sim.fault({sim::Fault::Kind::close, 4009});  // identify anew: a new session
        REQUIRE(h.wait([&] { return h.count_named("READY") == i + 1; }));
    }
    REQUIRE(h.wait([&] {
        std::lock_guard lock(mutex);
        return seen.size() == rounds;
    }));
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < rounds; ++i) {
        INFO("ready " << i);
        CHECK_FALSE(seen[i].empty());
        if (i > 0) {
            CHECK(seen[i] != seen[i - 1]);
        }
    }
}

TEST_CASE("events of an ended session handled with a new one's do not move the new one's seq") {
    // The handler side takes events in batches; a batch that holds the last
    // events of one session and the first of the next must record each
    // against its own session.
    Harness h(Harness::sim_config(profiles::discord()));
    std::mutex mutex;
    std::condition_variable changed;
    bool hold = false;
    h.on_event_extra = [&](const RawEvent&) {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !hold; });
    };
    h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
    REQUIRE(h.wait_ready());
    REQUIRE(h.shard->session());
    std::string first = h.shard->session()->session_id;
    {
        std::lock_guard lock(mutex);
        hold = true;
    }
    h.send_messages(1, 20);  // session 1: seqs 2-21, held behind the first
    h.sim.fault({sim::Fault::Kind::invalid_session, 0, false});
    REQUIRE(h.wait_sim([](const auto& s) { return s.identifies == 2; }));
    REQUIRE(h.wait_sim([](const auto& s) { return s.ready_sessions == 1; }));
    h.send_messages(21, 25);  // session 2: READY is seq 1, these 2-6
    {
        std::lock_guard lock(mutex);
        hold = false;
    }
    changed.notify_all();
    REQUIRE(h.wait_events(1 + 20 + 1 + 5));
    REQUIRE(h.wait([&] {
        auto session = h.shard->session();
        return session && session->session_id != first && session->seq == 6;
    }));
    std::this_thread::sleep_for(100ms);  // room for a wrong record to land
    CHECK(h.shard->session()->seq == 6);
}

TEST_CASE("a shard on an executor run by two threads keeps its events whole and in order") {
    // The shard's strand is made over the io_context's own executor type when
    // given one, and over the executor as given otherwise (a thread pool here).
    for (bool pool_executor : {false, true}) {
        DYNAMIC_SECTION((pool_executor ? "thread_pool" : "io_context") << " run by two threads") {
            sim::Simulator sim(Harness::sim_config(profiles::discord()));
            sim.start();
            net::io_context io;
            net::thread_pool pool(2);
            ShardConfig config =
                Harness::client_config(profiles::discord(), Compression::zlib_stream);
            config.session.url = sim.url();
            net::any_io_executor executor =
                pool_executor ? net::any_io_executor(pool.get_executor()) : io.get_executor();
            Shard shard(executor, config);
            std::mutex mutex;
            std::vector<std::uint64_t> seqs;
            shard.on_event([&](const RawEvent& e) {
                std::lock_guard lock(mutex);
                seqs.push_back(e.seq);
            });
            shard.start();
            auto work = net::make_work_guard(io);
            std::thread first([&] { io.run(); });
            std::thread second([&] { io.run(); });
            REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, patience));
            for (int i = 1; i <= 300; ++i) {
                sim.dispatch("MESSAGE_CREATE", R"({"id":")" + std::to_string(1000 + i) + R"("})");
            }
            REQUIRE(sim.wait_until(
                [&](const auto&) {
                    std::lock_guard lock(mutex);
                    return seqs.size() >= 301;
                },
                patience));
            shard.stop();
            work.reset();
            first.join();
            second.join();
            pool.join();
            std::vector<std::uint64_t> expected(301);
            std::iota(expected.begin(), expected.end(), 1);
            std::lock_guard lock(mutex);
            CHECK(seqs == expected);
        }
    }
}

TEST_CASE("a session saved by one shard is resumed by a new one") {
    Harness h(Harness::sim_config(profiles::discord()));
    h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
    REQUIRE(h.wait_ready());
    h.send_messages(1, 10);
    REQUIRE(h.wait_events(11));
    REQUIRE(h.wait([&] { return h.shard->session() && h.shard->session()->seq == 11; }));
    h.shard->stop(true);
    REQUIRE(h.wait([&] { return h.finished.has_value(); }));
    auto saved = h.shard->session();
    REQUIRE(saved);
    CHECK(saved->seq == 11);
    h.thread.join();
    h.send_messages(11, 15);  // missed while no process was connected

    net::io_context io;
    ShardConfig config = Harness::client_config(profiles::discord(), Compression::zlib_stream);
    config.session.url = h.sim.url();
    config.session.resume = saved;
    Shard next(io.get_executor(), config);
    std::mutex mutex;
    std::vector<std::uint64_t> seqs;
    next.on_event([&](const RawEvent& e) {
        std::lock_guard lock(mutex);
        if (e.seq) {
            seqs.push_back(e.seq);
        }
    });
    next.start();
    std::thread runner([&] { io.run(); });
    REQUIRE(h.sim.wait_until([](const auto& s) { return s.resumes == 1; }, patience));
    REQUIRE(h.sim.wait_until(
        [&](const auto&) {
            std::lock_guard lock(mutex);
            return seqs.size() >= 5;
        },
        patience));
    next.stop();
    runner.join();
    CHECK(seqs == std::vector<std::uint64_t>{12, 13, 14, 15, 16});
    CHECK(h.sim.stats().identifies == 1);
}

TEST_CASE("commands reach the server through the limiter: oversized ones are refused") {
    Harness h(Harness::sim_config(profiles::discord()));
    h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
    CHECK_FALSE(h.shard->send(3, R"({"since":null,"activities":[],"status":"idle","afk":false})"));
    REQUIRE(h.wait_ready());
    CHECK_FALSE(h.shard->send(8, R"({"guild_id":"1","query":"","limit":0})"));
    CHECK(h.shard->send(8, R"({"guild_id":"1","query":")" + std::string(5000, 'x') + R"("})") ==
          errc::command_too_large);
    // The session's own opcodes are refused: a second Identify would start
    // another session, a heartbeat would break the schedule.
    CHECK(h.shard->send(2, R"({"token":"sim-token","intents":0,"properties":{}})") ==
          errc::session_owned_opcode);
    CHECK(h.shard->send(6, "{}") == errc::session_owned_opcode);
    CHECK(h.shard->send(1, "null") == errc::session_owned_opcode);
    REQUIRE(h.wait_sim([](const auto& s) { return s.commands == 2; }));
    auto stats = h.sim.stats();
    CHECK(stats.commands_received[0].find("\"op\":3") != std::string::npos);
    CHECK(stats.commands_received[1].find("\"op\":8") != std::string::npos);
    CHECK(stats.identifies == 1);
}

TEST_CASE("stop is clean at any moment, mid-connect included") {
    SECTION("against a server that accepts TCP and never answers") {
        net::io_context silent_io;
        net::ip::tcp::acceptor acceptor(silent_io, {net::ip::make_address("127.0.0.1"), 0});
        net::ip::tcp::socket held(silent_io);
        acceptor.async_accept(held, [](auto) {});
        std::thread silent([&] { silent_io.run(); });

        net::io_context io;
        ShardConfig config = Harness::client_config(profiles::discord(), Compression::none);
        config.session.url = "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
        Shard shard(io.get_executor(), config);
        std::promise<std::error_code> finished;
        shard.on_finish([&](std::error_code e) { finished.set_value(e); });
        shard.start();
        std::thread runner([&] { io.run(); });
        std::this_thread::sleep_for(200ms);
        CHECK(shard.state() == ShardState::connecting);
        shard.stop();
        auto result = finished.get_future();
        REQUIRE(result.wait_for(10s) == std::future_status::ready);
        CHECK_FALSE(result.get());
        runner.join();  // returns only once no operation is pending
        silent_io.stop();
        silent.join();
    }
    SECTION("after random delays, many times") {
        sim::Simulator sim(Harness::sim_config(profiles::fluxer()));
        sim.start();
        for (int delay_ms : {0, 1, 2, 5, 10, 20, 50, 100}) {
            net::io_context io;
            ShardConfig config =
                Harness::client_config(profiles::fluxer(), Compression::zstd_stream);
            config.session.url = sim.url();
            Shard shard(io.get_executor(), config);
            std::promise<std::error_code> finished;
            shard.on_finish([&](std::error_code e) { finished.set_value(e); });
            shard.start();
            std::thread runner([&] { io.run(); });
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
            shard.stop();
            auto result = finished.get_future();
            REQUIRE(result.wait_for(10s) == std::future_status::ready);
            CHECK_FALSE(result.get());
            runner.join();
            CHECK(shard.state() == ShardState::stopped);
        }
        sim.stop();
    }
}

TEST_CASE("io.run() returns only once the finish handler on the handler thread has returned") {
    // The bug: a program counting finished shards in on_finish saw io.run()
    // return first (no I/O left), and its counter went out of scope under the
    // handler thread.
    sim::Simulator sim(Harness::sim_config(profiles::discord()));
    sim.start();
    net::io_context io;
    ShardConfig config = Harness::client_config(profiles::discord(), Compression::zlib_stream);
    config.session.url = sim.url();
    Shard shard(io.get_executor(), config);  // handlers on the shared handler thread
    std::atomic<bool> finish_returned = false;
    shard.on_state([&](ShardState state, std::string_view) {
        if (state == ShardState::ready) {
            shard.stop();
        }
    });
    shard.on_finish([&](std::error_code) {
        std::this_thread::sleep_for(300ms);  // the I/O side has long run dry by now
        finish_returned = true;
    });
    shard.start();
    io.run();
    CHECK(finish_returned);
    sim.stop();
}

TEST_CASE("repeated failed connects back off instead of storming") {
    // A port with nothing listening: every connect is refused at once.
    net::io_context probe;
    net::ip::tcp::acceptor acceptor(probe, {net::ip::make_address("127.0.0.1"), 0});
    auto port = acceptor.local_endpoint().port();
    acceptor.close();

    net::io_context io;
    ShardConfig config = Harness::client_config(profiles::discord(), Compression::none);
    config.session.url = "ws://127.0.0.1:" + std::to_string(port);
    config.session.backoff.initial = 100ms;
    config.session.backoff.max = 400ms;
    Shard shard(io.get_executor(), config);
    std::atomic<int> attempts{0};
    shard.on_state([&](ShardState state, std::string_view) {
        if (state == ShardState::connecting) {
            ++attempts;
        }
    });
    std::promise<void> done;
    shard.on_finish([&](std::error_code) { done.set_value(); });
    shard.start();
    std::thread runner([&] { io.run(); });
    std::this_thread::sleep_for(2s);
    shard.stop();
    REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
    runner.join();
    // Delays 0, ≥50, ≥100, ≥200, then ≥200 each (max 400 × [0.5, 1)): at most ~12 in 2 s.
    CHECK(attempts >= 3);
    CHECK(attempts <= 14);
}

TEST_CASE("the server's rate limit (4008) costs a resume, not the session") {
    sim::SimConfig config = Harness::sim_config(profiles::discord());
    config.command_limit = 4;  // identify, heartbeat and two commands
    Harness h(config);
    h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
    REQUIRE(h.wait_ready());
    for (int i = 0; i < 6; ++i) {
        CHECK_FALSE(h.shard->send(8, R"({"guild_id":"1","query":"","limit":0})"));
    }
    REQUIRE(h.wait_sim([](const auto& s) {
        return std::count(s.server_close_codes.begin(), s.server_close_codes.end(), 4008) >= 1 &&
               s.resumes >= 1;
    }));
    CHECK(h.sim.stats().identifies == 1);
    CHECK_FALSE(h.finished.has_value());
}

TEST_CASE("the token never reaches the log, errors or state details, whatever happens") {
    const std::string token = "tok.3f9c-NEVER-PRINT-ME";
    std::ostringstream captured;
    auto capture = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
    capture->set_level(spdlog::level::trace);
    auto previous = logger();
    set_logger(capture);
    std::string reported;
    {
        sim::SimConfig sim_config = Harness::sim_config(profiles::discord());
        sim_config.token = token;
        Harness h(sim_config);
        ShardConfig config = Harness::client_config(profiles::discord(), Compression::zlib_stream);
        config.session.token = token;
        h.start(config);
        REQUIRE(h.wait_ready());
        h.sim.fault({sim::Fault::Kind::reconnect});
        REQUIRE(h.wait_sim([](const auto& s) { return s.resumes >= 1; }));
        h.sim.fault({sim::Fault::Kind::invalid_session, 0, false});
        REQUIRE(h.wait_sim([](const auto& s) { return s.identifies >= 2; }));
        h.sim.fault({sim::Fault::Kind::garbage});
        h.sim.fault({sim::Fault::Kind::close, 4004});  // authentication failed: fatal
        REQUIRE(h.wait([&] { return h.finished.has_value(); }));
        std::lock_guard lock(h.mutex);
        for (const auto& d : h.details) {
            reported += d + "\n";
        }
        for (const auto& e : h.errors) {
            reported += e.message() + "\n";
        }
        reported += h.finished->message();
        CHECK(h.finished->value() == 4004);
    }
    set_logger(previous);
    CHECK(captured.str().find("shard 0") != std::string::npos);  // it did log, at every level
    CHECK(reported.find("4004") != std::string::npos);
    CHECK(captured.str().find(token) == std::string::npos);
    CHECK(reported.find(token) == std::string::npos);
}

TEST_CASE("a handler that throws something not a std::exception does not stop the handlers") {
    Harness h(Harness::sim_config(profiles::discord()));
    bool thrown = false;
    h.on_event_extra = [&](const RawEvent& event) {
        if (event.name == "MESSAGE_CREATE" && !thrown) {
            thrown = true;
            throw 42;
        }
    };
    h.start(Harness::client_config(profiles::discord(), Compression::zlib_stream));
    REQUIRE(h.wait_ready());
    h.send_messages(1, 20);
    REQUIRE(h.wait_events(20));  // READY and the 19 messages after the one that threw
    CHECK(thrown);
}

TEST_CASE("a close stuck behind writes the server never reads ends within close_timeout") {
    // The server stops reading. Commands fill its small receive buffer and the
    // client's small send buffer, so the client's own writes stop and its
    // Close cannot even start to leave: only the shard's close deadline ends
    // the connection.
    const Profile& profile = profiles::discord();
    auto stuck_harness = [&] {
        sim::SimConfig sim_config = Harness::sim_config(profile);
        sim_config.receive_buffer_bytes = 4096;
        sim_config.heartbeat_timeout_factor = 1000.0;  // no 4009: it would end the wait
        auto h = std::make_unique<Harness>(sim_config);
        ShardConfig config = Harness::client_config(profile, Compression::none);
        config.close_timeout = 1s;
        config.socket_send_buffer_bytes = 16 * 1024;
        h->start(config);
        return h;
    };
    auto fill_the_socket = [](Harness& h) {
        h.sim.fault({sim::Fault::Kind::stop_reading, 0, true, 0, 10min});
        std::size_t accepted = 0;
        for (int i = 0; i < 100; ++i) {
            std::string query(3900, static_cast<char>('a' + i % 26));
            if (!h.shard->send(8, R"({"guild_id":"1","query":")" + query + R"(","limit":0})")) {
                ++accepted;
            }
        }
        // 200 KB or more: far past both sockets' buffers (about 40 KB).
        CHECK(accepted >= 50);
    };

    SECTION("a zombie connection is dropped and the session resumed") {
        auto h = stuck_harness();
        REQUIRE(h->wait_ready());
        h->send_messages(1, 3);
        REQUIRE(h->wait_events(4));
        fill_the_socket(*h);
        h->sim.fault({sim::Fault::Kind::withhold_acks});
        REQUIRE(h->wait_sim([](const auto& s) { return s.resumes == 1; }));
        h->sim.fault({sim::Fault::Kind::withhold_acks, 0, false});
        h->send_messages(4, 6);
        REQUIRE(h->wait([&] { return h->count_named("MESSAGE_CREATE") == 6; }));
        // The member requests still queued go out after the resume: their
        // chunks are dispatches too, so every seq so far, exactly once.
        auto seqs = h->dispatch_seqs();
        check_exactly_once(seqs, seqs.size());
    }
    SECTION("stop finishes the shard") {
        auto h = stuck_harness();
        REQUIRE(h->wait_ready());
        fill_the_socket(*h);
        // Once the commands have left the session, the Close waits behind them.
        REQUIRE(h->wait_sim([](const auto& s) { return s.commands >= 1; }));
        h->shard->stop();
        REQUIRE(h->wait([&] { return h->finished.has_value(); }));
        CHECK_FALSE(*h->finished);
    }
}

TEST_CASE("the event queue is bounded in bytes: large events stop the reading sooner") {
    // 1.5 s, not the harness's 500 ms: under ASan on a loaded machine reading
    // the 60 held messages once released took longer than 500 ms, the ACK
    // behind them came late and the zombie check reconnected.
    sim::SimConfig sim_config = Harness::sim_config(profiles::discord());
    sim_config.heartbeat_interval = 1500ms;
    Harness h(sim_config);
    std::mutex gate;
    std::condition_variable opened;
    bool release = false;
    h.on_event_extra = [&](const RawEvent& event) {
        if (event.name == "MESSAGE_CREATE") {
            std::unique_lock lock(gate);
            opened.wait(lock, [&] { return release; });  // hold the handlers
        }
    };
    ShardConfig config = Harness::client_config(profiles::discord(), Compression::zlib_stream);
    config.event_queue_capacity = 1024;  // the count alone would take all of them
    config.event_queue_bytes = 64 * 1024;
    h.start(config);
    REQUIRE(h.wait_ready());
    const std::string content(8 * 1024, 'x');
    for (int i = 1; i <= 60; ++i) {
        h.sim.dispatch("MESSAGE_CREATE", R"({"id":")" + std::to_string(1000 + i) +
                                             R"(","content":")" + content + "\"}");
    }
    // The queue fills to its byte bound, then the shard waits: heartbeats go on.
    REQUIRE(eventually([&] { return h.shard->backlog().bytes >= 64 * 1024; }));
    auto before = h.sim.stats().heartbeats;
    REQUIRE(h.wait_sim([&](const auto& s) { return s.heartbeats >= before + 2; }));
    Backlog backlog = h.shard->backlog();
    CHECK(backlog.bytes < 64 * 1024 + 9 * 1024);  // the bound and one message
    CHECK(backlog.events < 10);
    {
        std::lock_guard lock(gate);
        release = true;
    }
    opened.notify_all();
    REQUIRE(h.wait_events(61));
    check_exactly_once(h.dispatch_seqs(), 61);
    CHECK(eventually([&] { return h.shard->backlog().events == 0; }));
    CHECK(h.sim.stats().connections == 1);
}

TEST_CASE("a reader stopped by a full queue reads again at half the bound, not one batch later") {
    // Woken after every batch of 64 handled events, the reader refilled the
    // queue at once and stopped again: at full rate the two threads switched
    // every 64 events.
    sim::SimConfig sim_config = Harness::sim_config(profiles::discord());
    sim_config.heartbeat_interval = 1500ms;  // handlers are held for a while
    Harness h(sim_config);
    std::mutex gate;
    std::condition_variable opened;
    std::size_t allowed = 0;  // MESSAGE_CREATEs the handlers may take
    std::size_t handled = 0;
    h.on_event_extra = [&](const RawEvent& event) {
        if (event.name == "MESSAGE_CREATE") {
            std::unique_lock lock(gate);
            opened.wait(lock, [&] { return handled < allowed; });
            ++handled;
        }
    };
    auto allow = [&](std::size_t n) {
        {
            std::lock_guard lock(gate);
            allowed = n;
        }
        opened.notify_all();
    };
    auto handled_reached = [&](std::size_t n) {
        return eventually([&] {
            std::lock_guard lock(gate);
            return handled == n;
        });
    };
    ShardConfig config = Harness::client_config(profiles::discord(), Compression::zlib_stream);
    config.event_queue_capacity = 256;
    h.start(config);
    REQUIRE(h.wait_ready());
    h.send_messages(1, 600);
    REQUIRE(eventually([&] { return h.shard->backlog().events == 256; }));
    // 100 handled: at least one batch is counted off (37 to 100 events), and
    // the rest stays above half: the reader must stay stopped.
    allow(100);
    REQUIRE(handled_reached(100));
    std::this_thread::sleep_for(300ms);  // time enough to refill, had it been woken
    std::size_t held = h.shard->backlog().events;
    CHECK(held <= 256 - 37);
    CHECK(held > 128);
    // 200 handled: at least 137 counted off, so the queue went down to half at
    // some batch's end; the reader was woken there and refilled it, and stopped
    // again above half (where it rests depends on where the batches ended).
    // Woken only once the queue was empty, it would rest at 119 or below.
    allow(200);
    REQUIRE(handled_reached(200));
    CHECK(eventually([&] { return h.shard->backlog().events > 128; }));
    allow(600);
    REQUIRE(h.wait_events(601));
    check_exactly_once(h.dispatch_seqs(), 601);
    CHECK(h.sim.stats().connections == 1);
}

TEST_CASE("commands sent faster than the shard takes them are refused past the byte bound") {
    net::io_context io;  // never run: nothing is taken
    ShardConfig config = Harness::client_config(profiles::discord(), Compression::none);
    config.session.url = "ws://127.0.0.1:1";
    config.session.max_queued_command_bytes = 64 * 1024;
    Shard shard(io.get_executor(), config);
    const std::string command = R"({"guild_id":"1","query":")" + std::string(3000, 'q') + "\"}";
    std::size_t accepted = 0;
    std::error_code refused;
    for (int i = 0; i < 1000 && !refused; ++i) {
        if (auto error = shard.send(8, command)) {
            refused = error;
        } else {
            ++accepted;
        }
    }
    CHECK(refused == errc::queue_full);
    CHECK(accepted == 64 * 1024 / command.size());
}

}  // namespace shard_sim_tests
