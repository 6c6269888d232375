// Every event decodes into its struct with the right values: Discord events
// from real fixtures where one exists (else from the documented shape), Fluxer
// events from the seed tables. Ids above 2^53 check that no double is involved.
#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "../support/fixtures.hpp"
#include "gatewire/detail/decode_status.hpp"
#include "gatewire/detail/envelope.hpp"
#include "gatewire/dispatch/decode.hpp"

namespace events_tests {

using namespace gatewire;
using namespace gatewire::events;
using gatewire::test::fixtures_dir;
using gatewire::test::read_file;

namespace {

constexpr std::uint64_t big = 1234567890123456789ull;  // > 2^53
#define BIG "\"1234567890123456789\""

template <Event E>
E must_decode(std::string_view json) {
    E event;
    DecodeError error;
    INFO(event_traits<E>::name);
    bool ok = decode(json, event, &error);
    INFO(error.to_string());
    REQUIRE(ok);
    return event;
}

// `d` of an envelope fixture.
std::string envelope_data(const std::string& path) {
    auto doc = nlohmann::json::parse(read_file(fixtures_dir() / path));
    return doc["d"].dump();
}
std::string serenity(const std::string& name) {
    return read_file(fixtures_dir() / "discord/serenity" / name);
}

Timestamp at(const char* iso) {
    return *parse_timestamp(iso);
}

}  // namespace

// --- the model's building blocks -----------------------------------------

TEST_CASE("snowflakes come from decimal strings, above 2^53 exactly") {
    CHECK(Snowflake::parse("1234567890123456789")->value == big);
    CHECK(Snowflake::parse("18446744073709551615")->value == UINT64_MAX);
    CHECK_FALSE(Snowflake::parse("18446744073709551616"));
    CHECK_FALSE(Snowflake::parse("-1"));
    CHECK_FALSE(Snowflake::parse("12a"));
    CHECK_FALSE(Snowflake::parse(""));
    // Every length, and a bad character at every place of the eight-digit steps.
    std::string digits = "12345678901234567890";
    for (std::size_t n = 1; n <= 20; ++n) {
        std::string text = digits.substr(0, n);
        REQUIRE(Snowflake::parse(text)->value == std::stoull(text));
        for (std::size_t at = 0; at < n; ++at) {
            for (char bad : {'/', ':', ' ', '\xff', 'a'}) {
                std::string broken = text;
                broken[at] = bad;
                CHECK_FALSE(Snowflake::parse(broken));
            }
        }
    }
    static_assert(Snowflake::parse("41771983423143937")->value == 41771983423143937);
    CHECK(Snowflake{175928847299117063}.created_at().time_since_epoch().count() == 1462015105796);
    CHECK(shard_for_guild(Snowflake{41771983423143937}, 16) == (41771983423143937ull >> 22) % 16);
}

TEST_CASE("timestamps: ISO 8601 in any offset, Unix seconds and milliseconds") {
    auto t = at("2021-06-01T12:30:45.123456+00:00");
    CHECK(format_timestamp(t) == "2021-06-01T12:30:45.123456+00:00");
    CHECK(at("2021-06-01T14:30:45.123456+02:00") == t);
    CHECK(at("2021-06-01T12:30:45.123456Z") == t);
    CHECK(format_timestamp(at("2021-06-01T12:30:45")) == "2021-06-01T12:30:45.000000+00:00");
    CHECK(at("2021-06-01T12:30:45.5Z") == at("2021-06-01T12:30:45.500000Z"));
    CHECK(at("2021-06-01T12:30:45.1234569Z") == t);  // past microseconds: dropped
    CHECK_FALSE(parse_timestamp("2021-13-01T00:00:00"));
    CHECK_FALSE(parse_timestamp("2021-02-29T00:00:00"));
    CHECK_FALSE(parse_timestamp("2021-06-01T12:30:45."));
    CHECK_FALSE(parse_timestamp("2021-06-01T1:30:45Z"));
    CHECK_FALSE(parse_timestamp("2021-06-01T12:3"));
    CHECK_FALSE(parse_timestamp("yesterday"));
    CHECK(timestamp_from_unix(1492291592) == at("2017-04-15T21:26:32Z"));
    CHECK(timestamp_from_unix(1492291592123) == at("2017-04-15T21:26:32.123Z"));
}

TEST_CASE("timestamps: every day of the years the text form holds reads as the calendar says") {
    // Against std::chrono's calendar: each valid date gives the same day, and
    // the day after each month's last is refused (29 February in common years).
    using namespace std::chrono;
    for (int y : {0,    1,    4,    99,   100,  399,  400,  1582, 1899, 1900,
                  1969, 1970, 1971, 1999, 2000, 2024, 2025, 2100, 2400, 9999}) {
        for (unsigned m = 1; m <= 12; ++m) {
            const unsigned last =
                unsigned{year_month_day_last{year{y}, month_day_last{month{m}}}.day()};
            for (unsigned d = 1; d <= last + 1; ++d) {
                char text[32];
                std::snprintf(text, sizeof text, "%04d-%02u-%02uT12:34:56Z", y, m, d);
                INFO(text);
                auto parsed = parse_timestamp(text);
                if (d > last) {
                    CHECK_FALSE(parsed);
                    continue;
                }
                REQUIRE(parsed);
                const sys_days midnight{year_month_day{year{y}, month{m}, day{d}}};
                CHECK(*parsed == Timestamp{midnight + hours{12} + minutes{34} + seconds{56}});
            }
        }
    }
}

TEST_CASE("a key after d, which the envelope peek takes for part of d, fails the decode") {
    std::string message =
        R"({"op":0,"s":4,"t":"TYPING_START","d":{"channel_id":"1","user_id":"2"},"x":{}})";
    message.reserve(message.size() + message_padding);
    Envelope envelope;
    REQUIRE_FALSE(peek_envelope(message, envelope));
    RawEvent raw;
    raw.seq = 4;
    raw.name = "TYPING_START";
    raw.data_offset = static_cast<std::size_t>(envelope.data.data() - message.data());
    raw.data_size = envelope.data.size();
    raw.message = message;
    events::TypingStart event;
    DecodeError error;
    CHECK_FALSE(decode(raw, event, &error));  // reported, never a wrong struct
    CHECK(error.event == "TYPING_START");
    CHECK(error.seq == 4u);
}

TEST_CASE("strict decoding: a field of the wrong type fails the event with its path") {
    MessageCreate m;
    DecodeError error;
    DecodeOptions strict{.strict = true};
    CHECK_FALSE(decode(R"({"id":"1","channel_id":"2","mentions":[{"id":"3"},{"id":4.5}]})", m,
                       &error, strict));
    CHECK(error.event == "MESSAGE_CREATE");
    CHECK(error.path == "mentions[1].id");
    CHECK(error.message.find("snowflake") != std::string::npos);
    CHECK_FALSE(error.warning);

    CHECK_FALSE(decode(R"({"id":"1","channel_id":"2","tts":"yes"})", m, &error, strict));
    CHECK(error.path == "tts");
    CHECK(error.message == "expected a boolean, got a string");

    CHECK_FALSE(
        decode(R"({"id":"1","channel_id":"2","author":{"username":"x"}})", m, &error, strict));
    CHECK(error.path == "author.id");
    CHECK(error.message == "required field absent");

    CHECK_FALSE(decode(R"({"id":"1", "channel_id":)", m, &error));  // not JSON at all
    CHECK(error.path.empty());
    CHECK_FALSE(error.message.empty());
}

TEST_CASE("a field of the wrong type costs that field, reported with its path, never the event") {
    MessageCreate m;
    DecodeError error;
    std::vector<DecodeError> warnings;
    REQUIRE(decode(
        R"({"id":"1","channel_id":"2","tts":"yes","content":"hi","mentions":[{"id":"3"},7,{"id":"5"}],"embeds":[{"title":"t","fields":[{"name":"a","value":{}}]}]})",
        m, &error, {}, &warnings));
    CHECK(m.id == Snowflake{1});
    CHECK(m.content == "hi");
    CHECK_FALSE(m.tts);               // left empty
    REQUIRE(m.mentions.size() == 2);  // the element that was not a user is dropped
    CHECK(m.mentions[1].id == Snowflake{5});
    REQUIRE(warnings.size() == 3);
    CHECK(warnings[0].path == "tts");
    CHECK(warnings[0].warning);
    CHECK(warnings[0].event == "MESSAGE_CREATE");
    CHECK(warnings[1].path == "mentions[1]");
    CHECK(warnings[2].path == "embeds[0].fields[0].value");
}

TEST_CASE("numeric strings are read where integers are due, integers where snowflakes are") {
    MessageCreate m;
    std::vector<DecodeError> warnings;
    REQUIRE(decode(
        R"({"id":1,"channel_id":"2","type":"0","author":{"id":"3","public_flags":"0","flags":"64"}})",
        m, nullptr, {}, &warnings));
    CHECK(warnings.empty());
    CHECK(m.id == Snowflake{1});
    REQUIRE(m.author);
    CHECK(m.author->public_flags == 0u);
    CHECK(m.author->flags == 64u);
    CHECK(decode(R"({"id":"1","channel_id":"2","author":{"id":"3","public_flags":"x1"}})", m,
                 nullptr, {}, &warnings));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].path == "author.public_flags");
}

TEST_CASE("an object without its id is reported, never silently 0") {
    MessageUpdate m;
    std::vector<DecodeError> warnings;
    REQUIRE(decode(R"({"id":"1","channel_id":"2","author":{"username":"partial"}})", m, nullptr, {},
                   &warnings));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].path == "author.id");
    CHECK(warnings[0].message == "required field absent");
}

TEST_CASE("READY's user-account settings decode in Discord's shapes and in Fluxer's") {
    events::Ready discord;
    std::vector<DecodeError> warnings;
    REQUIRE(decode(
        R"({"v":10,"session_id":"s","user":{"id":"1"},"guilds":[],"user_guild_settings":{"entries":[{"guild_id":"5","muted":true}],"partial":false,"version":42},"user_settings":{"friend_source_flags":{"all":true}}})",
        discord, nullptr, {}, &warnings));
    CHECK(warnings.empty());
    REQUIRE(discord.user_guild_settings.entries.size() == 1);
    CHECK(discord.user_guild_settings.version == 42);
    REQUIRE(discord.user_settings);
    REQUIRE(discord.user_settings->friend_source_flags);
    CHECK(discord.user_settings->friend_source_flags->all == true);
    std::string again = encode_json(discord);
    CHECK(again.find(R"("user_guild_settings":{"entries":[)") != std::string::npos);
    CHECK(again.find(R"("friend_source_flags":{"all":true})") != std::string::npos);

    events::Ready fluxer;
    REQUIRE(decode(
        R"({"version":1,"session_id":"s","user":{"id":"1"},"guilds":[],"user_guild_settings":[{"guild_id":"5","muted":true}],"user_settings":{"friend_source_flags":3}})",
        fluxer, nullptr, {}, &warnings));
    CHECK(warnings.empty());
    REQUIRE(fluxer.user_guild_settings.entries.size() == 1);
    CHECK(fluxer.user_settings->friend_source_flags->flags == 3u);
    std::string back = encode_json(fluxer);
    CHECK(back.find(R"("user_guild_settings":[{)") != std::string::npos);
    CHECK(back.find(R"("friend_source_flags":3)") != std::string::npos);
}

TEST_CASE("unknown fields are ignored, at every depth") {
    auto m = must_decode<MessageCreate>(
        R"({"brand_new":{"deep":[1,2,{"x":null}]},"id":"5","channel_id":"6",
            "author":{"id":"7","future_field":true}})");
    CHECK(m.id.value == 5);
    CHECK(m.author->id.value == 7);

    // Names that share a field's length, first eight bytes and last eight
    // bytes, or all but a middle byte, are other names.
    auto member = must_decode<GuildMemberUpdate>(
        R"({"guild_id":"1","user":{"id":"2"},"roles":[],"premium_xince":"2021-06-01T00:00:00Z",
            "communication_xisabled_until":"2021-06-01T00:00:00Z"})");
    CHECK(member.premium_since.is_absent());
    CHECK(member.communication_disabled_until.is_absent());
    member = must_decode<GuildMemberUpdate>(
        R"({"guild_id":"1","user":{"id":"2"},"roles":[],"premium_since":"2021-06-01T00:00:00Z",
            "communication_disabled_until":"2021-06-01T00:00:00Z"})");
    CHECK_FALSE(member.premium_since.is_absent());
    CHECK_FALSE(member.communication_disabled_until.is_absent());
}

TEST_CASE("absent and null are told apart where the protocol does") {
    auto cleared = must_decode<GuildMemberUpdate>(
        R"({"guild_id":"1","user":{"id":"2"},"roles":[],"nick":null})");
    CHECK(cleared.nick.is_null());
    CHECK(cleared.avatar.is_absent());
    auto set = must_decode<GuildMemberUpdate>(
        R"({"guild_id":"1","user":{"id":"2"},"roles":[],"nick":"n"})");
    CHECK(*set.nick == "n");

    auto deleted =
        must_decode<MessageCreate>(R"({"id":"1","channel_id":"2","referenced_message":null})");
    CHECK(deleted.referenced_message.is_null());
    auto reply = must_decode<MessageCreate>(
        R"({"id":"1","channel_id":"2","referenced_message":{"id":"9","channel_id":"2"}})");
    REQUIRE(reply.referenced_message.has_value());
    CHECK((*reply.referenced_message)->id.value == 9);
    auto plain = must_decode<MessageCreate>(R"({"id":"1","channel_id":"2"})");
    CHECK(plain.referenced_message.is_absent());
}

TEST_CASE("enums keep values they do not name") {
    auto c = must_decode<ChannelCreate>(R"({"id":"1","type":99})");
    CHECK(static_cast<int>(c.type) == 99);
}

TEST_CASE("encoding writes the struct's own fields: secrets are redacted") {
    auto v = must_decode<VoiceServerUpdate>(R"({"token":"voice-secret","guild_id":)" BIG
                                            R"(,"endpoint":null})");
    std::string out = encode_json(v);
    CHECK(out.find("voice-secret") == std::string::npos);
    CHECK(out.find("[redacted]") != std::string::npos);
    CHECK(out.find(R"("guild_id":"1234567890123456789")") != std::string::npos);
    CHECK(out.find(R"("endpoint":null)") != std::string::npos);
    CHECK(out.find("channel_id") == std::string::npos);  // absent stays absent
    CHECK(v.token.value == "voice-secret");              // the program still has it
}

TEST_CASE("the event table: names both ways, flags, no duplicates") {
    CHECK(event_type_count > 100);
    for (const auto& info : event_infos) {
        CHECK(event_type_from_name(info.name) == info.type);
        CHECK(info.flags != 0);
    }
    CHECK_FALSE(event_type_from_name("NOT_AN_EVENT"));
    CHECK(to_string(EventType::message_create) == "MESSAGE_CREATE");
    CHECK(info(EventType::call_create).flags == event_flag::fluxer);
    CHECK(info(EventType::thread_create).flags == event_flag::discord);
    CHECK(info(EventType::ready).flags == (event_flag::discord | event_flag::fluxer));
}

TEST_CASE("every event of both seed pages is typed") {
    // 000_…: the Discord AsyncAPI message list; 002_…: Fluxer's event reference.
    const char* discord_seed[] = {"READY",
                                  "RESUMED",
                                  "CHANNEL_CREATE",
                                  "CHANNEL_UPDATE",
                                  "CHANNEL_DELETE",
                                  "CHANNEL_PINS_UPDATE",
                                  "THREAD_CREATE",
                                  "THREAD_UPDATE",
                                  "THREAD_DELETE",
                                  "THREAD_LIST_SYNC",
                                  "GUILD_CREATE",
                                  "GUILD_UPDATE",
                                  "GUILD_DELETE",
                                  "GUILD_BAN_ADD",
                                  "GUILD_BAN_REMOVE",
                                  "GUILD_EMOJIS_UPDATE",
                                  "GUILD_STICKERS_UPDATE",
                                  "GUILD_MEMBER_ADD",
                                  "GUILD_MEMBER_REMOVE",
                                  "GUILD_MEMBER_UPDATE",
                                  "GUILD_MEMBERS_CHUNK",
                                  "GUILD_ROLE_CREATE",
                                  "GUILD_ROLE_UPDATE",
                                  "GUILD_ROLE_DELETE",
                                  "GUILD_SCHEDULED_EVENT_CREATE",
                                  "GUILD_SCHEDULED_EVENT_UPDATE",
                                  "GUILD_SCHEDULED_EVENT_DELETE",
                                  "INTERACTION_CREATE",
                                  "INVITE_CREATE",
                                  "INVITE_DELETE",
                                  "MESSAGE_CREATE",
                                  "MESSAGE_UPDATE",
                                  "MESSAGE_DELETE",
                                  "MESSAGE_DELETE_BULK",
                                  "MESSAGE_REACTION_ADD",
                                  "MESSAGE_REACTION_REMOVE",
                                  "MESSAGE_REACTION_REMOVE_ALL",
                                  "PRESENCE_UPDATE",
                                  "TYPING_START",
                                  "USER_UPDATE",
                                  "VOICE_STATE_UPDATE",
                                  "VOICE_SERVER_UPDATE",
                                  "WEBHOOKS_UPDATE"};
    const char* fluxer_seed[] = {"READY",
                                 "RESUMED",
                                 "SESSIONS_REPLACE",
                                 "USER_UPDATE",
                                 "USER_PINNED_DMS_UPDATE",
                                 "USER_SETTINGS_UPDATE",
                                 "USER_GUILD_SETTINGS_UPDATE",
                                 "USER_NOTE_UPDATE",
                                 "RECENT_MENTION_DELETE",
                                 "SAVED_MESSAGE_CREATE",
                                 "SAVED_MESSAGE_DELETE",
                                 "FAVORITE_MEME_CREATE",
                                 "FAVORITE_MEME_UPDATE",
                                 "FAVORITE_MEME_DELETE",
                                 "AUTH_SESSION_CHANGE",
                                 "PRESENCE_UPDATE",
                                 "GUILD_CREATE",
                                 "GUILD_UPDATE",
                                 "GUILD_DELETE",
                                 "GUILD_MEMBER_ADD",
                                 "GUILD_MEMBER_UPDATE",
                                 "GUILD_MEMBER_REMOVE",
                                 "GUILD_ROLE_CREATE",
                                 "GUILD_ROLE_UPDATE",
                                 "GUILD_ROLE_UPDATE_BULK",
                                 "GUILD_ROLE_DELETE",
                                 "GUILD_EMOJIS_UPDATE",
                                 "GUILD_STICKERS_UPDATE",
                                 "GUILD_BAN_ADD",
                                 "GUILD_BAN_REMOVE",
                                 "CHANNEL_CREATE",
                                 "CHANNEL_UPDATE",
                                 "CHANNEL_UPDATE_BULK",
                                 "CHANNEL_DELETE",
                                 "CHANNEL_PINS_UPDATE",
                                 "CHANNEL_PINS_ACK",
                                 "CHANNEL_RECIPIENT_ADD",
                                 "CHANNEL_RECIPIENT_REMOVE",
                                 "MESSAGE_CREATE",
                                 "MESSAGE_UPDATE",
                                 "MESSAGE_DELETE",
                                 "MESSAGE_DELETE_BULK",
                                 "MESSAGE_REACTION_ADD",
                                 "MESSAGE_REACTION_REMOVE",
                                 "MESSAGE_REACTION_REMOVE_ALL",
                                 "MESSAGE_REACTION_REMOVE_EMOJI",
                                 "MESSAGE_ACK",
                                 "TYPING_START",
                                 "WEBHOOKS_UPDATE",
                                 "INVITE_CREATE",
                                 "INVITE_DELETE",
                                 "RELATIONSHIP_ADD",
                                 "RELATIONSHIP_UPDATE",
                                 "RELATIONSHIP_REMOVE",
                                 "VOICE_STATE_UPDATE",
                                 "VOICE_SERVER_UPDATE",
                                 "CALL_CREATE",
                                 "CALL_UPDATE",
                                 "CALL_DELETE"};
    for (const char* name : discord_seed) {
        INFO(name);
        auto type = event_type_from_name(name);
        REQUIRE(type);
        CHECK((info(*type).flags & event_flag::discord) != 0);
    }
    for (const char* name : fluxer_seed) {
        INFO(name);
        auto type = event_type_from_name(name);
        REQUIRE(type);
        CHECK((info(*type).flags & event_flag::fluxer) != 0);
    }
}

TEST_CASE("every event payload in the fixtures decodes") {
    int decoded = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(fixtures_dir() / "discord/disgord-session")) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        auto doc = nlohmann::json::parse(read_file(entry.path()));
        if (doc["op"] != 0) {
            continue;
        }
        auto type = event_type_from_name(doc["t"].get<std::string>());
        REQUIRE(type);
        std::string out;
        DecodeError error;
        INFO(entry.path().filename().string() << ": " << error.to_string());
        CHECK(decode_to_json(*type, doc["d"].dump(), out, &error));
        ++decoded;
    }
    for (const auto& entry :
         std::filesystem::directory_iterator(fixtures_dir() / "discord/serenity")) {
        std::string stem = entry.path().stem().string();
        std::string name;
        for (char c : stem.substr(0, stem.find_last_of('_'))) {
            name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        auto type = event_type_from_name(name);
        if (!type) {
            continue;  // an object, not an event (activity_1.json…)
        }
        std::string out;
        DecodeError error;
        bool ok = decode_to_json(*type, read_file(entry.path()), out, &error);
        INFO(stem << ": " << error.to_string());
        CHECK(ok);
        ++decoded;
    }
    CHECK(decoded >= 55);
}

// --- session events ----------------------------------------------------------

TEST_CASE("READY (Discord, a real recorded session)") {
    auto r = must_decode<Ready>(envelope_data("discord/disgord-session/1_0_READY.json"));
    CHECK(r.v == 6);
    CHECK(r.session_id == "77ff1762f099d426bc4fbb6837ab7b82");
    CHECK(r.user.bot == true);
    CHECK(r.user.id.value == 4868322111192069632);  // above 2^53
    CHECK_FALSE(r.guilds.empty());
    CHECK(r.guilds[0].unavailable == true);
}

TEST_CASE("READY (Discord, v6 with user settings)") {
    auto r = must_decode<Ready>(serenity("ready_1.json"));
    CHECK(r.v == 6);
    CHECK(r.session_id == "f97bdc3210d0da33a3c61d8363e68579");
    CHECK(r.user.username == "Ein");
    CHECK(r.user.mfa_enabled == true);
    CHECK_FALSE(r.user.email.has_value());  // null
    CHECK(r.user_settings.has_value());
}

TEST_CASE("READY (Fluxer user session)") {
    auto r = must_decode<Ready>(R"({
        "version":1,"session_id":"s1",
        "user":{"id":)" BIG R"(,"username":"ann","discriminator":"0001","global_name":null,
                "avatar":null,"avatar_color":null,"flags":0,"is_staff":false,"acls":[],
                "traits":["x"],"email":"a@b.c","verified":true,"mfa_enabled":false,
                "premium_type":null,"nsfw_allowed":true},
        "guilds":[{"id":"10","name":"g","icon":null,"owner_id":"11","member_count":3,"lazy":true,
                   "joined_at":"2024-01-02T03:04:05Z"}],
        "relationships":[{"id":"20","type":1,"since":"2024-01-01T00:00:00Z","nickname":null}],
        "users":[{"id":"20","username":"bob","discriminator":"0002","global_name":"Bob","avatar":null,"avatar_color":null,"flags":0}],
        "presences":[{"user":{"id":"20"},"status":"idle","mobile":true,"afk":false,"custom_status":{"text":"hi","emoji_animated":false}}],
        "sessions":[{"session_id":"all","status":"online","mobile":false,"afk":false}],
        "read_states":[{"id":"30","mention_count":2,"last_message_id":"31"}],
        "notes":{"20":"met at conf"},
        "country_code":"DE","pinned_dms":["40","41"],
        "favorite_memes":[],"auth_session_id_hash":"h"})");
    CHECK(r.version == 1);
    CHECK(r.user.id.value == big);
    CHECK(r.user.traits == std::vector<std::string>{"x"});
    CHECK(r.guilds[0].lazy == true);
    CHECK(r.guilds[0].joined_at == at("2024-01-02T03:04:05Z"));
    CHECK(r.relationships[0].type == RelationshipType::friend_);
    CHECK(r.relationships[0].nickname.is_null());
    CHECK(r.users[0].global_name == "Bob");
    CHECK(r.presences[0].mobile == true);
    CHECK(r.presences[0].custom_status->text == "hi");
    CHECK(r.sessions[0].session_id == "all");
    CHECK(r.read_states[0].mention_count == 2);
    CHECK(r.notes.at(Snowflake{20}) == "met at conf");
    CHECK(r.pinned_dms.size() == 2);
    CHECK(r.country_code == "DE");
}

TEST_CASE("RESUMED: null, empty or with a trace") {
    must_decode<Resumed>("null");
    must_decode<Resumed>(R"({"_trace":["gateway-prd"]})");
}

TEST_CASE("SESSIONS_REPLACE is a bare array") {
    auto s = must_decode<SessionsReplace>(
        R"([{"session_id":"all","status":"dnd","mobile":false,"afk":false},{"session_id":"a1","status":"dnd","mobile":true,"afk":true}])");
    REQUIRE(s.sessions.size() == 2);
    CHECK(s.sessions[1].mobile == true);
    CHECK(s.sessions[0].status == "dnd");
}

TEST_CASE("RATE_LIMITED") {
    auto r = must_decode<RateLimited>(
        R"({"opcode":8,"retry_after":2.5,"meta":{"guild_id":"1","nonce":"n"}})");
    CHECK(r.opcode == 8);
    CHECK(r.retry_after == 2.5);
    CHECK(nlohmann::json::parse(r.meta.text)["nonce"] == "n");
}

// --- user events -------------------------------------------------------------

TEST_CASE("USER_UPDATE") {
    auto u = must_decode<UserUpdate>(
        R"({"id":)" BIG
        R"(,"username":"ann","discriminator":"0","global_name":"Ann","avatar":"abc","bot":false,"flags":64,"premium_type":2,"bio":"hi"})");
    CHECK(u.id.value == big);
    CHECK(u.global_name == "Ann");
    CHECK(u.premium_type == PremiumType::nitro);
    CHECK(u.bio == "hi");
}

TEST_CASE("USER_PINNED_DMS_UPDATE is a bare array") {
    auto p = must_decode<UserPinnedDmsUpdate>(R"(["1",)" BIG R"(])");
    REQUIRE(p.channel_ids.size() == 2);
    CHECK(p.channel_ids[1].value == big);
}

TEST_CASE("USER_SETTINGS_UPDATE") {
    auto s = must_decode<UserSettingsUpdate>(
        R"({"status":"idle","theme":"dark","locale":"en-US","restricted_guilds":["5"],"developer_mode":true,"custom_status":null,"guild_folders":[{"id":1,"guild_ids":["5"]}],"afk_timeout":600})");
    CHECK(s.status == "idle");
    CHECK(s.restricted_guilds[0].value == 5);
    CHECK(s.custom_status.is_null());
    CHECK(s.developer_mode == true);
    CHECK(s.afk_timeout == 600);
    CHECK_FALSE(s.guild_folders.empty());
}

TEST_CASE("USER_GUILD_SETTINGS_UPDATE") {
    auto s = must_decode<UserGuildSettingsUpdate>(
        R"({"guild_id":null,"message_notifications":1,"muted":true,"mute_config":null,"mobile_push":false,"suppress_everyone":true,"suppress_roles":false,"hide_muted_channels":false,"channel_overrides":null,"version":7})");
    CHECK(s.guild_id.is_null());
    CHECK(s.muted == true);
    CHECK(s.version == 7);
}

TEST_CASE("USER_NOTE_UPDATE") {
    auto n = must_decode<UserNoteUpdate>(R"({"id":)" BIG R"(,"note":"likes cats"})");
    CHECK(n.id.value == big);
    CHECK(n.note == "likes cats");
}

TEST_CASE("RECENT_MENTION_DELETE, SAVED_MESSAGE_DELETE, FAVORITE_MEME_DELETE") {
    CHECK(must_decode<RecentMentionDelete>(R"({"message_id":)" BIG "}").message_id.value == big);
    CHECK(must_decode<SavedMessageDelete>(R"({"message_id":"7"})").message_id.value == 7);
    CHECK(must_decode<FavoriteMemeDelete>(R"({"meme_id":"8"})").meme_id.value == 8);
}

TEST_CASE("SAVED_MESSAGE_CREATE") {
    auto m = must_decode<SavedMessageCreate>(
        R"({"id":"1","channel_id":"2","author":{"id":"3","username":"u","discriminator":"0","global_name":null,"avatar":null,"avatar_color":null,"flags":0},"type":0,"flags":0,"content":"keep","timestamp":"2024-05-05T05:05:05Z","pinned":false,"mention_everyone":false,"tts":false,"mentions":[],"mention_roles":[]})");
    CHECK(m.content == "keep");
    CHECK(m.author->username == "u");
}

TEST_CASE("FAVORITE_MEME_CREATE and FAVORITE_MEME_UPDATE") {
    const char* meme =
        R"({"id":"1","user_id":"2","name":"cat","alt_text":null,"tags":["a","b"],"attachment_id":"3","filename":"cat.gif","content_type":"image/gif","size":1234,"width":10,"height":null,"url":"https://x/cat.gif","is_gifv":true})";
    auto c = must_decode<FavoriteMemeCreate>(meme);
    CHECK(c.name == "cat");
    CHECK(c.tags.size() == 2);
    CHECK(c.alt_text.is_null());
    CHECK(*c.width == 10);
    CHECK(c.height.is_null());
    CHECK(c.size == 1234);
    auto u = must_decode<FavoriteMemeUpdate>(meme);
    CHECK(u.is_gifv == true);
}

TEST_CASE("AUTH_SESSION_CHANGE keeps the new token but never prints it") {
    auto a = must_decode<AuthSessionChange>(
        R"({"old_auth_session_id_hash":"o","new_auth_session_id_hash":"n","new_token":"tok-123"})");
    CHECK(a.new_token.value == "tok-123");
    CHECK(encode_json(a).find("tok-123") == std::string::npos);
}

TEST_CASE("RELATIONSHIP_ADD, RELATIONSHIP_UPDATE, RELATIONSHIP_REMOVE") {
    auto add = must_decode<RelationshipAdd>(
        R"({"id":"5","type":3,"user":{"id":"5","username":"req"},"since":"2024-01-01T00:00:00Z","nickname":null,"share_voice_activity":false,"friend_shares_voice_activity":false})");
    CHECK(add.type == RelationshipType::incoming);
    CHECK(add.user->username == "req");
    auto update = must_decode<RelationshipUpdate>(R"({"id":"5","type":1,"nickname":"pal"})");
    CHECK(*update.nickname == "pal");
    auto remove = must_decode<RelationshipRemove>(R"({"id":)" BIG "}");
    CHECK(remove.id.value == big);
}

TEST_CASE("PRESENCE_UPDATE (Discord, real) and (Fluxer)") {
    auto d = must_decode<PresenceUpdate>(
        envelope_data("discord/disgord-session/15_0_PRESENCE_UPDATE.json"));
    CHECK(d.status == "online");
    CHECK(d.client_status->desktop == "online");
    CHECK(d.guild_id->value == 244200618854580224);
    auto f = must_decode<PresenceUpdate>(
        R"({"user":{"id":"9"},"status":"dnd","mobile":false,"afk":true,"custom_status":{"text":"busy","expires_at":"2030-01-01T00:00:00Z","emoji_name":"x","emoji_animated":false}})");
    CHECK(f.afk == true);
    CHECK(f.custom_status->expires_at == at("2030-01-01T00:00:00Z"));
    auto with_activity = must_decode<PresenceUpdate>(
        R"({"user":{"id":"9"},"status":"online","activities":[{"name":"Game","type":0,"created_at":1700000000000,"timestamps":{"start":1700000000000},"emoji":null}]})");
    CHECK(with_activity.activities[0].created_at == timestamp_from_unix(1700000000000));
    CHECK(with_activity.activities[0].emoji.is_null());
}

TEST_CASE("PRESENCE_UPDATE_BULK, PASSIVE_UPDATES and the other unpublished Fluxer shapes keep d") {
    auto bulk = must_decode<PresenceUpdateBulk>(R"({"presences":[{"user":{"id":"1"}}]})");
    CHECK(nlohmann::json::parse(bulk.payload.text)["presences"][0]["user"]["id"] == "1");
    CHECK(must_decode<PassiveUpdates>(R"({"guild_id":"1","channels":[]})").payload.text ==
          R"({"guild_id":"1","channels":[]})");
    CHECK(must_decode<GuildSync>(R"({"id":"1"})").payload.text == R"({"id":"1"})");
    CHECK(must_decode<UserConnectionsUpdate>("{}").payload.text == "{}");
    CHECK(must_decode<WebauthnCredentialsUpdate>("[]").payload.text == "[]");
    CHECK(!must_decode<GuildMemberListUpdate>(R"({"ops":[]})").payload.empty());
    CHECK(!must_decode<MessageReactionAddMany>(R"({"reactions":[]})").payload.empty());
    CHECK(!must_decode<VoiceStateAck>(R"({"version":3})").payload.empty());
    CHECK(!must_decode<EntranceSoundPlay>(R"({"sound_id":"1"})").payload.empty());
    CHECK(!must_decode<GuildCountsUpdate>(R"({"guilds":[]})").payload.empty());
    CHECK(!must_decode<ChannelMemberCountsUpdate>(R"({"counts":{}})").payload.empty());
}

// --- guild events ------------------------------------------------------------

TEST_CASE("GUILD_CREATE (Discord, the real 2.8 MB guild)") {
    auto g = must_decode<GuildCreate>(serenity("guild_create_1.json"));
    CHECK(g.name == "Discord API");
    CHECK(g.members.size() == 9593);
    CHECK(g.presences.size() == 8834);
    CHECK(g.channels.size() == 53);
    CHECK(g.members[0].user->username == "Dadragon6");
    CHECK(g.members[0].joined_at == at("2017-01-28T04:13:49.965000+00:00"));
    CHECK(g.roles[0].name == "Contributor Bots");
    CHECK(g.verification_level == 3);
}

TEST_CASE("GUILD_CREATE (Fluxer: the guild nested under properties)") {
    auto g = must_decode<GuildCreate>(
        R"({
        "id":)" BIG R"(,
        "properties":{"id":)" BIG
        R"(,"name":"Fluxer HQ","icon":null,"owner_id":"2","splash_card_alignment":0,
            "system_channel_flags":0,"afk_timeout":300,"features":["BANNER"],"verification_level":1,
            "mfa_level":0,"nsfw_level":0,"nsfw":false,"content_warning_level":0,
            "explicit_content_filter":0,"default_message_notifications":0,"disabled_operations":0,
            "banner_width":960},
        "roles":[{"id":"3","name":"@everyone","color":0,"position":0,"permissions":"104324673","hoist":false,"mentionable":false}],
        "channels":[{"id":"4","type":0,"name":"general","guild_id":)" BIG R"(}],
        "members":[{"user":{"id":"2"},"roles":[],"joined_at":"2024-01-01T00:00:00Z","mute":false,"deaf":false}],
        "presences":[],"voice_states":[],"joined_at":"2024-01-01T00:00:00Z","member_count":1,"online_count":1})");
    CHECK(g.id.value == big);
    CHECK(g.name == "Fluxer HQ");
    CHECK(g.owner_id->value == 2);
    CHECK(g.features == std::vector<std::string>{"BANNER"});
    CHECK(g.banner_width == 960);
    CHECK(g.roles[0].permissions.bits == 104324673);
    CHECK(g.channels[0].name == "general");
    CHECK(g.online_count == 1);
    CHECK(g.icon.is_null());
}

TEST_CASE("GUILD_UPDATE and GUILD_DELETE") {
    auto u = must_decode<GuildUpdate>(serenity("guild_update_1.json"));
    CHECK(u.id.value != 0);
    CHECK(u.name.has_value());
    auto d = must_decode<GuildDelete>(serenity("guild_delete_1.json"));
    CHECK(d.id.value != 0);
    auto outage = must_decode<GuildDelete>(R"({"id":)" BIG R"(,"unavailable":true})");
    CHECK(outage.unavailable == true);
    CHECK(outage.id.value == big);
}

TEST_CASE("GUILD_AUDIT_LOG_ENTRY_CREATE") {
    auto e = must_decode<GuildAuditLogEntryCreate>(
        R"({"id":"1","guild_id":"2","target_id":"3","user_id":"4","action_type":22,"changes":[{"key":"nick","old_value":"a"}],"reason":"spam"})");
    CHECK(e.action_type == 22);
    CHECK(*e.target_id == "3");
    CHECK(e.reason == "spam");
    CHECK(nlohmann::json::parse(e.changes.text)[0]["key"] == "nick");
}

TEST_CASE("GUILD_BAN_ADD and GUILD_BAN_REMOVE (real)") {
    auto add = must_decode<GuildBanAdd>(serenity("guild_ban_add_1.json"));
    CHECK(add.guild_id->value == 244567637332328449);
    CHECK(add.user.username == "Oguri Cap");
    CHECK(add.user.bot == true);
    auto remove = must_decode<GuildBanRemove>(serenity("guild_ban_remove_1.json"));
    CHECK(remove.user.id.value != 0);
}

TEST_CASE("GUILD_EMOJIS_UPDATE (real) and GUILD_STICKERS_UPDATE (both tag shapes)") {
    auto e = must_decode<GuildEmojisUpdate>(serenity("guild_emojis_update_1.json"));
    CHECK(e.guild_id.has_value());
    CHECK_FALSE(e.emojis.empty());
    auto d = must_decode<GuildStickersUpdate>(
        R"({"guild_id":"1","stickers":[{"id":"2","name":"wave","tags":"hand, hello","type":2,"format_type":1}]})");
    CHECK(d.stickers[0].tags.items == std::vector<std::string>{"hand", "hello"});
    auto f = must_decode<GuildStickersUpdate>(
        R"({"stickers":[{"id":"2","name":"wave","description":"","tags":["hand","hello"],"animated":false,"nsfw":false}]})");
    CHECK(f.stickers[0].tags.items == std::vector<std::string>{"hand", "hello"});
}

TEST_CASE("GUILD_INTEGRATIONS_UPDATE") {
    CHECK(must_decode<GuildIntegrationsUpdate>(R"({"guild_id":)" BIG "}").guild_id.value == big);
}

TEST_CASE("GUILD_MEMBER_ADD, GUILD_MEMBER_UPDATE, GUILD_MEMBER_REMOVE (real)") {
    auto add = must_decode<GuildMemberAdd>(serenity("guild_member_add_1.json"));
    CHECK(add.user->id.value != 0);
    CHECK(add.guild_id.has_value());
    auto update = must_decode<GuildMemberUpdate>(serenity("guild_member_update_1.json"));
    CHECK(update.user.has_value());
    auto remove = must_decode<GuildMemberRemove>(serenity("guild_member_remove_1.json"));
    CHECK(remove.user.id.value != 0);
    auto timed_out = must_decode<GuildMemberUpdate>(
        R"({"guild_id":"1","user":{"id":"2"},"roles":["3"],"communication_disabled_until":"2030-01-01T00:00:00Z"})");
    CHECK(*timed_out.communication_disabled_until == at("2030-01-01T00:00:00Z"));
}

TEST_CASE("GUILD_MEMBERS_CHUNK") {
    auto c = must_decode<GuildMembersChunk>(
        R"({"guild_id":"1","members":[{"user":{"id":"2","username":"a"},"roles":[],"joined_at":"2020-01-01T00:00:00Z"}],"chunk_index":1,"chunk_count":3,"not_found":[)" BIG
        R"(],"presences":[{"user":{"id":"2"},"status":"online"}],"nonce":"req-7"})");
    CHECK(c.chunk_index == 1);
    CHECK(c.chunk_count == 3);
    CHECK(c.not_found[0].value == big);
    CHECK(c.nonce == "req-7");
    CHECK(c.presences[0].status == "online");
}

TEST_CASE(
    "GUILD_ROLE_CREATE, GUILD_ROLE_UPDATE, GUILD_ROLE_DELETE (real), GUILD_ROLE_UPDATE_BULK") {
    auto create = must_decode<GuildRoleCreate>(serenity("guild_role_create_1.json"));
    CHECK(create.role.id.value != 0);
    auto update = must_decode<GuildRoleUpdate>(serenity("guild_role_update_1.json"));
    CHECK(update.guild_id.has_value());
    auto remove = must_decode<GuildRoleDelete>(serenity("guild_role_delete_1.json"));
    CHECK(remove.role_id.value == 302929192750940160);
    auto bulk = must_decode<GuildRoleUpdateBulk>(
        R"({"roles":[{"id":"1","name":"a","color":255,"position":2,"hoist_position":1,"permissions":"8","hoist":true,"mentionable":false}]})");
    CHECK(bulk.roles[0].permissions.contains(permission::administrator));
    CHECK(bulk.roles[0].hoist_position == 1);
}

TEST_CASE("GUILD_SCHEDULED_EVENT_CREATE, _UPDATE, _DELETE, _USER_ADD, _USER_REMOVE") {
    const char* event =
        R"({"id":"1","guild_id":"2","channel_id":null,"creator_id":"3","name":"Meetup","description":null,"scheduled_start_time":"2030-05-01T18:00:00+00:00","scheduled_end_time":"2030-05-01T20:00:00+00:00","privacy_level":2,"status":1,"entity_type":3,"entity_id":null,"entity_metadata":{"location":"Berlin"},"user_count":12})";
    auto c = must_decode<GuildScheduledEventCreate>(event);
    CHECK(c.name == "Meetup");
    CHECK(c.channel_id.is_null());
    CHECK(c.entity_metadata->location == "Berlin");
    CHECK(*c.scheduled_end_time == at("2030-05-01T20:00:00Z"));
    CHECK(must_decode<GuildScheduledEventUpdate>(event).status == 1);
    CHECK(must_decode<GuildScheduledEventDelete>(event).user_count == 12);
    const char* user = R"({"guild_scheduled_event_id":"1","user_id":)" BIG R"(,"guild_id":"2"})";
    CHECK(must_decode<GuildScheduledEventUserAdd>(user).user_id.value == big);
    CHECK(must_decode<GuildScheduledEventUserRemove>(user).guild_scheduled_event_id.value == 1);
}

TEST_CASE("soundboard events") {
    const char* sound =
        R"({"name":"quack","sound_id":"1","volume":0.5,"emoji_id":null,"emoji_name":"🦆","guild_id":"2","available":true})";
    CHECK(must_decode<GuildSoundboardSoundCreate>(sound).volume == 0.5);
    CHECK(must_decode<GuildSoundboardSoundUpdate>(sound).name == "quack");
    CHECK(must_decode<GuildSoundboardSoundDelete>(R"({"sound_id":"1","guild_id":"2"})")
              .sound_id.value == 1);
    std::string list = std::string(R"({"guild_id":"2","soundboard_sounds":[)") + sound + "]}";
    CHECK(must_decode<GuildSoundboardSoundsUpdate>(list).soundboard_sounds.size() == 1);
    CHECK(must_decode<SoundboardSounds>(list).guild_id.value == 2);
}

TEST_CASE("INTEGRATION_CREATE, _UPDATE, _DELETE") {
    const char* integration =
        R"({"id":"1","name":"Twitch","type":"twitch","enabled":true,"account":{"id":"abc","name":"chan"},"guild_id":"2","scopes":["bot"]})";
    auto c = must_decode<IntegrationCreate>(integration);
    CHECK(c.account->id == "abc");
    CHECK(c.scopes[0] == "bot");
    CHECK(must_decode<IntegrationUpdate>(integration).type == "twitch");
    auto d = must_decode<IntegrationDelete>(R"({"id":"1","guild_id":"2","application_id":"3"})");
    CHECK(d.application_id->value == 3);
}

TEST_CASE("INVITE_CREATE and INVITE_DELETE") {
    auto c = must_decode<InviteCreate>(
        R"({"channel_id":"1","code":"abc","created_at":"2024-01-01T00:00:00Z","guild_id":"2","inviter":{"id":"3"},"max_age":3600,"max_uses":0,"temporary":false,"uses":0})");
    CHECK(c.code == "abc");
    CHECK(c.max_age == 3600);
    CHECK(c.inviter->id.value == 3);
    must_decode<InviteCreate>("{}");  // Fluxer: "the payload structure varies"
    auto d = must_decode<InviteDelete>(R"({"channel_id":"1","guild_id":"2","code":"abc"})");
    CHECK(d.code == "abc");
}

TEST_CASE("WEBHOOKS_UPDATE (real)") {
    auto w = must_decode<WebhooksUpdate>(serenity("webhooks_update_1.json"));
    CHECK(w.channel_id.value == 244567637332328449);
    CHECK(w.guild_id->value == 244567637332328449);
}

// --- channel events ----------------------------------------------------------

TEST_CASE("CHANNEL_CREATE, CHANNEL_UPDATE, CHANNEL_DELETE (real)") {
    auto c = must_decode<ChannelCreate>(serenity("channel_create_1.json"));
    CHECK(c.id.value != 0);
    auto u = must_decode<ChannelUpdate>(serenity("channel_update_1.json"));
    CHECK(u.name.has_value());
    auto d = must_decode<ChannelDelete>(serenity("channel_delete_1.json"));
    CHECK(d.id.value != 0);
    auto overwrites = must_decode<ChannelUpdate>(
        R"({"id":"1","type":0,"permission_overwrites":[{"id":"2","type":"member","allow":"1024","deny":0},{"id":"3","type":0,"allow":"0","deny":"2048"}]})");
    CHECK(overwrites.permission_overwrites[0].type == OverwriteType::member);
    CHECK(overwrites.permission_overwrites[0].allow.bits == 1024);
    CHECK(overwrites.permission_overwrites[1].deny.contains(permission::send_messages));
}

TEST_CASE("CHANNEL_UPDATE_BULK") {
    auto b = must_decode<ChannelUpdateBulk>(
        R"({"channels":[{"id":"1","type":0,"position":3},{"id":"2","type":4,"position":0}]})");
    CHECK(b.channels[0].position == 3);
    CHECK(b.channels[1].type == ChannelType::guild_category);
}

TEST_CASE("CHANNEL_PINS_UPDATE (real), CHANNEL_PINS_ACK") {
    auto p = must_decode<ChannelPinsUpdate>(serenity("channel_pins_update_1.json"));
    CHECK(*p.last_pin_timestamp == at("2017-04-15T21:34:36.376809+00:00"));
    auto none = must_decode<ChannelPinsUpdate>(R"({"channel_id":"1","last_pin_timestamp":null})");
    CHECK(none.last_pin_timestamp.is_null());
    auto ack =
        must_decode<ChannelPinsAck>(R"({"channel_id":"1","timestamp":"2024-02-02T02:02:02Z"})");
    CHECK(ack.timestamp == at("2024-02-02T02:02:02Z"));
}

TEST_CASE("CHANNEL_RECIPIENT_ADD and CHANNEL_RECIPIENT_REMOVE") {
    const char* r = R"({"channel_id":"1","user":{"id":)" BIG R"(,"username":"x"}})";
    CHECK(must_decode<ChannelRecipientAdd>(r).user.id.value == big);
    CHECK(must_decode<ChannelRecipientRemove>(r).channel_id.value == 1);
}

TEST_CASE("CHANNEL_INFO, VOICE_CHANNEL_STATUS_UPDATE, VOICE_CHANNEL_START_TIME_UPDATE") {
    auto info = must_decode<ChannelInfo>(
        R"({"guild_id":"1","channels":[{"id":"2","status":"jamming","voice_start_time":1700000000}]})");
    CHECK(*info.channels[0].status == "jamming");
    CHECK(*info.channels[0].voice_start_time == timestamp_from_unix(1700000000));
    auto status =
        must_decode<VoiceChannelStatusUpdate>(R"({"id":"2","guild_id":"1","status":null})");
    CHECK(status.status.is_null());
    auto start = must_decode<VoiceChannelStartTimeUpdate>(
        R"({"id":"2","guild_id":"1","voice_start_time":1700000000})");
    CHECK(start.voice_start_time.has_value());
}

TEST_CASE("THREAD_CREATE, _UPDATE, _DELETE, _LIST_SYNC, _MEMBER_UPDATE, _MEMBERS_UPDATE") {
    const char* thread =
        R"({"id":"10","guild_id":"1","parent_id":"2","owner_id":"3","type":11,"name":"t","message_count":4,"member_count":2,"thread_metadata":{"archived":false,"auto_archive_duration":1440,"archive_timestamp":"2024-01-01T00:00:00Z","locked":false},"newly_created":true})";
    auto c = must_decode<ThreadCreate>(thread);
    CHECK(c.type == ChannelType::public_thread);
    CHECK(c.newly_created == true);
    CHECK(c.thread_metadata->auto_archive_duration == 1440);
    CHECK(must_decode<ThreadUpdate>(thread).message_count == 4);
    auto d = must_decode<ThreadDelete>(R"({"id":"10","guild_id":"1","parent_id":"2","type":11})");
    CHECK(*d.parent_id == Snowflake{2});
    auto sync = must_decode<ThreadListSync>(
        std::string(R"({"guild_id":"1","channel_ids":["2"],"threads":[)") + thread +
        R"(],"members":[{"id":"10","user_id":"3","join_timestamp":"2024-01-01T00:00:00Z","flags":0}]})");
    CHECK(sync.threads.size() == 1);
    CHECK(sync.members[0].user_id->value == 3);
    auto member = must_decode<ThreadMemberUpdate>(
        R"({"id":"10","user_id":"3","join_timestamp":"2024-01-01T00:00:00Z","flags":1,"guild_id":"1"})");
    CHECK(member.flags == 1);
    CHECK(member.guild_id->value == 1);
    auto members = must_decode<ThreadMembersUpdate>(
        R"({"id":"10","guild_id":"1","member_count":3,"added_members":[{"user_id":"4","join_timestamp":"2024-01-01T00:00:00Z","flags":0}],"removed_member_ids":[)" BIG
        R"(]})");
    CHECK(members.member_count == 3);
    CHECK(members.removed_member_ids[0].value == big);
}

// --- message events ----------------------------------------------------------

TEST_CASE("MESSAGE_CREATE (real v8 with member and nonce)") {
    auto m = must_decode<MessageCreate>(
        envelope_data("discord/disgord-session/13_0_MESSAGE_CREATE.json"));
    CHECK(m.content == "test");
    CHECK(m.id.value == 530091781174329356);
    CHECK(m.nonce->text == "530091780440326144");
    CHECK(m.member->roles.size() == 3);
    CHECK(m.edited_timestamp.is_null());
    CHECK(m.timestamp == at("2019-01-02T18:35:29.261000+00:00"));
}

TEST_CASE("MESSAGE_CREATE with embeds, attachments, reactions, stickers, mentions, reference") {
    auto m = must_decode<MessageCreate>(R"({
        "id":)" BIG R"(,"channel_id":"2","guild_id":"3","type":19,"channel_type":0,
        "author":{"id":"4","username":"a"},"content":"hi <@5>","nonce":12345,
        "mentions":[{"id":"5","username":"b","member":{"roles":[],"nick":"bee"}}],
        "attachments":[{"id":"6","filename":"a.png","size":100,"url":"u","width":10,"height":20,"content_type":"image/png"}],
        "embeds":[{"title":"T","color":16711680,"timestamp":"2024-01-01T00:00:00Z","footer":{"text":"f"},
                   "fields":[{"name":"n","value":"v","inline":true}],"author":{"name":"au"},
                   "image":{"url":"i","width":1,"height":2}}],
        "reactions":[{"count":2,"me":true,"emoji":{"id":null,"name":"👍"},"count_details":{"burst":0,"normal":2}}],
        "sticker_items":[{"id":"7","name":"s","format_type":1}],
        "message_reference":{"message_id":"8","channel_id":"2","guild_id":"3"},
        "components":[{"type":1,"components":[]}]})");
    CHECK(m.id.value == big);
    CHECK(m.type == MessageType::reply);
    CHECK(m.nonce->text == "12345");
    CHECK(m.mentions[0].member->nick.value() == "bee");
    CHECK(m.attachments[0].size == 100);
    CHECK(m.embeds[0].color == 16711680);
    CHECK(m.embeds[0].fields[0].inline_ == true);
    CHECK(m.embeds[0].footer->text == "f");
    CHECK(m.reactions[0].emoji.name == "👍");
    CHECK_FALSE(m.reactions[0].emoji.id.has_value());
    CHECK(m.sticker_items[0].name == "s");
    CHECK(m.message_reference->message_id->value == 8);
    CHECK(m.channel_type == ChannelType::guild_text);
    CHECK_FALSE(m.components.empty());
}

TEST_CASE("MESSAGE_UPDATE (real), MESSAGE_DELETE, MESSAGE_DELETE_BULK") {
    auto u = must_decode<MessageUpdate>(serenity("message_update_1.json"));
    CHECK(u.id.value != 0);
    auto d = must_decode<MessageDelete>(
        R"({"id":"1","channel_id":"2","content":"gone","author_id":)" BIG R"(})");
    CHECK(d.content == "gone");
    CHECK(d.author_id->value == big);
    auto bulk = must_decode<MessageDeleteBulk>(R"({"ids":["1","2",)" BIG
                                               R"(],"channel_id":"3","guild_id":"4"})");
    CHECK(bulk.ids.size() == 3);
    CHECK(bulk.ids[2].value == big);
}

TEST_CASE("MESSAGE_REACTION_ADD (real), _REMOVE (real), _REMOVE_ALL (real), _REMOVE_EMOJI") {
    auto add = must_decode<MessageReactionAdd>(serenity("message_reaction_add_1.json"));
    CHECK(add.emoji.name == "AkaShrug");
    CHECK(add.emoji.id->value == 238039508006862848);
    CHECK(add.user_id.value == 114941315417899012);
    auto remove = must_decode<MessageReactionRemove>(serenity("message_reaction_remove_1.json"));
    CHECK(remove.message_id.value != 0);
    auto all =
        must_decode<MessageReactionRemoveAll>(serenity("message_reaction_remove_all_1.json"));
    CHECK(all.channel_id.value != 0);
    auto emoji = must_decode<MessageReactionRemoveEmoji>(
        R"({"channel_id":"1","message_id":"2","emoji":{"id":null,"name":"🔥"}})");
    CHECK(emoji.emoji.name == "🔥");
    auto fluxer = must_decode<MessageReactionAdd>(
        R"({"channel_id":"1","message_id":"2","emoji":{"name":"x"},"user_id":"3","session_id":"s"})");
    CHECK(fluxer.session_id == "s");
}

TEST_CASE("MESSAGE_POLL_VOTE_ADD and MESSAGE_POLL_VOTE_REMOVE") {
    const char* vote =
        R"({"user_id":"1","channel_id":"2","message_id":"3","guild_id":"4","answer_id":2})";
    CHECK(must_decode<MessagePollVoteAdd>(vote).answer_id == 2);
    CHECK(must_decode<MessagePollVoteRemove>(vote).user_id.value == 1);
}

TEST_CASE("MESSAGE_ACK") {
    auto a = must_decode<MessageAck>(R"({"channel_id":"1","message_id":)" BIG
                                     R"(,"mention_count":0,"manual":true})");
    CHECK(a.message_id.value == big);
    CHECK(a.manual == true);
    CHECK(a.mention_count == 0);
}

TEST_CASE("TYPING_START: Discord seconds (real) and Fluxer milliseconds") {
    auto d = must_decode<TypingStart>(serenity("typing_start_1.json"));
    CHECK(d.timestamp == timestamp_from_unix(1492291592));
    auto f = must_decode<TypingStart>(
        R"({"channel_id":"1","user_id":"2","timestamp":1492291592000,"guild_id":"3","member":{"user":{"id":"2"},"roles":[]}})");
    CHECK(f.timestamp == d.timestamp);
    CHECK(f.member->user->id.value == 2);
}

// --- voice, calls ------------------------------------------------------------

TEST_CASE("VOICE_STATE_UPDATE (real) and (Fluxer extras)") {
    auto d = must_decode<VoiceStateUpdate>(serenity("voice_state_update_1.json"));
    CHECK(d.mute == true);
    CHECK(d.session_id == "d11ec7014652954a3ff533c778475199");
    CHECK(d.channel_id->value == 244567637332328450);
    auto f = must_decode<VoiceStateUpdate>(
        R"({"channel_id":null,"user_id":"1","connection_id":"c1","deaf":false,"mute":false,"self_deaf":false,"self_mute":true,"self_video":false,"self_stream":false,"is_mobile":true,"viewer_stream_keys":["k"],"version":4})");
    CHECK(f.channel_id.is_null());
    CHECK(f.connection_id == "c1");
    CHECK(f.is_mobile == true);
    CHECK(f.version == 4);
}

TEST_CASE("VOICE_SERVER_UPDATE, VOICE_CHANNEL_EFFECT_SEND") {
    auto s = must_decode<VoiceServerUpdate>(
        R"({"token":"t","endpoint":"voice.example:443","connection_id":"c","channel_id":"9"})");
    CHECK(*s.endpoint == "voice.example:443");
    CHECK(s.channel_id->value == 9);
    auto e = must_decode<VoiceChannelEffectSend>(
        R"({"channel_id":"1","guild_id":"2","user_id":"3","emoji":null,"animation_type":0,"animation_id":7,"sound_id":"8","sound_volume":0.8})");
    CHECK(e.emoji.is_null());
    CHECK(e.sound_id->value == 8);
}

TEST_CASE("CALL_CREATE, CALL_UPDATE, CALL_DELETE") {
    const char* call =
        R"({"channel_id":"1","message_id":"2","region":null,"ringing":["3",)" BIG
        R"(],"voice_states":[{"user_id":"3","channel_id":"1","connection_id":"c","deaf":false,"mute":false,"self_deaf":false,"self_mute":false,"self_video":false,"self_stream":false,"is_mobile":false,"version":1}]})";
    auto c = must_decode<CallCreate>(call);
    CHECK(c.region.is_null());
    CHECK(c.ringing[1].value == big);
    CHECK(c.voice_states[0].connection_id == "c");
    CHECK(must_decode<CallUpdate>(call).message_id->value == 2);
    CHECK(must_decode<CallDelete>(R"({"channel_id":"1"})").channel_id.value == 1);
}

// --- applications ------------------------------------------------------------

TEST_CASE("INTERACTION_CREATE (real slash command)") {
    auto i = must_decode<InteractionCreate>(envelope_data("spacebar/interaction_create.json"));
    CHECK(i.id.value == 1574379911198556385);
    CHECK(i.type == InteractionType::application_command);
    CHECK(i.version == 1);
    CHECK(i.token.value == "Fmlxy_UVjmumxTyKaU-wUevUC0-KXxEa");
    CHECK(i.data.has_value());
    CHECK(encode_json(i).find("Fmlxy_") == std::string::npos);
}

TEST_CASE("APPLICATION_COMMAND_PERMISSIONS_UPDATE") {
    auto p = must_decode<ApplicationCommandPermissionsUpdate>(
        R"({"id":"1","application_id":"2","guild_id":"3","permissions":[{"id":"4","type":1,"permission":true}]})");
    CHECK(p.permissions[0].permission);
    CHECK(p.permissions[0].type == 1);
}

TEST_CASE("AUTO_MODERATION_RULE_CREATE, _UPDATE, _DELETE, _ACTION_EXECUTION") {
    const char* rule =
        R"({"id":"1","guild_id":"2","name":"no spam","creator_id":"3","event_type":1,"trigger_type":3,"trigger_metadata":{},"actions":[{"type":1,"metadata":{"custom_message":"no"}}],"enabled":true,"exempt_roles":[],"exempt_channels":["4"]})";
    CHECK(must_decode<AutoModerationRuleCreate>(rule).name == "no spam");
    CHECK(must_decode<AutoModerationRuleUpdate>(rule).actions[0].type == 1);
    CHECK(must_decode<AutoModerationRuleDelete>(rule).exempt_channels[0].value == 4);
    auto x = must_decode<AutoModerationActionExecution>(
        R"({"guild_id":"2","action":{"type":1},"rule_id":"1","rule_trigger_type":1,"user_id":"5","content":"buy now","matched_keyword":"buy","matched_content":null})");
    CHECK(*x.matched_keyword == "buy");
    CHECK(x.matched_content.is_null());
}

TEST_CASE("ENTITLEMENT_CREATE, _UPDATE, _DELETE: SUBSCRIPTION_CREATE, _UPDATE, _DELETE") {
    const char* e =
        R"({"id":"1","sku_id":"2","application_id":"3","user_id":"4","type":8,"deleted":false,"starts_at":null,"ends_at":null,"consumed":false})";
    CHECK(must_decode<EntitlementCreate>(e).type == 8);
    CHECK(must_decode<EntitlementUpdate>(e).starts_at.is_null());
    CHECK(must_decode<EntitlementDelete>(e).sku_id.value == 2);
    const char* s =
        R"({"id":"1","user_id":"2","sku_ids":["3"],"entitlement_ids":["4"],"current_period_start":"2024-01-01T00:00:00Z","current_period_end":"2024-02-01T00:00:00Z","status":0,"canceled_at":null})";
    CHECK(must_decode<SubscriptionCreate>(s).sku_ids[0].value == 3);
    CHECK(must_decode<SubscriptionUpdate>(s).canceled_at.is_null());
    CHECK(must_decode<SubscriptionDelete>(s).current_period_end == at("2024-02-01T00:00:00Z"));
}

TEST_CASE("STAGE_INSTANCE_CREATE, _UPDATE, _DELETE") {
    const char* s =
        R"({"id":"1","guild_id":"2","channel_id":"3","topic":"AMA","privacy_level":2,"discoverable_disabled":false,"guild_scheduled_event_id":null})";
    CHECK(must_decode<StageInstanceCreate>(s).topic == "AMA");
    CHECK(must_decode<StageInstanceUpdate>(s).guild_scheduled_event_id.is_null());
    CHECK(must_decode<StageInstanceDelete>(s).channel_id.value == 3);
}

}  // namespace events_tests
