/// @file
/// Soundboard sounds.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct SoundboardSound {
    std::string name;
    Snowflake sound_id;
    double volume = 1.0;
    std::optional<Snowflake> emoji_id;
    std::optional<std::string> emoji_name;
    std::optional<Snowflake> guild_id;
    bool available = true;
    std::optional<User> user;
};
BOOST_DESCRIBE_STRUCT(SoundboardSound, (),
                      (name, sound_id, volume, emoji_id, emoji_name, guild_id, available, user))

}  // namespace gatewire
