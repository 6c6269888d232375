/// @file
/// A live stage in a stage channel.
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct StageInstance {
    Snowflake id;
    Snowflake guild_id;
    Snowflake channel_id;
    std::string topic;
    std::int32_t privacy_level = 0;
    std::optional<bool> discoverable_disabled;
    Nullable<Snowflake> guild_scheduled_event_id;
};
BOOST_DESCRIBE_STRUCT(StageInstance, (),
                      (id, guild_id, channel_id, topic, privacy_level, discoverable_disabled,
                       guild_scheduled_event_id))

}  // namespace gatewire
