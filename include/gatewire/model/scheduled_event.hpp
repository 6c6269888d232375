/// @file
/// Guild scheduled events.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct ScheduledEventMetadata {
    std::optional<std::string> location;
};
BOOST_DESCRIBE_STRUCT(ScheduledEventMetadata, (), (location))

struct ScheduledEvent {
    Snowflake id;
    Snowflake guild_id;
    Nullable<Snowflake> channel_id;
    Nullable<Snowflake> creator_id;
    std::string name;
    Nullable<std::string> description;
    std::optional<Timestamp> scheduled_start_time;
    Nullable<Timestamp> scheduled_end_time;
    std::int32_t privacy_level = 0;
    std::int32_t status = 0;  ///< 1 scheduled, 2 active, 3 completed, 4 canceled
    std::int32_t entity_type = 0;
    Nullable<Snowflake> entity_id;
    Nullable<ScheduledEventMetadata> entity_metadata;
    std::optional<User> creator;
    std::optional<std::int32_t> user_count;
    Nullable<std::string> image;
    RawJson recurrence_rule;
};
BOOST_DESCRIBE_STRUCT(ScheduledEvent, (),
                      (id, guild_id, channel_id, creator_id, name, description,
                       scheduled_start_time, scheduled_end_time, privacy_level, status, entity_type,
                       entity_id, entity_metadata, creator, user_count, image, recurrence_rule))

}  // namespace gatewire
