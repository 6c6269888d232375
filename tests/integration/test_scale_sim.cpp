// Sharding against gatewire-sim over loopback: the gateway's information over
// HTTP, guild events routed by shard, the identify buckets the server
// enforces, the fatal shard errors (4010, 4011), the replies to Fluxer's and
// Discord's extra commands, and a session kept in a file resumed by a new shard.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "../support/eventually.hpp"
#include "../support/sim_config.hpp"
#include "gatewire/client/client.hpp"
#include "gatewire/client/cluster.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/scale/gateway_info.hpp"

namespace scale_sim_tests {

using namespace gatewire;
using namespace std::chrono_literals;
using test::eventually;
using test::patience;

namespace {

ClusterConfig cluster_config(const sim::Simulator& sim, std::string_view range) {
    ClusterConfig config;
    config.shard.session.url = sim.url();
    config.shard.session.token = "sim-token";
    config.shard.session.intents = Intents::guilds | Intents::guild_messages;
    config.shard.close_timeout = 1s;
    config.shards = *ShardRange::parse(range);
    return config;
}

// Runs a cluster on a thread of its own until the end of the scope.
struct RunningCluster {
    boost::asio::io_context io;
    Cluster cluster;
    std::atomic<int> finished{0};
    std::mutex mutex;
    std::map<std::uint32_t, std::error_code> finish_errors;
    std::thread thread;

    explicit RunningCluster(ClusterConfig config) : cluster(io.get_executor(), std::move(config)) {
        cluster.on_finish([this](std::uint32_t shard, std::error_code error) {
            std::lock_guard lock(mutex);
            finish_errors[shard] = error;
            ++finished;
        });
    }
    void start() {
        cluster.start();
        thread = std::thread([this] { io.run(); });
    }
    ~RunningCluster() {
        cluster.stop();
        eventually([&] { return finished == static_cast<int>(cluster.size()); });
        io.stop();
        if (thread.joinable()) {
            thread.join();
        }
    }
};

std::string guild_event(std::uint64_t guild_id, std::uint64_t message_id) {
    return R"({"id":")" + std::to_string(message_id) + R"(","channel_id":"1","guild_id":")" +
           std::to_string(guild_id) +
           R"(","author":{"id":"2","username":"u"},"content":"x","timestamp":"2026-11-23T12:00:00+00:00","tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0})";
}

GatewayInfoRequest info_request(const Profile& profile, std::string token, std::string api_url) {
    GatewayInfoRequest request;
    request.profile = profile;
    request.token = std::move(token);
    request.api_url = std::move(api_url);
    return request;
}

}  // namespace

TEST_CASE("GET /gateway/bot gives the shard count, URL and identify budget") {
    auto sim_config = test::quick_sim_config(profiles::discord());
    sim_config.shards = 12;
    sim_config.max_concurrency = 4;
    sim_config.session_start_total = 1000;
    sim_config.session_start_remaining = 997;
    sim::Simulator sim(sim_config);
    sim.start();

    auto info = fetch_gateway_info(
        info_request(profiles::discord(), "sim-token", sim.http_url() + "/api/v10"));
    CHECK(info.url == sim.url());
    CHECK(info.shards == 12);
    REQUIRE(info.session_start_limit);
    CHECK(info.session_start_limit->total == 1000);
    CHECK(info.session_start_limit->remaining == 997);
    CHECK(info.session_start_limit->max_concurrency == 4);
    CHECK(info.session_start_limit->reset_after > 23h);
    CHECK(sim.stats().http_requests == std::vector<std::string>{"/api/v10/gateway/bot"});

    SECTION("a wrong token is an HTTP error, not a guess") {
        try {
            fetch_gateway_info(
                info_request(profiles::discord(), "wrong", sim.http_url() + "/api/v10"));
            FAIL("no error");
        } catch (const std::system_error& e) {
            CHECK(e.code() == errc::http_status);
        }
    }
    SECTION("nothing listening: the connection's error") {
        std::string url = sim.http_url();
        sim.stop();
        CHECK_THROWS_AS(fetch_gateway_info(info_request(profiles::discord(), "sim-token", url)),
                        std::system_error);
    }
}

TEST_CASE("a cluster started from GET /gateway/bot runs every recommended shard") {
    auto sim_config = test::quick_sim_config(profiles::discord());
    sim_config.shards = 3;
    sim_config.max_concurrency = 3;
    sim::Simulator sim(sim_config);
    sim.start();
    ClusterConfig config = cluster_config(sim, "0/1");
    config.shard.session.url.clear();
    config.apply(fetch_gateway_info(
        info_request(profiles::discord(), "sim-token", sim.http_url() + "/api/v10")));
    CHECK(config.shard.session.url == sim.url());
    CHECK(config.shards.count == 3);
    CHECK(config.max_concurrency == 3);
    RunningCluster running(config);
    running.start();
    REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 3; }, patience));
    for (const auto& record : sim.stats().identify_log) {
        CHECK(record.shard_count == 3);
    }
}

TEST_CASE("Fluxer's gateway URL comes from the instance's discovery document") {
    sim::Simulator sim(test::quick_sim_config(profiles::fluxer()));
    sim.start();
    auto info = fetch_gateway_info(info_request(profiles::fluxer(), "", sim.http_url()));
    CHECK(info.url == sim.url());
    CHECK(info.shards == 1);
    CHECK_FALSE(info.session_start_limit);
    CHECK(sim.stats().http_requests == std::vector<std::string>{"/.well-known/fluxer"});
}

TEST_CASE("gateway information that is not what was asked for is refused") {
    CHECK_FALSE(parse_gateway_info(profiles::discord(), "not json"));
    CHECK_FALSE(parse_gateway_info(profiles::discord(), R"({"url":"wss://x"})"));
    CHECK_FALSE(parse_gateway_info(profiles::discord(), R"({"url":"wss://x","shards":0})"));
    CHECK_FALSE(parse_gateway_info(
        profiles::discord(),
        R"({"url":"wss://x","shards":2,"session_start_limit":{"total":"1000"}})"));
    CHECK_FALSE(parse_gateway_info(profiles::fluxer(), R"({"endpoints":{"api":"x"}})"));
    auto discord = parse_gateway_info(
        profiles::discord(),
        R"({"url":"wss://gateway.discord.gg","shards":9,"session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":16}})");
    REQUIRE(discord);
    CHECK(discord->shards == 9);
    CHECK(discord->session_start_limit->reset_after == 4h);
    CHECK(discord->session_start_limit->max_concurrency == 16);
}

TEST_CASE("guild events reach only the shard that serves the guild: DMs reach shard 0") {
    auto sim_config = test::quick_sim_config(profiles::discord());
    sim_config.shards = 2;
    sim::Simulator sim(sim_config);
    sim.start();
    auto config = cluster_config(sim, "0-1/2");
    config.identify_spacing = 1ms;
    RunningCluster running(config);
    std::mutex mutex;
    std::multimap<std::uint32_t, std::uint64_t> received;  // shard → message id
    running.cluster.on<events::MessageCreate>(
        [&](const events::MessageCreate& message, const EventContext& context) {
            std::lock_guard lock(mutex);
            received.emplace(context.shard_id, message.id.value);
        });
    running.start();
    REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 2; }, patience));

    const std::uint64_t on_shard_0 = std::uint64_t{4} << 22;  // (id >> 22) % 2 == 0
    const std::uint64_t on_shard_1 = std::uint64_t{7} << 22;
    sim.dispatch("MESSAGE_CREATE", guild_event(on_shard_0, 10));
    sim.dispatch("MESSAGE_CREATE", guild_event(on_shard_1, 11));
    sim.dispatch(
        "MESSAGE_CREATE",
        R"({"id":"12","channel_id":"1","author":{"id":"2","username":"u"},"content":"dm","timestamp":"2026-11-23T12:00:00+00:00","tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0})");
    REQUIRE(eventually([&] {
        std::lock_guard lock(mutex);
        return received.size() >= 3;
    }));
    std::this_thread::sleep_for(100ms);  // room for a wrongly routed copy to show up
    std::lock_guard lock(mutex);
    CHECK(received == std::multimap<std::uint32_t, std::uint64_t>{{0, 10}, {1, 11}, {0, 12}});
    CHECK(running.cluster.shard_for(Snowflake{on_shard_1}) == &running.cluster.shard(1));
}

TEST_CASE("the simulator refuses a bucket's second identify within the spacing with op 9") {
    auto sim_config = test::quick_sim_config(profiles::discord());
    sim_config.shards = 4;
    sim_config.max_concurrency = 2;
    sim_config.identify_spacing = 400ms;
    sim::Simulator sim(sim_config);
    sim.start();

    SECTION("a cluster keeping the spacing is never refused") {
        auto config = cluster_config(sim, "0-3/4");
        config.max_concurrency = 2;
        config.identify_spacing = 400ms;  // the server's rule, in full
        RunningCluster running(config);
        running.start();
        REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 4; }, patience));
        CHECK(sim.stats().rejected_identifies == 0);
        CHECK(sim.stats().identifies == 4);
    }
    SECTION("one that ignores the buckets is refused, and gets in by identifying again later") {
        auto config = cluster_config(sim, "0-3/4");
        config.max_concurrency = 4;  // wrong: the gateway allows 2
        config.identify_spacing = 1ms;
        RunningCluster running(config);
        running.start();
        REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 4; }, patience));
        CHECK(sim.stats().rejected_identifies >= 1);
        CHECK(sim.stats().identifies == 4);
    }
}

TEST_CASE("too few shards (4011) and an impossible shard (4010) end the shard with the code") {
    auto sim_config = test::quick_sim_config(profiles::discord());
    sim_config.min_shards = 2;
    sim::Simulator sim(sim_config);
    sim.start();
    auto config = cluster_config(sim, "0-0/1");
    std::uint16_t expected = 4011;
    SECTION("sharding required") {}
    SECTION("invalid shard") {
        config.shards = ShardRange{0, 0, 2};
        config.shard.session.shard = ShardId{0, 2};
        expected = 4010;
    }
    boost::asio::io_context io;
    if (expected == 4010) {
        // A Client takes the shard as given, so it can name one that does not exist.
        ShardConfig shard = config.shard;
        shard.session.shard = ShardId{3, 2};
        Client client(io.get_executor(), shard);
        std::atomic<bool> done{false};
        std::error_code error;
        client.on_finish([&](std::error_code e) {
            error = e;
            done = true;
        });
        client.start();
        std::thread thread([&] { io.run(); });
        REQUIRE(eventually([&] { return done.load(); }));
        CHECK(error == make_close_error(4010));
        CHECK(error.message().find("4010") != std::string::npos);
        thread.join();
        CHECK(sim.stats().connections == 1);  // fatal: never tried again
        return;
    }
    RunningCluster running(config);
    running.start();
    REQUIRE(eventually([&] { return running.finished == 1; }));
    std::lock_guard lock(running.mutex);
    CHECK(running.finish_errors[0] == make_close_error(expected));
    CHECK(running.finish_errors[0].message().find("4011") != std::string::npos);
    CHECK(sim.stats().connections == 1);
}

TEST_CASE(
    "the simulator answers guild counts, channel member counts, lazy and soundboard "
    "requests") {
    for (const Profile* profile : {&profiles::fluxer(), &profiles::discord()}) {
        CAPTURE(profile->name);
        sim::Simulator sim(test::quick_sim_config(*profile));
        sim.start();
        boost::asio::io_context io;
        ShardConfig config;
        config.session.profile = *profile;
        config.session.url = sim.url();
        config.session.token = "sim-token";
        if (profile->uses_intents) {
            config.session.intents = Intents::guilds | Intents::guild_messages;
        }
        config.close_timeout = 1s;
        Client client(io.get_executor(), config);
        std::mutex mutex;
        std::vector<std::string> names;
        client.on_raw([&](const RawEvent& event) {
            std::lock_guard lock(mutex);
            names.push_back(event.name);
        });
        std::atomic<bool> done{false};
        client.on_finish([&](std::error_code) { done = true; });
        client.start();
        std::thread thread([&] { io.run(); });
        REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, patience));

        std::vector<std::string> expected;
        if (profile->name == "fluxer") {
            REQUIRE_FALSE(client.send(commands::RequestGuildCounts{{Snowflake{5}}, "n1"}));
            REQUIRE_FALSE(client.send(
                commands::RequestChannelMemberCounts{Snowflake{5}, {Snowflake{6}}, "n2"}));
            commands::LazyRequest lazy;
            lazy.subscriptions[Snowflake{5}].active = true;
            REQUIRE_FALSE(client.send(lazy));
            expected = {"READY", "GUILD_COUNTS_UPDATE", "CHANNEL_MEMBER_COUNTS_UPDATE",
                        "GUILD_MEMBER_LIST_UPDATE"};
        } else {
            REQUIRE_FALSE(client.send(commands::RequestSoundboardSounds{{Snowflake{5}}}));
            expected = {"READY", "SOUNDBOARD_SOUNDS"};
        }
        REQUIRE(eventually([&] {
            std::lock_guard lock(mutex);
            return names.size() >= expected.size();
        }));
        {
            std::lock_guard lock(mutex);
            CHECK(names == expected);
        }
        client.stop();
        REQUIRE(eventually([&] { return done.load(); }));
        thread.join();
    }
}

TEST_CASE("a session kept in a file is resumed by the next process's shard") {
    auto folder = std::filesystem::temp_directory_path() /
                  ("gatewire-sessions-" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder);
    auto store = std::make_shared<FileSessionStore>(folder);
    sim::Simulator sim(test::quick_sim_config(profiles::discord()));
    sim.start();
    ShardConfig config;
    config.session.url = sim.url();
    config.session.token = "sim-token";
    config.session.intents = Intents::guilds | Intents::guild_messages;
    config.session.shard = ShardId{0, 1};
    config.close_timeout = 1s;
    config.session_store = store;

    std::uint64_t last_seq = 0;
    {
        boost::asio::io_context io;
        Client client(io.get_executor(), config);
        std::atomic<bool> done{false};
        client.on_finish([&](std::error_code) { done = true; });
        client.start();
        std::thread thread([&] { io.run(); });
        REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, patience));
        for (int i = 0; i < 5; ++i) {
            sim.dispatch("MESSAGE_CREATE", guild_event(1, 100 + i));
        }
        REQUIRE(eventually([&] {
            auto stored = store->load({0, 1});
            return stored && stored->seq == 6;  // READY and five messages, handled
        }));
        last_seq = store->load({0, 1})->seq;
        client.stop(/*keep_resumable=*/true);
        REQUIRE(eventually([&] { return done.load(); }));
        thread.join();
    }
    CHECK(std::filesystem::status(store->path_of({0, 1})).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    sim.dispatch("MESSAGE_CREATE", guild_event(1, 200));  // while no one is connected

    boost::asio::io_context io;
    Client client(io.get_executor(), config);
    std::mutex mutex;
    std::vector<std::uint64_t> seqs;
    client.on<events::MessageCreate>([&](const events::MessageCreate&, const EventContext& c) {
        std::lock_guard lock(mutex);
        seqs.push_back(c.seq);
    });
    std::atomic<bool> done{false};
    client.on_finish([&](std::error_code) { done = true; });
    client.start();
    std::thread thread([&] { io.run(); });
    REQUIRE(sim.wait_until([](const auto& s) { return s.resumes == 1; }, patience));
    REQUIRE(eventually([&] {
        std::lock_guard lock(mutex);
        return seqs.size() == 1;
    }));
    {
        std::lock_guard lock(mutex);
        CHECK(seqs == std::vector<std::uint64_t>{last_seq + 1});  // the missed one, once
    }
    CHECK(sim.stats().identifies == 1);
    client.stop();  // a normal close ends the session: nothing left to resume
    REQUIRE(eventually([&] { return done.load(); }));
    thread.join();
    CHECK_FALSE(store->load({0, 1}));
    std::filesystem::remove_all(folder);
}

}  // namespace scale_sim_tests
