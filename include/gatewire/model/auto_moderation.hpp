/// @file
/// Auto-moderation rules and what they did.
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct AutoModerationAction {
    std::int32_t type = 0;
    RawJson metadata;
};
BOOST_DESCRIBE_STRUCT(AutoModerationAction, (), (type, metadata))

struct AutoModerationRule {
    Snowflake id;
    Snowflake guild_id;
    std::string name;
    Snowflake creator_id;
    std::int32_t event_type = 0;
    std::int32_t trigger_type = 0;
    RawJson trigger_metadata;
    std::vector<AutoModerationAction> actions;
    bool enabled = false;
    std::vector<Snowflake> exempt_roles;
    std::vector<Snowflake> exempt_channels;
};
BOOST_DESCRIBE_STRUCT(AutoModerationRule, (),
                      (id, guild_id, name, creator_id, event_type, trigger_type, trigger_metadata,
                       actions, enabled, exempt_roles, exempt_channels))

}  // namespace gatewire
