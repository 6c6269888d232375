// The client against the simulator playing what the real servers do (see
// docs/conformance.md for each behaviour's source): Fluxer's resume, replay
// and acknowledgement rules, its member-request and identify limits, its
// heartbeat timing and READY shape, and Spacebar's out-of-order zstd.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <regex>
#include <set>

#include "../support/shard_harness.hpp"
#include "gatewire/client/client.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/scale/session_store.hpp"

namespace conformance_sim_tests {

using namespace gatewire;
using namespace gatewire::test;

namespace {

sim::SimConfig with_behaviour(const Profile& profile, sim::ServerBehaviour behaviour) {
    sim::SimConfig config = quick_sim_config(profile);
    config.behaviour = std::move(behaviour);
    return config;
}

std::vector<std::uint64_t> sorted(std::vector<std::uint64_t> seqs) {
    std::sort(seqs.begin(), seqs.end());
    return seqs;
}

// Polls `predicate` under `mutex` until it holds or the patience runs out.
template <class Predicate>
bool eventually_locked(std::mutex& mutex, Predicate predicate) {
    auto until = std::chrono::steady_clock::now() + patience;
    for (;;) {
        {
            std::lock_guard lock(mutex);
            if (predicate()) {
                return true;
            }
        }
        if (std::chrono::steady_clock::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
}

// A store that stops saving at the moment its process "dies".
struct CrashableStore final : SessionStore {
    std::shared_ptr<SessionStore> inner = std::make_shared<MemorySessionStore>();
    std::atomic<bool> crashed{false};
    std::optional<ResumableSession> load(ShardId shard) override { return inner->load(shard); }
    void save(ShardId shard, const ResumableSession& session) override {
        if (!crashed) {
            inner->save(shard, session);
        }
    }
    void erase(ShardId shard) override {
        if (!crashed) {
            inner->erase(shard);
        }
    }
};

}  // namespace

TEST_CASE("Fluxer: a resume completes although RESUMED's seq is not above the client's") {
    for (bool legacy : {false, true}) {
        DYNAMIC_SECTION(
            (legacy ? "older server: the client's seq" : "current server: its own seq")) {
            auto behaviour =
                legacy ? sim::ServerBehaviour::fluxer_legacy() : sim::ServerBehaviour::fluxer();
            Harness h(with_behaviour(profiles::fluxer(), behaviour));
            h.start(Harness::client_config(profiles::fluxer(), Compression::zstd_stream));
            REQUIRE(h.wait_ready());
            h.send_messages(1, 5);
            REQUIRE(h.wait([&] { return h.dispatch_seqs().size() == 6; }));
            h.sim.fault({sim::Fault::Kind::reconnect});
            h.send_messages(6, 10);  // missed while away: replayed
            REQUIRE(h.wait_sim([](const sim::SimStats& st) { return st.resumes == 1; }));
            REQUIRE(h.wait([&] {
                return h.count_named("RESUMED") == 1 && h.states.back() == ShardState::ready;
            }));
            // A command queued now goes out: the shard is ready, not stuck resuming.
            REQUIRE_FALSE(h.shard->send(commands::UpdatePresence{}));
            CHECK(h.wait_sim([](const sim::SimStats& st) { return st.commands >= 1; }));
            REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 11; }));
            check_exactly_once(h.dispatch_seqs(), 11);
            CHECK(h.sim.stats().identifies == 1);
        }
    }
}

TEST_CASE("Fluxer: a live event that overtakes the replay costs none of the replay") {
    auto behaviour = sim::ServerBehaviour::fluxer();
    behaviour.replay_waits_for_live = 30s;  // the replay leaves only behind the live event
    Harness h(with_behaviour(profiles::fluxer(), behaviour));
    h.start(Harness::client_config(profiles::fluxer(), Compression::zstd_stream));
    REQUIRE(h.wait_ready());
    h.send_messages(1, 3);
    REQUIRE(h.wait([&] { return h.dispatch_seqs().size() == 4; }));
    h.sim.fault({sim::Fault::Kind::reconnect});
    h.send_messages(4, 8);
    REQUIRE(h.wait_sim([](const sim::SimStats& st) { return st.resumes == 1; }));
    h.send_messages(9, 9);  // live: reaches the new socket before the replay
    REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 10; }));
    auto seqs = h.dispatch_seqs();
    REQUIRE(seqs.size() == 10);
    CHECK(seqs[4] == 10);  // the live one first, then the replay
    check_exactly_once(seqs, 10);
    CHECK(h.wait([&] { return h.states.back() == ShardState::ready; }));
}

TEST_CASE("Spacebar: zstd messages that leave out of order are all delivered") {
    Harness h(Harness::sim_config(profiles::discord()));
    h.start(Harness::client_config(profiles::discord(), Compression::zstd_stream));
    REQUIRE(h.wait_ready());
    for (int round = 0; round < 5; ++round) {
        h.sim.fault({sim::Fault::Kind::swap_next});
        h.send_messages(round * 3 + 1, round * 3 + 3);
    }
    REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 16; }));
    auto seqs = h.dispatch_seqs();
    CHECK(seqs[1] == 3);  // 3 left before 2
    check_exactly_once(seqs, 16);
    CHECK(h.shard->stats().duplicates_dropped == 0);
}

TEST_CASE("Spacebar: a heartbeat ACK passing between swapped zstd messages leaves them swapped") {
    // Found by a loaded CI run: an ACK took the swap and the dispatches left in order.
    Harness h(Harness::sim_config(profiles::discord()));
    h.start(Harness::client_config(profiles::discord(), Compression::zstd_stream));
    REQUIRE(h.wait_ready());
    auto beats = h.sim.stats().heartbeats;
    h.sim.fault({sim::Fault::Kind::swap_next});
    h.sim.fault({sim::Fault::Kind::heartbeat_request});  // the client answers; the ACK leaves
    REQUIRE(h.wait_sim([&](const sim::SimStats& st) { return st.heartbeats > beats; }));
    h.send_messages(1, 2);
    REQUIRE(h.wait([&] { return h.dispatch_seqs().size() >= 3; }));
    auto seqs = h.dispatch_seqs();
    CHECK(seqs == std::vector<std::uint64_t>{1, 3, 2});
}

TEST_CASE("Fluxer: a restarted process resumes from its store, never below the acknowledged seq") {
    auto behaviour = sim::ServerBehaviour::fluxer();  // acks trim the replay; 4007 below them
    sim::Simulator server(with_behaviour(profiles::fluxer(), behaviour));
    server.start();
    auto store = std::make_shared<CrashableStore>();
    std::mutex mutex;
    std::set<std::uint64_t> handled;  // by either process, before its end
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();

    ShardConfig config = Harness::client_config(profiles::fluxer(), Compression::zstd_stream);
    config.session.url = server.url();
    config.session_store = store;
    net::io_context io;
    auto first = std::make_unique<Shard>(io.get_executor(), config);
    std::atomic<int> seen{0};
    first->on_event([&](const RawEvent& e) {
        if (++seen > 4) {
            released.wait();  // the handlers fall behind the socket
        }
        if (!store->crashed && e.seq != 0) {
            std::lock_guard lock(mutex);
            handled.insert(e.seq);
        }
    });
    first->start();
    std::thread runner([&] { io.run(); });
    REQUIRE(server.wait_until([](const sim::SimStats& st) { return st.ready_sessions == 1; },
                              patience));
    for (int i = 1; i <= 12; ++i) {
        server.dispatch("MESSAGE_CREATE", R"({"id":")" + std::to_string(100 + i) + R"("})");
    }
    // Heartbeats go on while the handlers are stuck: several, after all 12 arrived.
    auto beats = server.stats().heartbeats;
    REQUIRE(server.wait_until([&](const sim::SimStats& st) { return st.heartbeats >= beats + 3; },
                              patience));
    CHECK(server.stats().last_heartbeat_seq <= 4);  // only what was handled and stored
    store->crashed = true;  // the process dies: nothing more reaches the store
    first->stop(true);
    release.set_value();
    runner.join();
    first.reset();

    // The next process resumes from the store.
    auto resumed = server.stats().resumes;
    net::io_context io2;
    ShardConfig again = config;
    again.session_store = store->inner;
    Shard second(io2.get_executor(), again);
    std::atomic<std::size_t> count{0};
    second.on_event([&](const RawEvent& e) {
        if (e.seq != 0 && e.name != "RESUMED") {
            std::lock_guard lock(mutex);
            handled.insert(e.seq);
        }
        ++count;
    });
    second.start();
    std::thread runner2([&] { io2.run(); });
    CHECK(server.wait_until([&](const sim::SimStats& st) { return st.resumes == resumed + 1; },
                            patience));
    CHECK(eventually_locked(mutex, [&] { return handled.size() == 13; }));
    auto st = server.stats();
    CHECK(st.identifies == 1);  // resumed, not a new session
    CHECK(std::count(st.server_close_codes.begin(), st.server_close_codes.end(), 4007) == 0);
    second.stop();
    runner2.join();
    server.stop();
}

TEST_CASE("Fluxer: a burst of member requests is queued, one at a time, and all complete") {
    sim::SimConfig sim_config = Harness::sim_config(profiles::fluxer());
    sim_config.guilds = 1;
    sim::Simulator server(sim_config);  // one request at a time, the extras dropped
    server.start();
    net::io_context io;
    ShardConfig config = Harness::client_config(profiles::fluxer(), Compression::zstd_stream);
    config.session.url = server.url();
    Client client(io.get_executor(), config);
    std::mutex mutex;
    std::vector<std::error_code> results;
    client.on_state([&](ShardState state, std::string_view) {
        if (state != ShardState::ready) {
            return;
        }
        for (int i = 0; i < 5; ++i) {
            commands::RequestGuildMembers request;
            request.guild_id = Snowflake{1294096421859950593ULL};
            request.query = "";
            client.request_members(
                request,
                [&](std::error_code error, MembersResult) {
                    std::lock_guard lock(mutex);
                    results.push_back(error);
                },
                10s);
        }
    });
    client.start();
    std::thread runner([&] { io.run(); });
    CHECK(eventually_locked(mutex, [&] { return results.size() == 5; }));
    {
        std::lock_guard lock(mutex);
        for (auto error : results) {
            CHECK_FALSE(error);
        }
    }
    CHECK(server.stats().dropped_member_requests == 0);
    client.stop();
    runner.join();
    server.stop();
}

TEST_CASE(
    "Fluxer: past the identify budget, the unanswered Resume is reported and tried again later") {
    Harness h(Harness::sim_config(profiles::fluxer()));
    Profile profile = profiles::fluxer();
    profile.identify_limit = RateLimit{100, 2s};
    profile.unanswered_identify_after = 500ms;
    ShardConfig config = Harness::client_config(profile, Compression::zstd_stream);
    h.start(config);
    REQUIRE(h.wait_ready());
    // The budget is spent: the next Resume gets no answer, as Fluxer holds it.
    h.sim.fault({sim::Fault::Kind::hold_identifies, 0, true, 1});
    h.sim.fault({sim::Fault::Kind::reconnect});
    REQUIRE(h.wait([&] { return h.has_error(errc::identify_rate_limited); }));
    CHECK(h.sim.stats().unanswered == 1);
    // A new window: the next Resume is answered.
    CHECK(h.wait_sim([](const sim::SimStats& st) { return st.resumes == 1; }));
    CHECK(h.wait([&] { return h.states.back() == ShardState::ready; }));
    CHECK(h.sim.stats().identifies == 1);
}

TEST_CASE("Fluxer: a Resume with the wrong token ends the shard with 4004") {
    auto store = std::make_shared<MemorySessionStore>();
    Harness h(Harness::sim_config(profiles::fluxer()));
    ShardConfig config = Harness::client_config(profiles::fluxer(), Compression::zstd_stream);
    config.session_store = store;
    h.start(config);
    REQUIRE(h.wait_ready());
    h.send_messages(1, 1);
    REQUIRE(h.wait_events(2));
    h.shard->stop(true);
    REQUIRE(h.wait([&] { return h.finished.has_value(); }));
    REQUIRE(store->load(ShardId{}));

    net::io_context io;
    ShardConfig wrong = config;
    wrong.session.url = h.sim.url();
    wrong.session.token = "not-the-token";
    Shard second(io.get_executor(), wrong);
    std::promise<std::error_code> finished;
    second.on_finish([&](std::error_code error) { finished.set_value(error); });
    second.start();
    std::thread runner([&] { io.run(); });
    auto result = finished.get_future();
    REQUIRE(result.wait_for(patience) == std::future_status::ready);
    CHECK(result.get() == make_close_error(4004));
    runner.join();
    auto st = h.sim.stats();
    CHECK(st.identifies == 1);  // no Identify was tried with the wrong token
    CHECK(std::count(st.server_close_codes.begin(), st.server_close_codes.end(), 4004) == 1);
}

TEST_CASE("Fluxer's heartbeat timing: op 1 requests are answered, no 4009") {
    sim::SimConfig config = Harness::sim_config(profiles::fluxer());
    config.heartbeat_interval = 3000ms;
    config.heartbeat_timeout_factor.reset();  // Fluxer's own: 45 s for 41.25 s
    Harness h(config);
    h.start(Harness::client_config(profiles::fluxer(), Compression::zstd_stream));
    REQUIRE(h.wait_ready());
    std::this_thread::sleep_for(9s);
    auto st = h.sim.stats();
    CHECK(std::count(st.server_close_codes.begin(), st.server_close_codes.end(), 4009) == 0);
    CHECK(st.connections == 1);
    CHECK(st.heartbeats >= 2);
}

TEST_CASE(
    "Fluxer's bot READY: no guilds, then unavailable GUILD_CREATE stubs, upper-case session id") {
    sim::SimConfig sim_config = Harness::sim_config(profiles::fluxer());
    sim_config.guilds = 3;
    sim::Simulator server(sim_config);
    server.start();
    net::io_context io;
    ShardConfig config = Harness::client_config(profiles::fluxer(), Compression::zstd_stream);
    config.session.url = server.url();
    Client client(io.get_executor(), config);
    std::atomic<std::size_t> ready_guilds{99};
    std::atomic<int> stubs{0};
    client.on<events::Ready>(
        [&](const events::Ready& ready) { ready_guilds = ready.guilds.size(); });
    client.on<events::GuildCreate>([&](const events::GuildCreate& guild) {
        if (guild.unavailable.value_or(false)) {
            ++stubs;
        }
    });
    client.start();
    std::thread runner([&] { io.run(); });
    CHECK(server.wait_until([&](const sim::SimStats&) { return stubs == 3; }, patience));
    CHECK(ready_guilds == 0);
    auto session = client.session();
    REQUIRE(session);
    CHECK(std::regex_match(session->session_id, std::regex("[0-9A-F]{32}")));
    client.stop();
    runner.join();
    server.stop();
}

TEST_CASE("Fluxer: an event the server does not replay is reported missing after the resume") {
    Harness h(Harness::sim_config(profiles::fluxer()));
    h.start(Harness::client_config(profiles::fluxer(), Compression::zstd_stream));
    REQUIRE(h.wait_ready());
    h.sim.fault({sim::Fault::Kind::reconnect});
    h.send_messages(1, 1);
    h.sim.dispatch("GUILD_MEMBERS_CHUNK",
                   R"({"guild_id":"1","members":[],"chunk_index":0,"chunk_count":1})");
    h.send_messages(2, 2);
    REQUIRE(h.wait_sim([](const sim::SimStats& st) { return st.resumes == 1; }));
    REQUIRE(h.wait([&] { return h.count_named("RESUMED") == 1; }));
    CHECK(h.wait([&] { return h.has_error(errc::events_missed); }));
    CHECK(sorted(h.dispatch_seqs()) == std::vector<std::uint64_t>{1, 2, 4});
    CHECK(h.shard->stats().seqs_missed == 1);
}

}  // namespace conformance_sim_tests
