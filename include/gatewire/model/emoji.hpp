/// @file
/// Custom and Unicode emojis (a Unicode emoji has no id, only a name).
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct Emoji {
    std::optional<Snowflake> id;
    std::optional<std::string> name;
    std::vector<Snowflake> roles;
    std::optional<User> user;
    std::optional<bool> require_colons;
    std::optional<bool> managed;
    std::optional<bool> animated;
    std::optional<bool> available;
    std::optional<bool> nsfw;  ///< Fluxer
};
BOOST_DESCRIBE_STRUCT(Emoji, (),
                      (id, name, roles, user, require_colons, managed, animated, available, nsfw))

}  // namespace gatewire
