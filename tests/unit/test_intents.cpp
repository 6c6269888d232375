// Intents by name, and the session configuration checks made when a session
// is built: intents on Fluxer, a presence the gateway cannot take, the typed
// presence and the intents in Identify.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "../support/session_driver.hpp"
#include "gatewire/core/intents.hpp"

namespace intents_tests {

using namespace gatewire;
using test::Driver;

TEST_CASE("intents carry Discord's bit numbers, with privileged and all_unprivileged") {
    CHECK(Intents::guilds.bits() == 1u);
    CHECK(Intents::guild_messages.bits() == 1u << 9);
    CHECK(Intents::message_content.bits() == 1u << 15);
    CHECK(Intents::direct_message_polls.bits() == 1u << 25);
    CHECK(Intents::privileged ==
          (Intents::guild_members | Intents::guild_presences | Intents::message_content));
    CHECK(Intents::all_unprivileged.bits() == 53575421u);  // Discord's figure, polls included
    CHECK((Intents::all_unprivileged & Intents::privileged).empty());
    CHECK((Intents::all_unprivileged | Intents::privileged) == Intents::all);
    CHECK(~Intents::privileged == Intents::all_unprivileged);
    CHECK(Intents::all.contains(Intents::guild_message_polls));
    CHECK_FALSE(Intents::guilds.contains(Intents::guilds | Intents::guild_messages));
}

TEST_CASE("intents parse from names, Discord's spelling, or a number, and print as names") {
    CHECK(parse_intents("guilds,guild_messages") == (Intents::guilds | Intents::guild_messages));
    CHECK(parse_intents("GUILDS|MESSAGE_CONTENT") == (Intents::guilds | Intents::message_content));
    CHECK(parse_intents("513") == (Intents::guilds | Intents::guild_messages));
    CHECK(parse_intents("all_unprivileged") == Intents::all_unprivileged);
    CHECK(parse_intents("none") == Intents{});
    CHECK_FALSE(parse_intents("guilds,"));
    CHECK_FALSE(parse_intents("guild_messagez"));
    CHECK_FALSE(parse_intents("131072"));  // bit 17: Discord defines none there
    CHECK_FALSE(parse_intents(""));
    CHECK(to_string(Intents::guilds | Intents::message_content) == "guilds|message_content");
    CHECK(to_string(Intents{}) == "none");
}

TEST_CASE("Identify carries the intents' bits and the typed presence") {
    SessionConfig config = Driver::discord();
    config.intents = Intents::guilds | Intents::message_content;
    config.presence.emplace();
    config.presence->status = commands::Status::dnd;
    config.presence->activities.push_back({"chess", 0, std::nullopt, std::nullopt});
    Driver d(config);
    d.session.start(d.now);
    d.connect();
    d.hello();
    REQUIRE(d.sent(2).size() == 1);
    auto identify = d.sent(2)[0]["d"];
    CHECK(identify["intents"] == (1 | 1 << 15));
    CHECK(identify["presence"]["status"] == "dnd");
    CHECK(identify["presence"]["activities"][0]["name"] == "chess");
}

TEST_CASE("a session the gateway would refuse fails when it is built, naming the field") {
    SECTION("intents on Fluxer, which has none") {
        SessionConfig config = Driver::fluxer();
        config.intents = Intents::guilds;
        try {
            Session session(config);
            FAIL("built");
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()).find("intents") != std::string::npos);
        }
        config.intents = {};
        CHECK_NOTHROW(Session(config));
    }
    SECTION("a presence field the profile's gateway does not read") {
        SessionConfig config = Driver::fluxer();
        config.presence.emplace();
        config.presence->activities.push_back({"chess", 0, std::nullopt, std::nullopt});
        CHECK_THROWS_AS(Session(config), std::invalid_argument);
        SessionConfig discord = Driver::discord();
        discord.presence.emplace();
        discord.presence->custom_status = commands::CustomStatus{"hi", {}, {}, {}};
        CHECK_THROWS_AS(Session(discord), std::invalid_argument);
    }
}

}  // namespace intents_tests
