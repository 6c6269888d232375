/// @file
/// Session events: READY, RESUMED, SESSIONS_REPLACE, RATE_LIMITED.
#pragma once

#include <map>
#include "gatewire/core/export.hpp"

#include "gatewire/model/application.hpp"
#include "gatewire/model/channel.hpp"
#include "gatewire/model/favorite_meme.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/guild.hpp"
#include "gatewire/model/presence.hpp"
#include "gatewire/model/read_state.hpp"
#include "gatewire/model/relationship.hpp"
#include "gatewire/model/session_info.hpp"
#include "gatewire/model/user.hpp"
#include "gatewire/model/user_settings.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

/// The state a session starts from. Bots get unavailable guild stubs; user
/// accounts (Fluxer) get full guilds and their private state.
struct Ready {
    std::optional<std::int32_t> v;        ///< Discord
    std::optional<std::int32_t> version;  ///< Fluxer
    PrivateUser user;
    std::vector<Guild> guilds;
    std::string session_id;
    std::optional<std::string> resume_gateway_url;  ///< Discord
    std::vector<std::uint32_t> shard;               ///< [id, count]
    std::optional<PartialApplication> application;
    std::vector<Channel> private_channels;
    std::vector<Relationship> relationships;
    std::vector<User> users;
    std::vector<Presence> presences;
    std::vector<SessionInfo> sessions;
    std::optional<UserSettings> user_settings;
    UserGuildSettingsList user_guild_settings;
    std::vector<ReadState> read_states;
    std::map<Snowflake, std::string> notes;
    std::optional<std::string> country_code;
    std::vector<Snowflake> pinned_dms;
    std::vector<FavoriteMeme> favorite_memes;
    std::optional<std::string> auth_session_id_hash;
};
BOOST_DESCRIBE_STRUCT(Ready, (),
                      (v, version, user, guilds, session_id, resume_gateway_url, shard, application,
                       private_channels, relationships, users, presences, sessions, user_settings,
                       user_guild_settings, read_states, notes, country_code, pinned_dms,
                       favorite_memes, auth_session_id_hash))

/// A resume succeeded; missed events follow (before it on Discord, after on Fluxer).
struct Resumed {};
BOOST_DESCRIBE_STRUCT(Resumed, (), ())

/// The account's sessions across devices (a bare array on the wire).
struct SessionsReplace {
    static constexpr bool whole_payload = true;
    std::vector<SessionInfo> sessions;
};
BOOST_DESCRIBE_STRUCT(SessionsReplace, (), (sessions))

/// A gateway command was rate limited.
struct RateLimited {
    std::int32_t opcode = 0;
    double retry_after = 0;  ///< seconds
    RawJson meta;
};
BOOST_DESCRIBE_STRUCT(RateLimited, (), (opcode, retry_after, meta))

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
