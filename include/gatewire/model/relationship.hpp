/// @file
/// Friends, blocks and pending requests.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

/// 1 friend, 2 blocked, 3 incoming request, 4 outgoing request; others kept.
enum class RelationshipType : std::int32_t {
    none = 0,
    friend_ = 1,
    blocked = 2,
    incoming = 3,
    outgoing = 4
};

struct Relationship {
    Snowflake id;  ///< the other user
    RelationshipType type = RelationshipType::none;
    std::optional<User> user;  ///< READY strips it; look it up in READY's users
    std::optional<Timestamp> since;
    Nullable<std::string> nickname;
    std::optional<bool> share_voice_activity;
    std::optional<bool> friend_shares_voice_activity;
};
BOOST_DESCRIBE_STRUCT(Relationship, (),
                      (id, type, user, since, nickname, share_voice_activity,
                       friend_shares_voice_activity))

}  // namespace gatewire
