/// @file
/// A user's membership of a thread.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/member.hpp"

namespace gatewire {

struct ThreadMember {
    std::optional<Snowflake> id;  ///< the thread; absent inside GUILD_CREATE
    std::optional<Snowflake> user_id;
    std::optional<Timestamp> join_timestamp;
    std::uint64_t flags = 0;
    std::optional<Member> member;
    std::optional<Snowflake> guild_id;  ///< THREAD_MEMBER_UPDATE
};
BOOST_DESCRIBE_STRUCT(ThreadMember, (), (id, user_id, join_timestamp, flags, member, guild_id))

}  // namespace gatewire
