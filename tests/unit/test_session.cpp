// The protocol rules, each driven through the sans-I/O session with a manual clock.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/session_driver.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/detail/message_decoder.hpp"
#include "gatewire/detail/zstd_stream_encoder.hpp"
#include "gatewire/protocol/session.hpp"

namespace session_tests {

using namespace gatewire;
using namespace gatewire::test;
using namespace std::chrono_literals;

TEST_CASE("start connects to the base URL with the query built by the profile") {
    Driver d(Driver::discord());
    d.session.start(d.now);
    d.collect();
    auto connects = d.all<action::Connect>();
    REQUIRE(connects.size() == 1);
    CHECK(connects[0].url == "wss://gateway.example/?v=10&encoding=json");
    CHECK(d.session.state() == ShardState::connecting);
}

TEST_CASE("Hello: identify at once, first heartbeat after interval x random, then every interval") {
    Driver d(Driver::discord(0.25));
    d.session.start(d.now);
    d.connect();
    d.hello(40000);
    auto identify = d.sent(2);
    REQUIRE(identify.size() == 1);
    CHECK(identify[0]["d"]["token"] == "secret-token");
    CHECK(identify[0]["d"]["intents"] == 513);
    CHECK(identify[0]["d"]["properties"]["browser"] == "gatewire");
    CHECK(d.sent(1).empty());

    d.advance(9999ms);  // 40000 × 0.25 = 10000
    CHECK(d.sent(1).empty());
    d.advance(1ms);
    REQUIRE(d.sent(1).size() == 1);
    CHECK(d.sent(1)[0]["d"].is_null());  // no event yet
    d.server(R"({"op":11})");
    d.ready(5);
    d.advance(39999ms);
    CHECK(d.sent(1).size() == 1);
    d.advance(1ms);
    REQUIRE(d.sent(1).size() == 2);
    CHECK(d.sent(1)[1]["d"] == 5);  // carries the last seq
}

TEST_CASE("the server's heartbeat request is answered at once") {
    Driver d(Driver::discord());
    d.start_ready();
    d.server(R"({"op":1,"d":null})");
    REQUIRE(d.sent(1).size() == 1);
    CHECK(d.sent(1)[0]["d"] == 1);
}

TEST_CASE("a heartbeat request restarts the heartbeat schedule, so it never looks like a zombie") {
    Driver d(Driver::fluxer(0.5));
    d.start_ready(1000);
    d.advance(450ms);  // our first heartbeat is due at 500 ms
    d.server(R"({"op":1,"d":null})");
    REQUIRE(d.sent(1).size() == 1);
    d.advance(999ms);  // the scheduled heartbeat moved to 1450 ms
    CHECK(d.sent(1).size() == 1);
    CHECK(d.all<action::Close>().empty());
    d.server(R"({"op":11})");
    d.advance(1ms);
    CHECK(d.sent(1).size() == 2);
    CHECK(d.all<action::Close>().empty());
}

TEST_CASE("Identify, Resume and Heartbeat are refused as commands: they are the session's") {
    Driver d(Driver::discord());
    d.start_ready(41250);
    CHECK(d.session.send_command(2, "{}", d.now) == errc::session_owned_opcode);
    CHECK(d.session.send_command(6, "{}", d.now) == errc::session_owned_opcode);
    CHECK(d.session.send_command(1, "null", d.now) == errc::session_owned_opcode);
    d.collect();
    CHECK(d.all<action::Send>().empty());
    CHECK_FALSE(d.session.send_command(
        3, R"({"since":null,"activities":[],"status":"online","afk":false})", d.now));
}

TEST_CASE("heartbeat requests sooner than the interval do not hide a missing ACK") {
    Driver d(Driver::fluxer(0.5));
    d.start_ready(1000);
    // Requests every 900 ms, answered each time, never ACKed: each one restarts
    // the schedule, so the scheduled check never comes; the request does it.
    d.advance(450ms);
    d.server(R"({"op":1,"d":null})");
    d.advance(900ms);
    d.server(R"({"op":1,"d":null})");
    CHECK(d.sent(1).size() == 2);  // at 450 and 1 350 ms
    CHECK(d.all<action::Close>().empty());
    d.advance(900ms);
    d.server(R"({"op":1,"d":null})");  // 2 250 ms: the first is 1 800 ms without an ACK
    auto closes = d.all<action::Close>();
    REQUIRE(closes.size() == 1);
    CHECK(closes[0].code != 1000);  // the session stays resumable
    CHECK(d.sent(1).size() == 2);
}

TEST_CASE("an ACK between requests keeps heartbeat requests answered") {
    Driver d(Driver::fluxer(0.5));
    d.start_ready(1000);
    for (int i = 0; i < 4; ++i) {
        d.advance(900ms);
        d.server(R"({"op":1,"d":null})");
        d.server(R"({"op":11})");
    }
    CHECK(d.sent(1).size() == 5);  // the scheduled one at 500 ms and four answers
    CHECK(d.all<action::Close>().empty());
}

TEST_CASE("bytes of a message still arriving count as life: its ACK may be behind it") {
    Driver d(Driver::discord(0.0));
    d.start_ready(1000);
    d.advance(1ms);  // the first heartbeat
    REQUIRE(d.sent(1).size() == 1);
    std::string big = R"({"op":0,"s":2,"t":"MESSAGE_CREATE","d":{"id":"1","content":")" +
                      std::string(3000, 'x') + R"("}})";
    auto part = [&](std::size_t from, std::size_t to, bool end) {
        d.session.on_message({reinterpret_cast<const std::uint8_t*>(big.data()) + from, to - from},
                             end, d.now);
        d.collect();
    };
    d.advance(500ms);
    part(0, 1000, false);
    d.advance(500ms);  // the check at 1 001 ms: no ACK, but a message is arriving
    CHECK(d.all<action::Close>().empty());
    CHECK(d.sent(1).size() == 2);
    d.advance(500ms);
    part(1000, 2000, false);
    d.advance(500ms);
    CHECK(d.all<action::Close>().empty());
    part(2000, big.size(), true);
    d.server(R"({"op":11})");
    CHECK(d.delivered_seqs().back() == 2);
    d.advance(1000ms);
    CHECK(d.all<action::Close>().empty());

    // A message that stops arriving is no excuse past the next interval.
    d.advance(500ms);
    std::string next = R"({"op":0,"s":3,"t":"TYPING_START","d":{}})";
    d.session.on_message({reinterpret_cast<const std::uint8_t*>(next.data()), 10}, false, d.now);
    d.collect();
    d.advance(1500ms);
    CHECK(d.all<action::Close>().size() == 1);
}

TEST_CASE("no ACK between two heartbeats: zombie, close keeping the session, resume") {
    Driver d(Driver::discord(0.0));
    d.start_ready(1000);
    d.advance(1ms);  // first heartbeat (random 0)
    REQUIRE(d.sent(1).size() == 1);
    d.advance(1000ms);  // the next heartbeat is due and the first was never ACKed
    auto closes = d.all<action::Close>();
    REQUIRE(closes.size() == 1);
    CHECK(closes[0].code != 1000);
    CHECK(closes[0].code != 1001);
    CHECK(d.sent(1).size() == 1);

    d.actions.clear();
    d.closed(1006);
    d.advance(0ms);
    auto connects = d.all<action::Connect>();
    REQUIRE(connects.size() == 1);
    CHECK(connects[0].url.rfind("wss://resume.example/", 0) == 0);  // resume_gateway_url
    d.connect();
    d.hello(1000);
    auto resume = d.sent(6);
    REQUIRE(resume.size() == 1);
    CHECK(resume[0]["d"]["session_id"] == "abc123");
    CHECK(resume[0]["d"]["seq"] == 1);
    CHECK(resume[0]["d"]["token"] == "secret-token");
    CHECK(d.sent(2).empty());
    d.dispatch(2, "MESSAGE_CREATE");
    d.dispatch(3, "RESUMED");
    CHECK(d.session.state() == ShardState::ready);
    CHECK(d.session.stats().identifies == 1);
    CHECK(d.session.stats().resumes == 1);
}

TEST_CASE("an ACK in time keeps the connection and measures latency") {
    Driver d(Driver::discord(0.0));
    d.start_ready(1000);
    for (int i = 0; i < 5; ++i) {
        auto due = *d.session.next_deadline();
        d.advance(std::chrono::duration_cast<std::chrono::milliseconds>(due - d.now));
        d.advance(30ms);
        d.server(R"({"op":11})");
    }
    CHECK(d.all<action::Close>().empty());
    REQUIRE(d.session.latency());
    CHECK(*d.session.latency() == 30ms);
}

TEST_CASE("op 7: close with a resumable code, reconnect, resume") {
    Driver d(Driver::discord());
    d.start_ready();
    d.server(R"({"op":7,"d":null})");
    REQUIRE(d.all<action::Close>().size() == 1);
    CHECK(d.all<action::Close>()[0].code == 4000);
    d.closed(4000);
    d.advance(0ms);
    REQUIRE(d.all<action::Connect>().size() == 1);
    d.connect();
    d.hello();
    CHECK(d.sent(6).size() == 1);
}

TEST_CASE("op 9 true: wait 1-5 s, then reconnect and resume") {
    Driver d(Driver::discord(0.5));
    d.start_ready();
    d.server(R"({"op":9,"d":true})");
    REQUIRE(d.all<action::Close>().size() == 1);
    d.closed(4000);
    d.advance(2999ms);  // 1 s + 0.5 × 4 s
    CHECK(d.all<action::Connect>().empty());
    d.advance(1ms);
    REQUIRE(d.all<action::Connect>().size() == 1);
    d.connect();
    d.hello();
    CHECK(d.sent(6).size() == 1);
}

TEST_CASE("op 9 false on Discord: new connection to the original URL, identify after 1-5 s") {
    Driver d(Driver::discord(0.0));
    d.start_ready();
    d.server(R"({"op":9,"d":false})");
    d.closed(4000);
    d.advance(999ms);
    CHECK(d.all<action::Connect>().empty());
    d.advance(1ms);
    REQUIRE(d.all<action::Connect>().size() == 1);
    CHECK(d.all<action::Connect>()[0].url.rfind("wss://gateway.example/", 0) == 0);
    d.connect();
    d.hello();
    CHECK(d.sent(6).empty());
    CHECK(d.sent(2).size() == 1);
    CHECK_FALSE(d.session.resumable());
}

TEST_CASE("op 9 false on Fluxer: the socket stays, identify on it after 1-5 s") {
    Driver d(Driver::fluxer(1.0));
    d.start_ready();
    d.server(R"({"op":9,"d":false})");
    CHECK(d.all<action::Close>().empty());
    d.advance(4990ms);
    CHECK(d.sent(2).empty());
    d.advance(20ms);
    REQUIRE(d.sent(2).size() == 1);
    CHECK(d.all<action::Connect>().empty());
}

TEST_CASE("fatal close codes end the shard with the code and never reconnect") {
    for (std::uint16_t code : {4004, 4010, 4011, 4012, 4013, 4014}) {
        Driver d(Driver::discord());
        d.start_ready();
        d.closed(code);
        auto finish = d.all<action::Finish>();
        REQUIRE(finish.size() == 1);
        CHECK(finish[0].error == make_close_error(code));
        CHECK(finish[0].error.category() == close_category());
        CHECK(d.session.state() == ShardState::failed);
        d.advance(std::chrono::hours(24));
        CHECK(d.all<action::Connect>().empty());
    }
}

TEST_CASE("4004 is fatal before READY too: a dead token is never retried") {
    Driver d(Driver::fluxer());
    d.session.start(d.now);
    d.connect();
    d.hello();
    d.closed(4004);
    REQUIRE(d.all<action::Finish>().size() == 1);
    d.advance(std::chrono::hours(1));
    CHECK(d.all<action::Connect>().size() == 1);
}

TEST_CASE("close codes that need a new session identify: the rest resume") {
    struct Case {
        const Profile* profile;
        std::uint16_t code;
        bool resumes;
    };
    for (Case c :
         {Case{&profiles::discord(), 4000, true}, Case{&profiles::discord(), 4001, true},
          Case{&profiles::discord(), 4002, true}, Case{&profiles::discord(), 4003, false},
          Case{&profiles::discord(), 4005, true}, Case{&profiles::discord(), 4007, false},
          Case{&profiles::discord(), 4008, true}, Case{&profiles::discord(), 4009, false},
          Case{&profiles::fluxer(), 4009, true}, Case{&profiles::discord(), 1000, true},
          Case{&profiles::discord(), 1001, true}, Case{&profiles::discord(), 4321, true}}) {
        SessionConfig config = Driver::discord();
        config.profile = *c.profile;
        config.intents = {};  // the Fluxer cases have none
        Driver d(config);
        d.start_ready();
        d.closed(c.code);
        d.advance(10s);
        REQUIRE(d.all<action::Connect>().size() == 1);
        d.connect();
        d.hello();
        INFO("close code " << c.code);
        CHECK(d.sent(6).size() == (c.resumes ? 1u : 0u));
        CHECK(d.sent(2).size() == (c.resumes ? 0u : 1u));
    }
}

TEST_CASE("a connection lost without a close frame resumes") {
    Driver d(Driver::discord());
    d.start_ready();
    d.closed(std::nullopt);
    d.advance(0ms);
    d.connect();
    d.hello();
    CHECK(d.sent(6).size() == 1);
}

TEST_CASE("failed connects back off exponentially with jitter, up to a cap") {
    SessionConfig config = Driver::discord(0.0);  // jitter at its low end: half the step
    config.backoff.initial = 1000ms;
    config.backoff.max = 8000ms;
    Driver d(config);
    d.session.start(d.now);
    d.collect();
    std::vector<std::chrono::milliseconds> gaps;
    for (int attempt = 0; attempt < 7; ++attempt) {
        d.actions.clear();
        d.session.on_connect_failed(std::make_error_code(std::errc::connection_refused), d.now);
        d.collect();
        TimePoint failed_at = d.now;
        auto deadline = d.session.next_deadline();
        REQUIRE(deadline);
        gaps.push_back(
            std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - failed_at));
        d.advance(std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - d.now));
        REQUIRE(d.all<action::Connect>().size() == 1);
    }
    std::vector<std::chrono::milliseconds> expected = {0ms,    500ms,  1000ms, 2000ms,
                                                       4000ms, 4000ms, 4000ms};
    CHECK(gaps == expected);
}

TEST_CASE("backoff jitter spreads delays over the upper half of each step") {
    Backoff backoff{1000ms, 60000ms, 30000ms};
    CHECK(backoff.delay(0, 0.7) == 0ms);
    CHECK(backoff.delay(1, 0.0) == 500ms);
    CHECK(backoff.delay(1, 0.999) >= 999ms);
    CHECK(backoff.delay(3, 0.5) == 3000ms);
    CHECK(backoff.delay(30, 0.999) <= 60000ms);
    CHECK(backoff.delay(1000, 0.0) == 30000ms);
}

TEST_CASE("a server that drops every connection right after READY gets no reconnect storm") {
    Driver d(Driver::discord(0.0));
    d.start_ready();
    int connects = 0;
    TimePoint began = d.now;
    for (int i = 0; i < 10; ++i) {
        d.actions.clear();
        d.closed(4000);
        auto deadline = d.session.next_deadline();
        REQUIRE(deadline);
        d.advance(std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - d.now));
        connects += static_cast<int>(d.all<action::Connect>().size());
        d.connect();
        d.hello();
        d.dispatch(100 + i, "RESUMED");
    }
    CHECK(connects == 10);
    // 0 + 0.5 + 1 + 2 + 4 + 8 + 16 + 30 + 30 + 30 seconds at least
    CHECK(d.now - began >= 121s);
}

TEST_CASE("a connection that stayed up resets the backoff") {
    Driver d(Driver::discord(0.0));
    d.start_ready();
    for (int i = 0; i < 3; ++i) {
        d.closed(4000);
        d.advance(60s);
        d.connect();
        d.hello();
        d.dispatch(10 + i, "RESUMED");
    }
    d.advance(40s);  // stable for longer than backoff.stable_after
    d.actions.clear();
    d.closed(4000);
    auto deadline = d.session.next_deadline();
    REQUIRE(deadline);
    CHECK(*deadline == d.now);  // straight back
}

TEST_CASE("a seq delivered once is never delivered again, one never seen always is") {
    Driver d(Driver::discord());
    d.start_ready();
    d.dispatch(2, "MESSAGE_CREATE");
    d.dispatch(5, "MESSAGE_CREATE");  // 3 and 4 are still to come
    d.dispatch(4, "MESSAGE_CREATE");  // lower than 5, never seen: delivered
    d.dispatch(5, "MESSAGE_CREATE");  // a duplicate
    d.dispatch(6, "MESSAGE_CREATE");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{2, 5, 4, 6});
    CHECK(d.session.stats().duplicates_dropped == 1);
    REQUIRE(d.session.resumable());
    CHECK(d.session.resumable()->seq == 2);  // 3 is missing: a resume must ask for it

    // Across a resume the replay overlaps what we have: nothing twice.
    d.actions.clear();
    d.closed(std::nullopt);
    d.advance(0ms);
    d.connect();
    d.hello();
    CHECK(d.sent(6)[0]["d"]["seq"] == 2);
    for (std::uint64_t seq = 3; seq <= 7; ++seq) {
        d.dispatch(seq, "MESSAGE_CREATE");
    }
    d.server(R"({"op":0,"s":null,"t":"RESUMED","d":{}})");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{3, 7, 0});
    CHECK(d.session.resumable()->seq == 7);
}

TEST_CASE("READY of a new session starts seq afresh, even at s=0") {
    Driver d(Driver::discord());
    d.start_ready();
    d.dispatch(50, "MESSAGE_CREATE");
    d.closed(4007);  // invalid seq: new session
    d.advance(1s);
    d.connect();
    d.hello();
    d.actions.clear();
    d.dispatch(0, "READY", R"({"session_id":"fresh"})");  // Spacebar sends READY with s=0
    d.dispatch(1, "GUILD_CREATE");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{0, 1});
    CHECK(d.session.resumable()->session_id == "fresh");
}

TEST_CASE("commands wait for READY and pass Discord's 120/60 s limit with room for heartbeats") {
    Driver d(Driver::discord(0.0));
    d.session.start(d.now);
    d.connect();
    d.hello(41250);
    for (int i = 0; i < 200; ++i) {
        REQUIRE_FALSE(d.session.send_command(8, R"({"guild_id":"1","limit":0,"query":""})", d.now));
    }
    CHECK(d.sent(8).empty());  // not before READY
    d.ready();
    // identify (1) + commands: 120 - 3 kept for heartbeats = 117 in the window.
    CHECK(d.sent(8).size() == 116);
    CHECK(d.session.queued_commands() == 84);
    d.advance(1ms);
    CHECK(d.sent(1).size() == 1);  // a heartbeat still goes out
    d.server(R"({"op":11})");
    d.advance(40s);
    d.server(R"({"op":11})");
    d.advance(20s);
    CHECK(d.sent(8).size() == 200);  // queued, never dropped
    CHECK(d.session.queued_commands() == 0);
}

TEST_CASE("Fluxer limits presence updates to 5 per 20 s") {
    Driver d(Driver::fluxer());
    d.start_ready();
    for (int i = 0; i < 7; ++i) {
        REQUIRE_FALSE(d.session.send_command(3, R"({"status":"online"})", d.now));
    }
    d.collect();
    CHECK(d.sent(3).size() == 5);
    d.advance(20s);
    CHECK(d.sent(3).size() == 7);
}

TEST_CASE("a command over 4096 bytes is refused and not sent") {
    Driver d(Driver::discord());
    d.start_ready();
    std::string big = R"({"guild_id":"1","query":")" + std::string(5000, 'q') + R"("})";
    CHECK(d.session.send_command(8, big, d.now) == errc::command_too_large);
    CHECK(d.sent(8).empty());
    CHECK(d.session.queued_commands() == 0);
}

TEST_CASE("unknown opcodes and non-JSON payloads are reported and the session carries on") {
    Driver d(Driver::discord());
    d.start_ready();
    d.server(R"({"op":42,"d":{}})");
    d.server("definitely { not json");
    d.dispatch(2, "SOMETHING_NEW", R"({"x":1})");
    auto reports = d.all<action::Report>();
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].detail.find("42") != std::string::npos);
    CHECK(reports[1].error == errc::invalid_payload);
    CHECK(d.all<action::Close>().empty());
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{2});
    CHECK(d.all<action::Deliver>()[0].event.name == "SOMETHING_NEW");
    CHECK(d.all<action::Deliver>()[0].event.data() == R"({"x":1})");
}

TEST_CASE("a corrupt compressed stream costs one reconnect and a resume") {
    SessionConfig config = Driver::discord();
    config.compression = Compression::zlib_stream;
    Driver d(config);
    d.session.start(d.now);
    d.collect();
    d.connect();
    std::vector<std::uint8_t> garbage(40, 0xFF);
    garbage.insert(garbage.end(), {0, 0, 0xFF, 0xFF});
    d.session.on_message(garbage, true, d.now);
    d.collect();
    REQUIRE(d.all<action::Report>().size() == 1);
    CHECK(d.all<action::Report>()[0].error == errc::decompression_failed);
    REQUIRE(d.all<action::Close>().size() == 1);
    d.closed(4000);
    d.advance(0ms);
    CHECK(d.all<action::Connect>().size() == 2);
}

TEST_CASE("a message over the size bound is refused, the session is kept") {
    SessionConfig config = Driver::discord();
    config.max_message_bytes = 1024;
    Driver d(config);
    d.start_ready();
    d.dispatch(2, "GUILD_CREATE", R"({"blob":")" + std::string(4000, 'x') + R"("})");
    d.dispatch(3, "MESSAGE_CREATE");
    REQUIRE(d.all<action::Report>().size() == 1);
    CHECK(d.all<action::Report>()[0].error == errc::message_too_large);
    CHECK(d.all<action::Close>().empty());
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{3});
}

TEST_CASE("stop closes with 1000 and finishes: stop keeping the session uses a resumable code") {
    {
        Driver d(Driver::discord());
        d.start_ready();
        d.session.stop(d.now);
        d.collect();
        REQUIRE(d.all<action::Close>().size() == 1);
        CHECK(d.all<action::Close>()[0].code == 1000);
        d.closed(1000);
        REQUIRE(d.all<action::Finish>().size() == 1);
        CHECK_FALSE(d.all<action::Finish>()[0].error);
        CHECK(d.session.state() == ShardState::stopped);
        d.advance(std::chrono::hours(1));
        CHECK(d.all<action::Connect>().empty());
    }
    {
        Driver d(Driver::discord());
        d.start_ready();
        d.dispatch(2, "MESSAGE_CREATE");
        d.session.stop(d.now, true);
        d.collect();
        CHECK(d.all<action::Close>()[0].code == 4000);
        d.closed(4000);
        REQUIRE(d.session.resumable());
        CHECK(*d.session.resumable() == ResumableSession{"abc123", 2, "wss://resume.example"});
    }
}

TEST_CASE("stop while waiting to reconnect finishes at once") {
    Driver d(Driver::discord());
    d.start_ready();
    d.closed(4000);
    d.session.stop(d.now);
    d.collect();
    REQUIRE(d.all<action::Finish>().size() == 1);
    d.advance(std::chrono::hours(1));
    CHECK(d.all<action::Connect>().empty());
}

TEST_CASE("a saved session is resumed by a new process") {
    SessionConfig config = Driver::discord();
    config.resume = ResumableSession{"saved-id", 77, "wss://resume.example"};
    Driver d(config);
    d.session.start(d.now);
    d.collect();
    CHECK(d.all<action::Connect>()[0].url.rfind("wss://resume.example/", 0) == 0);
    d.connect();
    d.hello();
    auto resume = d.sent(6);
    REQUIRE(resume.size() == 1);
    CHECK(resume[0]["d"]["session_id"] == "saved-id");
    CHECK(resume[0]["d"]["seq"] == 77);
    CHECK(d.sent(2).empty());
}

TEST_CASE("while reading is paused, a missing ACK is not a zombie") {
    Driver d(Driver::discord(0.0));
    d.start_ready(1000);
    d.advance(1ms);
    d.session.set_reading_paused(true, d.now);
    d.advance(5000ms);
    CHECK(d.all<action::Close>().empty());
    CHECK(d.sent(1).size() == 6);  // heartbeats kept going out
    d.session.set_reading_paused(false, d.now);
    d.server(R"({"op":11})");  // what was waiting in the socket
    d.advance(1000ms);
    CHECK(d.all<action::Close>().empty());
}

TEST_CASE("no Hello in time, or no READY in time, replaces the connection") {
    SessionConfig config = Driver::discord();
    config.hello_timeout = 5s;
    config.ready_timeout = 10s;
    Driver d(config);
    d.session.start(d.now);
    d.connect();
    d.advance(5s);
    REQUIRE(d.all<action::Close>().size() == 1);
    d.closed(4000);
    d.advance(0ms);
    d.connect();
    d.hello();
    d.advance(10s);
    CHECK(d.all<action::Close>().size() == 2);
}

TEST_CASE("Fluxer identify: no intents, extra fields, and zstd-compressed binary sends") {
    SessionConfig config = Driver::fluxer();
    config.compression = Compression::zstd_stream;
    config.identify_extra_json = R"({"ignored_events":["TYPING_START"],"flags":6})";
    config.presence.emplace();
    config.presence->status = commands::Status::idle;
    Driver d(config);
    d.server_zstd.emplace();
    d.session.start(d.now);
    d.collect();
    CHECK(d.all<action::Connect>()[0].url ==
          "wss://gateway.example/?v=1&encoding=json&compress=zstd-stream&stream=1");
    d.connect();
    d.hello();
    auto sends = d.all<action::Send>();
    REQUIRE(sends.size() == 1);
    CHECK(sends[0].binary);
    MessageDecoder server_side(Compression::zstd_stream, 1 << 20);
    REQUIRE(server_side.feed({reinterpret_cast<const std::uint8_t*>(sends[0].bytes.data()),
                              sends[0].bytes.size()},
                             true) == DecodeStatus::complete);
    json identify = json::parse(server_side.message());
    CHECK(identify["op"] == 2);
    CHECK_FALSE(identify["d"].contains("intents"));
    CHECK(identify["d"]["ignored_events"][0] == "TYPING_START");
    CHECK(identify["d"]["flags"] == 6);
    CHECK(identify["d"]["presence"]["status"] == "idle");
}

TEST_CASE("Fluxer resumes on the same URL: there is no resume_gateway_url") {
    Driver d(Driver::fluxer());
    d.start_ready();
    d.server(R"({"op":7,"d":null})");
    d.closed(4000);
    d.advance(0ms);
    REQUIRE(d.all<action::Connect>().size() == 1);
    CHECK(d.all<action::Connect>()[0].url.rfind("wss://gateway.example/", 0) == 0);
}

TEST_CASE("a profile without the requested compression fails at start") {
    SessionConfig config = Driver::fluxer();
    config.compression = Compression::zlib_stream;
    Driver d(config);
    d.session.start(d.now);
    d.collect();
    REQUIRE(d.all<action::Finish>().size() == 1);
    CHECK(d.all<action::Finish>()[0].error == errc::unsupported_compression);
}

TEST_CASE("READY arriving after stop() does not revive the session") {
    Driver d(Driver::discord());
    d.session.start(d.now);
    d.connect();
    d.hello();
    d.session.stop(d.now);
    d.collect();
    d.ready();
    CHECK(d.session.state() == ShardState::stopping);
    d.closed(1000);
    REQUIRE(d.all<action::Finish>().size() == 1);
    d.advance(std::chrono::hours(1));
    CHECK(d.all<action::Connect>().size() == 1);
}

TEST_CASE("a presence update becomes the presence of the next identify") {
    SessionConfig config = Driver::fluxer(1.0);
    config.presence = commands::UpdatePresence{};
    Driver d(config);
    d.session.start(d.now);
    d.collect();
    d.connect();
    d.hello();
    REQUIRE(d.sent(2).size() == 1);
    CHECK(d.sent(2)[0]["d"]["presence"]["status"] == "online");
    d.ready();
    d.actions.clear();
    REQUIRE_FALSE(d.session.send_command(3, R"({"status":"dnd","afk":true})", d.now));
    d.advance(1ms);
    REQUIRE(d.sent(3).size() == 1);
    d.server(R"({"op":9,"d":false})");  // the session is gone: a new identify follows
    d.advance(5010ms);
    REQUIRE(d.sent(2).size() == 1);
    CHECK(d.sent(2)[0]["d"]["presence"]["status"] == "dnd");
    CHECK(d.sent(2)[0]["d"]["presence"]["afk"] == true);
}

namespace {
// A session whose new sessions identify at slots its owner grants.
SessionConfig with_slots(SessionConfig config) {
    config.identify_slots = true;
    return config;
}
// The owner's answer to the session's last ReserveSlot.
void grant(Driver& d, TimePoint slot) {
    d.session.on_slot(slot, d.now);
    d.collect();
}
// Starts the session, which asks for a slot, and grants it `slot`.
void start_with_slot(Driver& d, TimePoint slot) {
    d.session.start(d.now);
    d.collect();
    grant(d, slot);
}
// Answers the claim the session has just made for its reached slot: go at
// once, or (`again`) ask again then.
void answer_claim(Driver& d, std::optional<TimePoint> again = std::nullopt) {
    auto asked = d.all<action::ReserveSlot>();
    REQUIRE_FALSE(asked.empty());
    REQUIRE(asked.back().claims);
    grant(d, again.value_or(d.now));
}
// Starts the session and identifies it at once: a free slot, claimed.
void identify_at_free_slot(Driver& d) {
    start_with_slot(d, d.now);
    d.connect();
    d.hello();
    d.advance(0ms);
    answer_claim(d);
}
}  // namespace

TEST_CASE("a new session connects shortly before its identify slot and identifies at it") {
    // The Identify leaves at the slot whatever the connect took, once the
    // queue agrees, and the connection heartbeats meanwhile; a resume asks
    // for no slot.
    SessionConfig config = with_slots(Driver::discord(0.0));
    config.identify_lead = 1s;
    Driver d(config);
    d.session.start(d.now);
    d.collect();
    REQUIRE(d.all<action::ReserveSlot>().size() == 1);
    CHECK_FALSE(d.all<action::ReserveSlot>()[0].resume);
    CHECK_FALSE(d.all<action::ReserveSlot>()[0].claims);
    CHECK(d.all<action::Connect>().empty());  // no socket before the answer
    TimePoint slot = d.now + 5s;
    grant(d, slot);
    CHECK(d.all<action::Connect>().empty());
    d.advance(3999ms);
    CHECK(d.all<action::Connect>().empty());
    d.advance(1ms);  // identify_lead before the slot
    REQUIRE(d.all<action::Connect>().size() == 1);
    d.advance(50ms);
    d.connect();
    d.hello(2000);
    CHECK(d.sent(2).empty());
    d.advance(900ms);
    CHECK(d.sent(1).size() == 1);  // heartbeating while it waits
    d.server(R"({"op":11})");
    CHECK(d.sent(2).empty());
    d.advance(std::chrono::duration_cast<std::chrono::milliseconds>(slot - d.now) - 1ms);
    CHECK(d.all<action::ReserveSlot>().size() == 1);
    d.advance(1ms);
    REQUIRE(d.all<action::ReserveSlot>().size() == 2);  // at the slot: may it go?
    CHECK(*d.all<action::ReserveSlot>()[1].claims == slot);
    CHECK(d.sent(2).empty());
    answer_claim(d);
    REQUIRE(d.sent(2).size() == 1);
    d.ready();

    d.actions.clear();
    d.server(R"({"op":7,"d":null})");  // reconnect: the session resumes, no slot
    d.closed(4000);
    d.advance(10ms);
    d.connect();
    d.hello();
    CHECK(d.sent(6).size() == 1);
    CHECK(d.all<action::ReserveSlot>().empty());

    d.actions.clear();
    d.server(R"({"op":9,"d":false})");  // the session is gone: a new identify needs a slot
    d.closed(4000);
    d.advance(6s);  // past op 9's wait
    CHECK(d.all<action::ReserveSlot>().size() == 1);
    CHECK(d.all<action::Connect>().empty());
}

TEST_CASE(
    "a slot reached late is claimed at Hello, and waits when the bucket's last identify left "
    "late") {
    Driver d(with_slots(Driver::discord(0.0)));
    start_with_slot(d, d.now);  // the bucket is free: connect at once
    REQUIRE(d.all<action::Connect>().size() == 1);
    d.advance(300ms);  // the connect took 300 ms: the slot has passed
    d.connect();
    d.hello();
    d.advance(0ms);
    CHECK(d.sent(2).empty());
    answer_claim(d, d.now + 2s);  // another shard of the bucket identified late
    d.advance(1999ms);
    CHECK(d.sent(2).empty());
    CHECK(d.all<action::ReserveSlot>().size() == 2);
    d.advance(1ms);
    REQUIRE(d.all<action::ReserveSlot>().size() == 3);
    answer_claim(d);
    CHECK(d.sent(2).size() == 1);
}

TEST_CASE("a READY before the Identify that waits for its slot is reported and dropped") {
    Driver d(with_slots(Driver::discord(0.0)));
    start_with_slot(d, d.now + 10s);
    d.advance(5000ms);
    d.connect();
    d.hello();
    d.ready();
    CHECK(d.all<action::Deliver>().empty());
    CHECK(d.all<action::Report>().size() == 1);
    CHECK(d.session.state() != ShardState::ready);
}

TEST_CASE("Fluxer's op 9 on an open socket identifies again through the identify queue") {
    Driver d(with_slots(Driver::fluxer(0.0)));
    identify_at_free_slot(d);
    REQUIRE(d.sent(2).size() == 1);
    d.ready();
    d.actions.clear();
    d.server(R"({"op":9,"d":false})");  // Fluxer keeps the socket
    CHECK(d.all<action::Close>().empty());
    d.advance(1000ms);  // op 9's wait (1 s at random 0)
    REQUIRE(d.all<action::ReserveSlot>().size() == 1);
    CHECK(d.sent(2).empty());
    grant(d, d.now + 3s);
    d.advance(2999ms);
    CHECK(d.sent(2).empty());
    d.advance(1ms);
    answer_claim(d);
    CHECK(d.sent(2).size() == 1);
    CHECK(d.all<action::Connect>().empty());  // on the same socket
}

TEST_CASE("where resumes count against the identify budget a resume asks for a slot first") {
    SessionConfig config = with_slots(Driver::fluxer(0.0));
    config.resume_slots = true;
    Driver d(config);
    identify_at_free_slot(d);
    d.ready();
    d.actions.clear();
    d.closed(std::nullopt);  // dropped: resume
    d.advance(10ms);
    auto asked = d.all<action::ReserveSlot>();
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].resume);
    CHECK(d.all<action::Connect>().empty());
    grant(d, d.now + 2s);
    d.advance(1999ms);
    CHECK(d.all<action::Connect>().empty());
    d.advance(1ms);
    REQUIRE(d.all<action::Connect>().size() == 1);
    d.connect();
    d.hello();
    CHECK(d.sent(6).size() == 1);
}

TEST_CASE("a slot that answers a stopped session is ignored") {
    Driver d(with_slots(Driver::discord(0.0)));
    d.session.start(d.now);
    d.collect();
    d.session.stop(d.now);
    d.collect();
    CHECK(d.session.state() == ShardState::stopped);
    grant(d, d.now);
    d.advance(10s);
    CHECK(d.all<action::Connect>().empty());
}

}  // namespace session_tests
