// The simulator's server side (GatewayServer, sans-I/O) with a manual clock:
// each rule the simulator imitates, as the real servers apply it.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/gateway_server.hpp"

namespace sim_server_tests {

namespace {

using namespace std::chrono_literals;
using gatewire::sim::Fault;
using gatewire::sim::ServerBehaviour;
using gatewire::sim::SimConfig;
using gatewire::sim::SimStats;
using gatewire::sim::detail::GatewayServer;
using gatewire::sim::detail::PeerId;
using gatewire::sim::detail::ServerAction;
using gatewire::sim::detail::ServerTime;
namespace server_action = gatewire::sim::detail::server_action;
using json = nlohmann::json;

const char* discord_target = "/?v=10&encoding=json";
const char* fluxer_target = "/?v=1&encoding=json";

SimConfig discord_config() {
    SimConfig config;
    config.heartbeat_interval = 1000ms;
    return config;
}

SimConfig fluxer_config() {
    SimConfig config = discord_config();
    config.profile = gatewire::profiles::fluxer();
    return config;
}

// Feeds the server with time as a plain value and keeps what it asks for.
struct ServerDriver {
    ServerTime now{std::chrono::hours(1000)};
    GatewayServer server;
    std::vector<ServerAction> actions;

    explicit ServerDriver(SimConfig config = discord_config())
        : server(config, config.behaviour.value_or(ServerBehaviour::for_profile(config.profile)),
                 42, now) {}

    void collect() {
        while (auto a = server.poll()) {
            actions.push_back(std::move(*a));
        }
    }
    PeerId open(const char* target = discord_target) {
        PeerId id = server.open(target, now).id;
        collect();
        return id;
    }
    void send(PeerId peer, const json& payload) {
        server.received(peer, payload.dump(), now);
        collect();
    }
    void identify(PeerId peer, json extra = json::object()) {
        json d = {{"token", "sim-token"}, {"intents", 513}, {"properties", json::object()}};
        d.update(extra);
        send(peer, {{"op", 2}, {"d", d}});
    }
    void resume(PeerId peer, const std::string& session_id, std::uint64_t seq) {
        send(peer, {{"op", 6},
                    {"d", {{"token", "sim-token"}, {"session_id", session_id}, {"seq", seq}}}});
    }
    // The events a new connection resuming `session_id` gets, once any held
    // replay (Fluxer's 200 ms) has gone out.
    std::vector<std::string> resumed_events(const char* target, const std::string& session_id,
                                            std::uint64_t seq) {
        PeerId peer = open(target);
        resume(peer, session_id, seq);
        advance(200ms);
        return events(peer);
    }
    void dispatch(const std::string& type, json d = json::object()) {
        server.dispatch(type, d.dump());
        collect();
    }
    // Fires every deadline on the way, as the connections' timers would.
    void advance(std::chrono::milliseconds by) {
        ServerTime until = now + by;
        for (;;) {
            ServerTime next = ServerTime::max();
            PeerId due = 0;
            for (PeerId peer : server.peers()) {
                if (server.next_deadline(peer) < next) {
                    next = server.next_deadline(peer);
                    due = peer;
                }
            }
            if (next > until) {
                break;
            }
            now = std::max(now, next);
            server.tick(due, now);
            collect();
        }
        now = until;
    }
    // The payloads sent to `peer` (parsed), and the close it got, if any.
    std::vector<json> sent(PeerId peer) const {
        std::vector<json> out;
        for (const auto& a : actions) {
            if (const auto* s = std::get_if<server_action::Send>(&a); s && s->to == peer) {
                out.push_back(json::parse(s->text, nullptr, false));
            }
        }
        return out;
    }
    std::vector<int> ops(PeerId peer) const {
        std::vector<int> out;
        for (const json& p : sent(peer)) {
            out.push_back(p.is_object() ? p["op"].get<int>() : -1);
        }
        return out;
    }
    std::vector<std::string> events(PeerId peer) const {
        std::vector<std::string> out;
        for (const json& p : sent(peer)) {
            if (p.is_object() && p["op"] == 0) {
                out.push_back(p["t"].get<std::string>());
            }
        }
        return out;
    }
    std::optional<std::uint16_t> closed(PeerId peer) const {
        for (const auto& a : actions) {
            if (const auto* c = std::get_if<server_action::Close>(&a); c && c->to == peer) {
                return c->code;
            }
        }
        return std::nullopt;
    }
    json ready(PeerId peer) const {
        for (const json& p : sent(peer)) {
            if (p.is_object() && p["t"] == "READY") {
                return p;
            }
        }
        return json();
    }
    SimStats stats() { return server.stats().snapshot(); }
};

}  // namespace

TEST_CASE("sim server: Hello on a good upgrade, a wrong version or compression is closed") {
    ServerDriver s;
    PeerId good = s.open();
    REQUIRE(s.sent(good).size() == 1);
    CHECK(s.sent(good)[0]["op"] == 10);
    CHECK(s.sent(good)[0]["d"]["heartbeat_interval"] == 1000);

    PeerId old_version = s.open("/?v=9&encoding=json");
    CHECK(s.sent(old_version).empty());
    CHECK(s.closed(old_version) == 4012);

    ServerDriver fluxer(fluxer_config());
    PeerId zlib = fluxer.open("/?v=1&encoding=json&compress=zlib-stream");
    CHECK(fluxer.closed(zlib) == 4002);  // Fluxer offers zstd-stream only
    auto zstd = fluxer.server.open("/?v=1&encoding=json&compress=zstd-stream&stream=1", fluxer.now);
    CHECK(zstd.inbound_zstd);
    CHECK(zstd.compression == gatewire::Compression::zstd_stream);
}

TEST_CASE("sim server: a heartbeat is acknowledged, silence past the timeout closes 4009") {
    ServerDriver s;
    PeerId peer = s.open();
    s.send(peer, {{"op", 1}, {"d", nullptr}});
    CHECK(s.ops(peer) == std::vector<int>{10, 11});
    CHECK(s.stats().heartbeats == 1);

    // Discord allows 1.5 intervals (1 500 ms) from the last heartbeat, checked
    // every eighth of the interval.
    s.advance(1500ms);
    CHECK_FALSE(s.closed(peer));
    s.advance(125ms);
    CHECK(s.closed(peer) == 4009);
    CHECK(s.stats().server_close_codes == std::vector<std::uint16_t>{4009});
}

TEST_CASE("sim server: withheld acks and a stall's acks, heartbeats still count") {
    ServerDriver s;
    PeerId peer = s.open();
    s.server.fault({Fault::Kind::withhold_acks}, s.now);
    s.send(peer, {{"op", 1}, {"d", nullptr}});
    CHECK(s.ops(peer) == std::vector<int>{10});
    s.server.fault({Fault::Kind::withhold_acks, 0, false}, s.now);
    s.server.fault({Fault::Kind::stall, 0, true, 0, 300ms}, s.now);
    s.advance(299ms);
    s.send(peer, {{"op", 1}, {"d", nullptr}});
    CHECK(s.ops(peer) == std::vector<int>{10});
    s.advance(1ms);
    s.send(peer, {{"op", 1}, {"d", nullptr}});
    CHECK(s.ops(peer) == std::vector<int>{10, 11});
    CHECK(s.stats().heartbeats == 3);
    CHECK_FALSE(s.closed(peer));
}

TEST_CASE("sim server: Fluxer asks for heartbeats when quiet and keeps the session on 4009") {
    ServerDriver s(fluxer_config());
    PeerId peer = s.open(fluxer_target);
    s.identify(peer);
    std::string id = s.ready(peer)["d"]["session_id"];
    // Checked every third of the interval: at 999 ms (quiet > 900 ms) op 1.
    s.advance(666ms);
    CHECK(s.stats().heartbeat_requests == 0);
    s.advance(333ms);
    CHECK(s.stats().heartbeat_requests == 1);
    CHECK(s.ops(peer).back() == 1);
    // 45 000 / 41 250 of the interval: closed at the check after 1 090 ms.
    s.advance(333ms);
    CHECK(s.closed(peer) == 4009);
    s.server.ended(peer, std::nullopt);
    CHECK(s.resumed_events(fluxer_target, id, 1) == std::vector<std::string>{"RESUMED"});
}

TEST_CASE("sim server: a Discord heartbeat timeout ends the session") {
    ServerDriver s;
    PeerId peer = s.open();
    s.identify(peer);
    std::string id = s.ready(peer)["d"]["session_id"];
    s.advance(2000ms);
    REQUIRE(s.closed(peer) == 4009);
    s.server.ended(peer, std::nullopt);
    PeerId again = s.open();
    s.resume(again, id, 1);
    CHECK(s.ops(again) == std::vector<int>{10, 9});
    CHECK(s.sent(again)[1]["d"] == false);
}

TEST_CASE("sim server: Identify gets READY, each wrong Identify its close code") {
    ServerDriver s;
    PeerId peer = s.open();
    s.identify(peer, {{"shard", {1, 2}}});
    json ready = s.ready(peer);
    REQUIRE(ready.is_object());
    CHECK(ready["s"] == 1);
    CHECK(ready["d"]["session_id"].get<std::string>().size() == 32);
    CHECK(ready["d"]["shard"] == json::array({1, 2}));
    CHECK(ready["d"]["guilds"].size() == 3);
    CHECK(ready["d"]["resume_gateway_url"].get<std::string>().rfind("ws://localhost:", 0) == 0);
    CHECK(s.stats().ready_sessions == 1);
    s.identify(peer);
    CHECK(s.closed(peer) == 4005);  // already identified
    CHECK(s.stats().ready_sessions == 0);

    auto closed_with = [](json d) {
        ServerDriver t;
        PeerId p = t.open();
        t.send(p, {{"op", 2}, {"d", d}});
        return t.closed(p);
    };
    CHECK(closed_with({{"token", "wrong"}, {"intents", 1}}) == 4004);
    CHECK(closed_with({{"token", "sim-token"}}) == 4013);  // Discord wants intents
    CHECK(closed_with({{"token", "sim-token"}, {"intents", 1}, {"shard", {2, 2}}}) == 4010);
    CHECK(closed_with({{"token", "sim-token"}, {"intents", 1}, {"shard", {0, 0}}}) == 4010);

    SimConfig sharded = discord_config();
    sharded.min_shards = 4;
    ServerDriver t(sharded);
    PeerId p = t.open();
    t.identify(p, {{"shard", {0, 2}}});
    CHECK(t.closed(p) == 4011);
}

TEST_CASE("sim server: Fluxer's READY lists no guilds, their stubs follow and are not replayed") {
    ServerDriver s(fluxer_config());
    PeerId peer = s.open(fluxer_target);
    s.identify(peer);
    json ready = s.ready(peer);
    CHECK(ready["d"]["guilds"].empty());
    CHECK_FALSE(ready["d"].contains("resume_gateway_url"));
    std::string id = ready["d"]["session_id"];
    CHECK(id.find_first_of("abcdef") == std::string::npos);  // upper-case hex
    CHECK(s.events(peer) ==
          std::vector<std::string>{"READY", "GUILD_CREATE", "GUILD_CREATE", "GUILD_CREATE"});

    s.server.ended(peer, 4000);
    CHECK(s.resumed_events(fluxer_target, id, 1) == std::vector<std::string>{"RESUMED"});
}

TEST_CASE("sim server: payloads that break the rules") {
    ServerDriver s;
    PeerId early = s.open();
    s.send(early, {{"op", 8}, {"d", {{"guild_id", "1"}}}});
    CHECK(s.closed(early) == 4003);  // a command before Identify

    PeerId unknown = s.open();
    s.send(unknown, {{"op", 99}, {"d", nullptr}});
    CHECK(s.closed(unknown) == 4001);

    PeerId garbage = s.open();
    s.server.received(garbage, "not json", s.now);
    s.collect();
    CHECK(s.closed(garbage) == 4002);

    PeerId big = s.open();
    s.send(big, {{"op", 1}, {"d", std::string(4096, 'x')}});
    CHECK(s.closed(big) == 4002);  // past Discord's 4 096 bytes

    // Nothing more is read once a connection is being closed.
    CHECK_FALSE(s.server.reading(big));
    s.send(big, {{"op", 1}, {"d", nullptr}});
    CHECK(s.stats().heartbeats == 0);
}

TEST_CASE("sim server: the command rate limit closes 4008, per window") {
    SimConfig config = discord_config();
    config.command_limit = 3;
    config.heartbeat_interval = 600s;
    ServerDriver s(config);
    PeerId peer = s.open();
    s.identify(peer);
    s.send(peer, {{"op", 1}, {"d", 1}});
    s.send(peer, {{"op", 1}, {"d", 1}});  // three in the window
    s.advance(60s);                       // they leave it
    for (int i = 0; i < 3; ++i) {
        s.send(peer, {{"op", 1}, {"d", 1}});
    }
    CHECK_FALSE(s.closed(peer));
    s.send(peer, {{"op", 1}, {"d", 1}});
    CHECK(s.closed(peer) == 4008);
}

TEST_CASE("sim server: identifies of one bucket closer than the spacing get op 9") {
    SimConfig config = discord_config();
    config.identify_spacing = 5000ms;
    config.max_concurrency = 2;
    config.heartbeat_interval = 600s;
    ServerDriver s(config);
    PeerId first = s.open();
    s.identify(first, {{"shard", {0, 4}}});
    PeerId other_bucket = s.open();
    s.identify(other_bucket, {{"shard", {1, 4}}});
    s.advance(4999ms);
    PeerId too_soon = s.open();
    s.identify(too_soon, {{"shard", {2, 4}}});
    CHECK(s.ready(first).is_object());
    CHECK(s.ready(other_bucket).is_object());
    CHECK(s.ops(too_soon).back() == 9);
    CHECK(s.stats().rejected_identifies == 1);
    PeerId later = s.open();
    s.advance(1ms);
    s.identify(later, {{"shard", {2, 4}}});
    CHECK(s.ready(later).is_object());
}

TEST_CASE("sim server: past the identify budget, Identify and Resume get no answer") {
    SimConfig config = fluxer_config();
    ServerBehaviour b = ServerBehaviour::fluxer();
    b.identify_budget = gatewire::RateLimit{2, 60s};
    config.behaviour = b;
    ServerDriver s(config);
    // Start at a window's beginning, as the budget counts per minute since the epoch.
    s.advance(60s - std::chrono::duration_cast<std::chrono::milliseconds>(s.now.time_since_epoch() %
                                                                          60s));
    PeerId a = s.open(fluxer_target);
    s.identify(a);
    PeerId b2 = s.open(fluxer_target);
    s.identify(b2);
    PeerId c = s.open(fluxer_target);
    s.identify(c);
    CHECK(s.ready(a).is_object());
    CHECK(s.ready(b2).is_object());
    CHECK(s.sent(c).size() == 1);  // Hello alone
    CHECK_FALSE(s.closed(c));
    CHECK(s.stats().unanswered == 1);
    s.server.ended(c, 1000);
    s.advance(60s);
    PeerId d = s.open(fluxer_target);
    s.identify(d);
    CHECK(s.ready(d).is_object());  // a new window
}

TEST_CASE(
    "sim server: a resume replays what follows its seq, then RESUMED, the old socket gets op 7") {
    ServerDriver s;
    PeerId peer = s.open();
    s.identify(peer);
    std::string id = s.ready(peer)["d"]["session_id"];
    s.dispatch("MESSAGE_CREATE", {{"content", "a"}});  // seq 2
    s.dispatch("MESSAGE_CREATE", {{"content", "b"}});  // seq 3
    s.dispatch("TYPING_START");                        // seq 4

    PeerId next = s.open();
    s.resume(next, id, 2);
    CHECK(s.events(next) == std::vector<std::string>{"MESSAGE_CREATE", "TYPING_START", "RESUMED"});
    CHECK(s.sent(next)[1]["s"] == 3);
    CHECK(s.sent(next)[3]["s"] == nullptr);  // Discord's RESUMED carries no seq
    CHECK(s.ops(peer).back() == 7);
    CHECK(s.closed(peer) == 4000);
    CHECK(s.stats().replayed == 2);
    // Live events go to the new socket.
    s.dispatch("MESSAGE_CREATE");
    CHECK(s.sent(next).back()["s"] == 5);

    PeerId unknown = s.open();
    s.resume(unknown, "no-such-session", 0);
    CHECK(s.ops(unknown).back() == 9);
    PeerId ahead = s.open();
    s.resume(ahead, id, 99);
    CHECK(s.closed(ahead) == 4007);
}

TEST_CASE(
    "sim server: Fluxer sends the first live event before the replay, or the replay after 200 ms") {
    ServerDriver s(fluxer_config());
    PeerId peer = s.open(fluxer_target);
    s.identify(peer);
    std::string id = s.ready(peer)["d"]["session_id"];
    s.dispatch("MESSAGE_CREATE");  // seq 5, after READY and three stubs
    s.server.ended(peer, 4000);

    PeerId next = s.open(fluxer_target);
    s.resume(next, id, 4);
    CHECK(s.events(next).empty());
    s.dispatch("TYPING_START");
    CHECK(s.events(next) == std::vector<std::string>{"TYPING_START", "MESSAGE_CREATE", "RESUMED"});
    CHECK(s.sent(next).back()["s"] == 5);  // RESUMED carries the seq at the resume

    PeerId quiet = s.open(fluxer_target);
    s.server.ended(next, 4000);
    s.resume(quiet, id, 6);
    s.advance(199ms);
    CHECK(s.events(quiet).empty());
    s.advance(1ms);
    CHECK(s.events(quiet) == std::vector<std::string>{"RESUMED"});
}

TEST_CASE("sim server: Fluxer's heartbeat seq acknowledges, a resume below it closes 4007") {
    ServerDriver s(fluxer_config());
    PeerId peer = s.open(fluxer_target);
    s.identify(peer);
    std::string id = s.ready(peer)["d"]["session_id"];
    s.dispatch("MESSAGE_CREATE");  // seq 5
    s.dispatch("MESSAGE_CREATE");  // seq 6
    s.send(peer, {{"op", 1}, {"d", 5}});
    CHECK(s.stats().last_heartbeat_seq == 5);
    s.server.ended(peer, 4000);

    PeerId below = s.open(fluxer_target);
    s.resume(below, id, 4);
    CHECK(s.closed(below) == 4007);
    s.server.ended(below, std::nullopt);
    PeerId at = s.open(fluxer_target);
    s.resume(at, id, 5);
    s.advance(200ms);
    CHECK(s.events(at) == std::vector<std::string>{"MESSAGE_CREATE", "RESUMED"});
}

TEST_CASE("sim server: a client's normal close ends its session, other codes keep it") {
    ServerDriver s;
    PeerId peer = s.open();
    s.identify(peer);
    std::string kept = s.ready(peer)["d"]["session_id"];
    s.server.ended(peer, 4000);
    PeerId again = s.open();
    s.resume(again, kept, 1);
    CHECK(s.events(again) == std::vector<std::string>{"RESUMED"});
    s.server.ended(again, 1000);
    CHECK(s.stats().client_close_codes == std::vector<std::uint16_t>{4000, 1000});
    PeerId third = s.open();
    s.resume(third, kept, 1);
    CHECK(s.ops(third).back() == 9);
    CHECK(s.stats().open_connections == 1);
}

TEST_CASE(
    "sim server: Fluxer answers one member request at a time, a newer one replaces the waiting") {
    ServerDriver s(fluxer_config());
    PeerId peer = s.open(fluxer_target);
    s.identify(peer);
    auto request = [&](const char* nonce) {
        s.send(peer, {{"op", 8},
                      {"d", {{"guild_id", "7"}, {"query", ""}, {"limit", 0}, {"nonce", nonce}}}});
    };
    request("a");
    request("b");
    request("c");  // replaces b, which is dropped without a reply
    CHECK(s.stats().dropped_member_requests == 1);
    s.advance(19ms);
    auto events = s.events(peer);
    CHECK(std::count(events.begin(), events.end(), "GUILD_MEMBERS_CHUNK") == 0);
    s.advance(1ms);
    s.advance(20ms);
    std::vector<std::string> nonces;
    for (const json& p : s.sent(peer)) {
        if (p["t"] == "GUILD_MEMBERS_CHUNK") {
            nonces.push_back(p["d"]["nonce"]);
            CHECK(p["d"]["members"].size() == 5);
        }
    }
    CHECK(nonces == std::vector<std::string>{"a", "c"});
}

TEST_CASE("sim server: op 7 drains a session: events wait for the resume") {
    ServerDriver s;
    PeerId peer = s.open();
    s.identify(peer);
    std::string id = s.ready(peer)["d"]["session_id"];
    s.server.fault({Fault::Kind::reconnect}, s.now);
    s.collect();
    CHECK(s.ops(peer).back() == 7);
    CHECK_FALSE(s.closed(peer));  // Discord waits for the client to close
    s.dispatch("MESSAGE_CREATE");
    CHECK(s.events(peer) == std::vector<std::string>{"READY"});
    s.server.ended(peer, 4000);
    PeerId next = s.open();
    s.resume(next, id, 1);
    CHECK(s.events(next) == std::vector<std::string>{"MESSAGE_CREATE", "RESUMED"});

    ServerDriver f(fluxer_config());
    PeerId fp = f.open(fluxer_target);
    f.server.fault({Fault::Kind::reconnect}, f.now);
    f.collect();
    CHECK(f.closed(fp) == 4000);  // Fluxer closes the socket itself
}

}  // namespace sim_server_tests
