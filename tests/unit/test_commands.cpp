// Gateway commands: each encoded as its profile's gateway expects, refused
// when that gateway does not take it or it breaks the rules; member-chunk
// replies assembled per nonce.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gatewire/core/error.hpp"
#include "gatewire/dispatch/member_chunks.hpp"
#include "gatewire/protocol/commands.hpp"

namespace commands_tests {

using namespace gatewire;
using json = nlohmann::json;

namespace {

template <class C>
json encoded(const C& command, const Profile& profile) {
    std::string out;
    std::error_code error = commands::encode(command, profile, out);
    INFO(error.message());
    REQUIRE_FALSE(error);
    return json::parse(out);
}

template <class C>
std::error_code refused(const C& command, const Profile& profile) {
    std::string out;
    std::error_code error = commands::encode(command, profile, out);
    CHECK(out.empty());
    return error;
}

events::GuildMembersChunk chunk(std::string nonce, int index, int count,
                                std::vector<std::uint64_t> member_ids) {
    events::GuildMembersChunk c;
    c.guild_id = Snowflake{77};
    c.nonce = std::move(nonce);
    c.chunk_index = index;
    c.chunk_count = count;
    for (auto id : member_ids) {
        Member m;
        m.user = User{};
        m.user->id = Snowflake{id};
        c.members.push_back(m);
    }
    return c;
}

}  // namespace

TEST_CASE("presence: Discord sends since, activities, status, afk: Fluxer its own fields") {
    commands::UpdatePresence p;
    p.status = commands::Status::idle;
    p.afk = true;
    p.idle_since_ms = 1700000000000;
    p.activities.push_back({"chess", 0, std::nullopt, std::nullopt});

    json discord = encoded(p, profiles::discord());
    CHECK(discord == json::parse(R"({"status":"idle","afk":true,"since":1700000000000,
        "activities":[{"name":"chess","type":0}]})"));
    // Fields only the other gateway reads are refused, not dropped unseen.
    CHECK(refused(p, profiles::fluxer()) == errc::invalid_command);

    p.idle_since_ms.reset();
    p.activities.clear();
    p.mobile = true;
    p.custom_status = commands::CustomStatus{"away", Snowflake{9007199254740993}, "zzz", {}};
    CHECK(refused(p, profiles::discord()) == errc::invalid_command);
    json fluxer = encoded(p, profiles::fluxer());
    CHECK(fluxer == json::parse(R"({"status":"idle","afk":true,"mobile":true,
        "custom_status":{"text":"away","emoji_id":"9007199254740993","emoji_name":"zzz"}})"));

    commands::UpdatePresence online;
    CHECK(encoded(online, profiles::discord())["since"].is_null());
}

TEST_CASE("voice state: null channel leaves: Fluxer adds its fields: Discord needs a guild") {
    commands::UpdateVoiceState v;
    v.guild_id = Snowflake{1};
    v.self_deaf = true;
    v.connection_id = "conn-1";
    v.self_video = false;
    json discord = encoded(v, profiles::discord());
    CHECK(discord ==
          json::parse(R"({"guild_id":"1","channel_id":null,"self_mute":false,"self_deaf":true})"));
    json fluxer = encoded(v, profiles::fluxer());
    CHECK(fluxer["connection_id"] == "conn-1");
    CHECK(fluxer["self_video"] == false);
    CHECK_FALSE(fluxer.contains("self_stream"));

    commands::UpdateVoiceState call;  // a Fluxer DM call has no guild
    call.channel_id = Snowflake{5};
    CHECK(encoded(call, profiles::fluxer())["guild_id"].is_null());
    CHECK(refused(call, profiles::discord()) == errc::invalid_command);
}

TEST_CASE("member requests: by query or by ids, never both: limits and nonce size enforced") {
    commands::RequestGuildMembers by_query{.guild_id = Snowflake{2},
                                           .query = "",
                                           .limit = 0,
                                           .presences = true,
                                           .user_ids = {},
                                           .nonce = "n1"};
    CHECK(encoded(by_query, profiles::discord()) ==
          json::parse(R"({"guild_id":"2","query":"","limit":0,"presences":true,"nonce":"n1"})"));

    commands::RequestGuildMembers by_ids;
    by_ids.guild_id = Snowflake{2};
    by_ids.user_ids = {Snowflake{18446744073709551615u}, Snowflake{3}};
    CHECK(encoded(by_ids, profiles::fluxer())["user_ids"] ==
          json::parse(R"(["18446744073709551615","3"])"));

    commands::RequestGuildMembers both = by_ids;
    both.query = "a";
    CHECK(refused(both, profiles::discord()) == errc::invalid_command);
    commands::RequestGuildMembers neither;
    CHECK(refused(neither, profiles::discord()) == errc::invalid_command);

    commands::RequestGuildMembers long_nonce = by_query;
    long_nonce.nonce = std::string(33, 'x');
    CHECK(refused(long_nonce, profiles::discord()) == errc::invalid_command);
    long_nonce.nonce = std::string(32, 'x');
    CHECK(encoded(long_nonce, profiles::discord())["nonce"].get<std::string>().size() == 32);

    commands::RequestGuildMembers big = by_query;
    big.limit = 101;
    CHECK(refused(big, profiles::fluxer()) == errc::invalid_command);  // Fluxer caps at 100
    CHECK(encoded(big, profiles::discord())["limit"] == 101);
}

TEST_CASE("each gateway's own commands: the other gateway's are refused before sending") {
    commands::LazyRequest lazy;
    lazy.subscriptions[Snowflake{10}].typing = true;
    lazy.subscriptions[Snowflake{10}].member_list_channels[Snowflake{11}] = {{0, 99}, {100, 199}};
    lazy.subscriptions[Snowflake{10}].members = {Snowflake{12}};
    CHECK(encoded(lazy, profiles::fluxer()) == json::parse(R"({"subscriptions":{"10":{"typing":true,
              "member_list_channels":{"11":[[0,99],[100,199]]},"members":["12"]}}})"));
    CHECK(refused(lazy, profiles::discord()) == errc::unsupported_command);

    commands::RequestGuildCounts counts{{Snowflake{1}, Snowflake{2}}, "c"};
    CHECK(encoded(counts, profiles::fluxer()) ==
          json::parse(R"({"guild_ids":["1","2"],"nonce":"c"})"));
    CHECK(refused(counts, profiles::discord()) == errc::unsupported_command);

    commands::RequestChannelMemberCounts channel_counts{Snowflake{1}, {Snowflake{3}}, ""};
    CHECK(encoded(channel_counts, profiles::fluxer()) ==
          json::parse(R"({"guild_id":"1","channel_ids":["3"]})"));
    CHECK(refused(channel_counts, profiles::discord()) == errc::unsupported_command);
    CHECK(refused(commands::RequestChannelMemberCounts{Snowflake{1}, {}, ""}, profiles::fluxer()) ==
          errc::invalid_command);

    commands::RequestSoundboardSounds sounds{{Snowflake{613425648685547541}}};
    CHECK(encoded(sounds, profiles::discord()) ==
          json::parse(R"({"guild_ids":["613425648685547541"]})"));
    CHECK(refused(sounds, profiles::fluxer()) == errc::unsupported_command);
}

TEST_CASE("member chunks: one result when every chunk of a nonce has arrived, in any order") {
    MemberChunkAssembler a;
    REQUIRE(a.expect("x"));
    CHECK_FALSE(a.expect("x"));  // a nonce waits once
    CHECK_FALSE(a.add(chunk("x", 2, 3, {5})));
    CHECK_FALSE(a.add(chunk("x", 0, 3, {1, 2})));
    CHECK_FALSE(a.add(chunk("x", 0, 3, {1, 2})));  // seen twice: counted once
    auto done = a.add(chunk("x", 1, 3, {3, 4}));
    REQUIRE(done);
    CHECK(done->chunks_received == 3);
    CHECK(done->chunk_count == 3);
    CHECK(done->guild_id == Snowflake{77});
    std::vector<std::uint64_t> ids;
    for (const auto& m : done->members) {
        ids.push_back(m.user->id.value);
    }
    CHECK(ids == std::vector<std::uint64_t>{5, 1, 2, 3, 4});
    CHECK(a.pending() == 0);
}

TEST_CASE("member chunks: interleaved nonces stay apart: unknown nonces change nothing") {
    MemberChunkAssembler a;
    REQUIRE(a.expect("a"));
    REQUIRE(a.expect("b"));
    CHECK_FALSE(a.add(chunk("a", 0, 2, {1})));
    CHECK_FALSE(a.add(chunk("b", 0, 2, {10})));
    CHECK_FALSE(a.add(chunk("someone-else", 0, 1, {99})));
    CHECK_FALSE(a.add(chunk("a", 5, 2, {1})));  // an index outside the count
    auto b = a.add(chunk("b", 1, 2, {11}));
    REQUIRE(b);
    CHECK(b->members.size() == 2);
    CHECK(a.pending() == 1);
    auto a_done = a.add(chunk("a", 1, 2, {2}));
    REQUIRE(a_done);
    CHECK(a_done->members.size() == 2);
}

TEST_CASE("member chunks: taking a request back returns what arrived so far") {
    MemberChunkAssembler a;
    REQUIRE(a.expect("late"));
    CHECK_FALSE(a.add(chunk("late", 0, 3, {1, 2})));
    auto partial = a.take("late");
    REQUIRE(partial);
    CHECK(partial->chunks_received == 1);
    CHECK(partial->chunk_count == 3);
    CHECK(partial->members.size() == 2);
    CHECK_FALSE(a.take("late"));
    CHECK_FALSE(a.add(chunk("late", 1, 3, {3})));  // too late: ignored
}

}  // namespace commands_tests
