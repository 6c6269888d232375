/// @file
/// A user's membership of a guild.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct Member {
    std::optional<User> user;  ///< absent inside MESSAGE_CREATE, which carries `author`
    Nullable<std::string> nick;
    Nullable<std::string> avatar;
    Nullable<std::string> banner;
    std::optional<std::int32_t> accent_color;  ///< Fluxer
    std::vector<Snowflake> roles;
    std::optional<Timestamp> joined_at;
    Nullable<Timestamp> premium_since;
    std::optional<bool> deaf;
    std::optional<bool> mute;
    std::optional<std::uint64_t> flags;
    std::optional<bool> pending;
    std::optional<Permissions> permissions;  ///< in interactions
    Nullable<Timestamp> communication_disabled_until;
    std::optional<AvatarDecoration> avatar_decoration_data;
    std::optional<std::uint64_t> profile_flags;  ///< Fluxer
    std::optional<std::uint64_t> mention_flags;  ///< Fluxer
    std::optional<Snowflake> guild_id;           ///< GUILD_MEMBER_ADD/UPDATE carry it
};
BOOST_DESCRIBE_STRUCT(Member, (),
                      (user, nick, avatar, banner, accent_color, roles, joined_at, premium_since,
                       deaf, mute, flags, pending, permissions, communication_disabled_until,
                       avatar_decoration_data, profile_flags, mention_flags, guild_id))

}  // namespace gatewire
