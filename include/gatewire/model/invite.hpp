/// @file
/// An invite as INVITE_CREATE announces it.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct Invite {
    std::string code;
    std::optional<std::int32_t> type;
    std::optional<Snowflake> channel_id;
    std::optional<Snowflake> guild_id;
    std::optional<Timestamp> created_at;
    Nullable<Timestamp> expires_at;
    std::optional<User> inviter;
    std::optional<std::int32_t> max_age;
    std::optional<std::int32_t> max_uses;
    std::optional<std::int32_t> target_type;
    std::optional<User> target_user;
    RawJson target_application;
    std::optional<bool> temporary;
    std::optional<std::int32_t> uses;
    RawJson guild;    ///< Fluxer: the partial guild
    RawJson channel;  ///< Fluxer: the partial channel
    std::optional<std::int32_t> member_count;
    std::optional<std::int32_t> presence_count;
};
BOOST_DESCRIBE_STRUCT(Invite, (),
                      (code, type, channel_id, guild_id, created_at, expires_at, inviter, max_age,
                       max_uses, target_type, target_user, target_application, temporary, uses,
                       guild, channel, member_count, presence_count))

}  // namespace gatewire
