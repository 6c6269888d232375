// Input at the edges of its types' ranges: read as an error, never wrapped
// into some other value.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "../support/fixtures.hpp"
#include "../support/session_driver.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/core/timestamp.hpp"
#include "gatewire/core/url.hpp"
#include "gatewire/detail/decode_status.hpp"
#include "gatewire/detail/envelope.hpp"
#include "gatewire/detail/json_boundary.hpp"
#include "gatewire/detail/rate_limiter.hpp"
#include "gatewire/dispatch/decode.hpp"
#include "gatewire/events/all.hpp"
#include "gatewire/scale/gateway_info.hpp"

namespace hardening_tests {

using namespace gatewire;
using namespace std::chrono_literals;
using test::Driver;

TEST_CASE("a Hello interval past a day is refused: no heartbeat at once, no zombie close") {
    Driver d(Driver::discord());
    d.session.start(d.now);
    d.collect();
    d.connect();
    d.server(R"({"op":10,"d":{"heartbeat_interval":10000000000000}})");
    auto reports = d.all<action::Report>();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].error == errc::invalid_payload);
    CHECK(d.session.heartbeat_interval() == 41250ms);
    d.ready();
    d.actions.clear();
    d.advance(10s);
    CHECK(d.sent(1).empty());
    CHECK(d.all<action::Close>().empty());
}

TEST_CASE("Unix times whose milliseconds overflow are refused, not decoded as garbage") {
    using namespace std::chrono;
    CHECK_FALSE(timestamp_from_unix(std::numeric_limits<std::int64_t>::max()));
    CHECK_FALSE(timestamp_from_unix(std::numeric_limits<std::int64_t>::min()));
    CHECK_FALSE(timestamp_from_unix(9'300'000'000'000'000));
    CHECK(timestamp_from_unix(9'200'000'000'000'000));  // ~year 291 000, in milliseconds

    events::TypingStart typing;
    DecodeError error;
    std::vector<DecodeError> warnings;
    REQUIRE(decode(R"({"channel_id":"1","user_id":"2","timestamp":9300000000000000})", typing,
                   &error, {}, &warnings));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].path == "timestamp");
    CHECK(typing.timestamp == Timestamp{});
}

TEST_CASE("every timestamp the encoder writes, the decoder reads back the same") {
    using namespace std::chrono;
    const Timestamp cases[] = {
        Timestamp{seconds{-62167219200}},                         // 0000-01-01
        Timestamp{seconds{-62167219200}} - microseconds{1},       // year -1
        Timestamp{seconds{253402300799}} + microseconds{999999},  // 9999-12-31T23:59:59.999999
        Timestamp{seconds{253402300800}},                         // year 10000
        Timestamp{seconds{1034546400000}},                        // year 34753
        Timestamp{seconds{1700000000}} + microseconds{123456},
    };
    for (Timestamp t : cases) {
        events::TypingStart typing;
        typing.timestamp = t;
        std::string text = encode_json(typing);
        INFO(text);
        events::TypingStart back;
        std::vector<DecodeError> warnings;
        REQUIRE(decode(text, back, nullptr, {}, &warnings));
        CHECK(warnings.empty());
        if (has_text_form(t)) {
            CHECK(back.timestamp == t);
        } else {
            // Out of the text form's years: whole milliseconds.
            CHECK(back.timestamp == floor<milliseconds>(t));
        }
        CHECK(encode_json(back) == encode_json(back));
    }
    // An offset cannot carry a date out of the years the text form holds.
    CHECK_FALSE(parse_timestamp("0000-01-01T00:00:00+01:00"));
    CHECK_FALSE(parse_timestamp("9999-12-31T23:30:00-01:00"));
    CHECK(parse_timestamp("0000-01-01T00:00:00Z"));
}

TEST_CASE("the JSON boundary counts nesting past 2^31 without overflow") {
    JsonBoundary boundary;
    const std::string opens(1 << 20, '[');
    const std::uint64_t depth = (std::uint64_t{1} << 31) + (1 << 20);
    for (std::uint64_t done = 0; done < depth; done += opens.size()) {
        REQUIRE(boundary.scan(opens) == JsonBoundary::npos);
    }
    // One close of 2^31 + 2^20 opens ends nothing.
    CHECK(boundary.scan("]") == JsonBoundary::npos);
}

TEST_CASE("gateway information whose counts do not fit their types is refused") {
    auto discord = profiles::discord();
    CHECK_FALSE(parse_gateway_info(discord, R"({"url":"wss://x","shards":4294967296})"));
    CHECK(parse_gateway_info(discord, R"({"url":"wss://x","shards":4294967295})"));
    CHECK_FALSE(parse_gateway_info(
        discord,
        R"({"url":"wss://x","shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":1,"max_concurrency":4294967312}})"));
    CHECK_FALSE(parse_gateway_info(
        discord,
        R"({"url":"wss://x","shards":1,"session_start_limit":{"total":4294967296,"remaining":1,"reset_after":1,"max_concurrency":1}})"));
    CHECK_FALSE(parse_gateway_info(
        discord,
        R"({"url":"wss://x","shards":1,"session_start_limit":{"total":1,"remaining":1,"reset_after":18446744073709551615,"max_concurrency":1}})"));
}

TEST_CASE("an op outside int is an invalid envelope, never another op") {
    Envelope envelope;
    auto peek = [&](std::string message) {
        message.reserve(message.size() + message_padding);
        return peek_envelope(message, envelope);
    };
    CHECK(peek(R"({"op":4294967296,"d":{}})") == errc::invalid_payload);
    CHECK(peek(R"({"d":{},"op":4294967296})") == errc::invalid_payload);
    CHECK(peek(R"({"d":{},"op":-4294967285})") == errc::invalid_payload);
    CHECK_FALSE(peek(R"({"d":{},"op":11})"));
    CHECK(envelope.op == 11);

    Driver d(Driver::discord());
    d.start_ready();
    d.server(R"({"t":"MESSAGE_CREATE","s":2,"d":{},"op":4294967296})");
    CHECK(d.delivered_seqs().empty());
    REQUIRE(d.all<action::Report>().size() == 1);
    CHECK(d.all<action::Report>()[0].error == errc::invalid_payload);
}

TEST_CASE("an idle shard's heartbeats do not pile up in the command limiter") {
    RateLimiter limiter({120, 60s});
    RateLimiter::TimePoint now{};
    for (int beat = 0; beat < 30 * 24 * 3600 / 41; ++beat) {  // 30 days of heartbeats
        limiter.record(now);
        now += 41250ms;
    }
    CHECK(limiter.recorded() <= 2);
}

TEST_CASE("a URL with bytes a host or path cannot hold is refused, not passed on") {
    CHECK_FALSE(Url::parse("wss://gate]way.example/"));
    CHECK_FALSE(Url::parse(std::string("wss://gateway.example\0evil", 26)));
    CHECK_FALSE(Url::parse("wss://gateway.example/a b"));
    CHECK_FALSE(Url::parse("wss://gateway.example/\r\nHost: other"));
    CHECK_FALSE(Url::parse("wss://gateway.example/\xff"));
    CHECK_FALSE(Url::parse("wss://gateway.example:99999/"));
    CHECK_FALSE(Url::parse("wss://gateway.example:/"));
    CHECK_FALSE(Url::parse("wss://[::1x]/"));
    auto url = Url::parse("wss://gateway-us.discord.gg:8443/?v=10&encoding=json%20");
    REQUIRE(url);
    CHECK(Url::parse(url->to_string())->to_string() == url->to_string());
}

TEST_CASE("READY or RESUMED that answers nothing the session sent is reported and dropped") {
    SECTION("RESUMED before any Resume: not ready, not delivered") {
        Driver d(Driver::discord());
        d.session.start(d.now);
        d.collect();
        d.connect();
        d.server(R"({"op":0,"s":3,"t":"RESUMED","d":{}})");
        d.server(R"({"op":0,"s":3,"t":"RESUMED","d":{}})");
        CHECK(d.all<action::Deliver>().empty());
        CHECK(d.session.state() != ShardState::ready);
        CHECK(d.all<action::Report>().size() == 2);
    }
    SECTION("a second RESUMED or READY once ready") {
        Driver d(Driver::discord());
        d.start_ready();
        d.dispatch(2, "MESSAGE_CREATE");
        d.ready(1);
        d.dispatch(2, "MESSAGE_CREATE");
        d.server(R"({"op":0,"s":2,"t":"RESUMED","d":{}})");
        CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{2});
        CHECK(d.all<action::Report>().size() == 2);
    }
    SECTION("Fluxer, op 9 false: a READY in the wait before the new Identify") {
        Driver d(Driver::fluxer());
        d.start_ready();
        d.server(R"({"op":9,"d":false})");
        d.ready(1);
        CHECK(d.all<action::Deliver>().empty());
        CHECK(d.session.state() != ShardState::ready);
        d.advance(6s);
        REQUIRE(d.sent(2).size() == 1);  // the Identify still goes out, and its READY counts
        d.ready(1);
        CHECK(d.session.state() == ShardState::ready);
        CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{1});
    }
}

TEST_CASE("cleartext ws:// to a host not on loopback is refused unless allowed") {
    SECTION("the configured URL") {
        auto config = Driver::discord();
        config.url = "ws://gateway.example";
        Driver d(config);
        d.session.start(d.now);
        d.collect();
        REQUIRE(d.all<action::Finish>().size() == 1);
        CHECK(d.all<action::Finish>()[0].error == errc::insecure_url);
        CHECK(d.all<action::Connect>().empty());

        config.allow_insecure = true;
        Driver allowed(config);
        allowed.session.start(allowed.now);
        allowed.collect();
        CHECK(allowed.all<action::Connect>().size() == 1);

        config.allow_insecure = false;
        config.url = "ws://127.0.0.1:9000";
        Driver loopback(config);
        loopback.session.start(loopback.now);
        loopback.collect();
        CHECK(loopback.all<action::Connect>().size() == 1);
    }
    SECTION("a server's resume URL") {
        Driver d(Driver::discord());
        d.session.start(d.now);
        d.collect();
        d.connect();
        d.hello();
        d.ready(1, "ws://elsewhere.example");
        auto reports = d.all<action::Report>();
        REQUIRE(reports.size() == 1);
        CHECK(reports[0].error == errc::insecure_url);
        d.actions.clear();
        d.server(R"({"op":7,"d":null})");
        d.closed(4000);
        d.advance(10s);
        auto connects = d.all<action::Connect>();
        REQUIRE_FALSE(connects.empty());
        CHECK(connects[0].url.rfind("wss://gateway.example", 0) == 0);
    }
    SECTION("an http:// API URL: the token is never sent in clear") {
        GatewayInfoRequest request;
        request.api_url = "http://discord.example/api/v10";
        request.token = "secret-token";
        try {
            fetch_gateway_info(request);
            FAIL("fetched over cleartext");
        } catch (const std::system_error& e) {
            CHECK(e.code() == errc::insecure_url);
        }
    }
}

TEST_CASE("identify extra fields that are not a JSON object fail at construction") {
    auto config = Driver::discord();
    config.identify_extra_json = R"({"status":"online")";
    CHECK_THROWS_AS(Session(config), std::invalid_argument);
    config.identify_extra_json = "[1,2]";
    CHECK_THROWS_AS(Session(config), std::invalid_argument);
    config.identify_extra_json = R"({"capabilities":16381})";
    CHECK_NOTHROW(Session(config));
}

TEST_CASE("commands: not JSON is refused, and the queue is bounded in bytes") {
    Driver d(Driver::discord());
    d.session.start(d.now);
    d.collect();
    CHECK(d.session.send_command(3, R"({"status":)", d.now) == errc::invalid_command);
    // Not ready yet: commands wait, up to the byte bound.
    const std::string presence = R"({"since":null,"activities":[{"name":")" +
                                 std::string(3000, 'a') +
                                 R"(","type":0}],"status":"online","afk":false})";
    std::size_t accepted = 0;
    std::error_code last;
    for (int i = 0; i < 1000 && !last; ++i) {
        last = d.session.send_command(3, presence, d.now);
        accepted += last ? 0 : 1;
    }
    CHECK(last == errc::queue_full);
    CHECK(accepted * presence.size() <= 256 * 1024);
    CHECK(d.session.queued_commands() == accepted);
}

TEST_CASE("what a decode may allocate is bounded relative to the payload, and reported past it") {
    std::string embeds = R"({"id":"1","channel_id":"2","content":"","embeds":[)";
    for (int i = 0; i < 350000; ++i) {
        embeds += i == 0 ? "{}" : ",{}";
    }
    embeds += "]}";
    events::MessageCreate message;
    DecodeError error;
    CHECK_FALSE(decode(embeds, message, &error));
    CHECK(error.path == "embeds");
    CHECK(error.message.find("memory") != std::string::npos);

    DecodeOptions unbounded;
    unbounded.max_expansion = 0;
    events::MessageCreate whole;
    CHECK(decode(embeds, whole, nullptr, unbounded));
    CHECK(whole.embeds.size() == 350000);

    // A real payload takes a few times its size: a large guild's GUILD_CREATE
    // decodes within six times its 2.8 MB.
    std::string big =
        test::read_file(test::fixtures_dir() / "discord/serenity/guild_create_1.json");
    // (It needs 5; 4 is too little.)
    DecodeOptions tight;
    tight.max_expansion = 6;
    tight.min_budget_bytes = 0;
    events::GuildCreate guild;
    DecodeError guild_error;
    CHECK(decode(big, guild, &guild_error, tight));
    INFO(guild_error.to_string());
    tight.max_expansion = 4;
    CHECK_FALSE(decode(big, guild, &guild_error, tight));
}

}  // namespace hardening_tests
