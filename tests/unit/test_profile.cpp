#include <catch2/catch.hpp>

#include "gatewire/core/close_code.hpp"
#include "gatewire/core/profile.hpp"
#include "gatewire/core/url.hpp"

namespace profile_tests {

using namespace gatewire;

TEST_CASE("the client builds the query string from a base URL") {
    const Profile& discord = profiles::discord();
    CHECK(discord.gateway_url("wss://gateway.discord.gg", Compression::zlib_stream) ==
          "wss://gateway.discord.gg/?v=10&encoding=json&compress=zlib-stream");
    CHECK(discord.gateway_url("wss://gateway.discord.gg/?v=6&encoding=etf", Compression::none) ==
          "wss://gateway.discord.gg/?v=10&encoding=json");
    const Profile& fluxer = profiles::fluxer();
    CHECK(fluxer.gateway_url("wss://gateway.fluxer.app", Compression::zstd_stream) ==
          "wss://gateway.fluxer.app/?v=1&encoding=json&compress=zstd-stream&stream=1");
    CHECK(fluxer.gateway_url("ws://127.0.0.1:9000", Compression::none) ==
          "ws://127.0.0.1:9000/?v=1&encoding=json&compress=none");
    CHECK(discord.gateway_url("http://example.com", Compression::none).empty());
}

TEST_CASE("profiles differ in data: compression, intents, resume URL") {
    CHECK(profiles::discord().default_compression == Compression::zlib_stream);
    CHECK(profiles::fluxer().default_compression == Compression::zstd_stream);
    CHECK_FALSE(profiles::fluxer().offers(Compression::zlib_stream));
    CHECK(profiles::discord().uses_intents);
    CHECK_FALSE(profiles::fluxer().uses_intents);
    CHECK(profiles::discord().has_resume_gateway_url);
    CHECK_FALSE(profiles::fluxer().has_resume_gateway_url);
    REQUIRE(profiles::find("fluxer"));
    CHECK(profiles::find("fluxer")->name == "fluxer");
    CHECK_FALSE(profiles::find("matrix"));
}

TEST_CASE("close codes: fatal ones per profile, everything else reconnects") {
    const Profile& discord = profiles::discord();
    const Profile& fluxer = profiles::fluxer();
    for (std::uint16_t code : {4004, 4010, 4011, 4012, 4013, 4014}) {
        CHECK(discord.close_rule(code).action == CloseAction::fatal);
    }
    for (std::uint16_t code : {4004, 4010, 4011, 4012}) {
        CHECK(fluxer.close_rule(code).action == CloseAction::fatal);
    }
    CHECK(fluxer.close_rule(4013).action == CloseAction::resume);  // not Fluxer's
    for (std::uint16_t code : {1000, 1001, 4000, 4001, 4002, 4005, 4008, 4999}) {
        CHECK(discord.close_rule(code).action == CloseAction::resume);
    }
    CHECK(discord.close_rule(4003).action == CloseAction::identify);
    CHECK(discord.close_rule(4007).action == CloseAction::identify);
    CHECK(discord.close_rule(4009).action == CloseAction::identify);
    CHECK(fluxer.close_rule(4009).action == CloseAction::resume);
}

TEST_CASE("a close error names the code and its meaning") {
    auto error = make_close_error(4014);
    CHECK(error.message().find("4014") != std::string::npos);
    CHECK(error.message().find("disallowed intents") != std::string::npos);
    CHECK(make_close_error(4004).message().find("authentication failed") != std::string::npos);
}

TEST_CASE("URLs: schemes, ports, IPv6, paths") {
    auto url = Url::parse("wss://gateway.discord.gg");
    REQUIRE(url);
    CHECK(url->secure);
    CHECK(url->port == "443");
    CHECK(url->target == "/");
    url = Url::parse("ws://[::1]:8080/gw?x=1");
    REQUIRE(url);
    CHECK(url->host == "::1");
    CHECK(url->port == "8080");
    CHECK(url->target == "/gw?x=1");
    CHECK(url->to_string() == "ws://[::1]:8080/gw?x=1");
    CHECK_FALSE(Url::parse("ftp://x"));
    url = Url::parse("https://discord.com/api/v10");
    REQUIRE(url);
    CHECK(url->secure);
    CHECK(url->port == "443");
    CHECK(url->target == "/api/v10");
    CHECK(url->to_string() == "https://discord.com/api/v10");
    url = Url::parse("http://127.0.0.1:8080");
    REQUIRE(url);
    CHECK_FALSE(url->secure);
    CHECK(url->to_string() == "http://127.0.0.1:8080/");
    CHECK_FALSE(Url::parse("ws://:80"));
    CHECK_FALSE(Url::parse("ws://host:port"));
}

}  // namespace profile_tests
