/// @file
/// Guild roles.
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct RoleTags {
    std::optional<Snowflake> bot_id;
    std::optional<Snowflake> integration_id;
    std::optional<Snowflake> subscription_listing_id;
    /// These three are `null` when true and absent when false.
    Nullable<bool> premium_subscriber;
    Nullable<bool> available_for_purchase;
    Nullable<bool> guild_connections;
};
BOOST_DESCRIBE_STRUCT(RoleTags, (),
                      (bot_id, integration_id, subscription_listing_id, premium_subscriber,
                       available_for_purchase, guild_connections))

struct RoleColors {
    std::int32_t primary_color = 0;
    std::optional<std::int32_t> secondary_color;
    std::optional<std::int32_t> tertiary_color;
};
BOOST_DESCRIBE_STRUCT(RoleColors, (), (primary_color, secondary_color, tertiary_color))

struct Role {
    Snowflake id;
    std::string name;
    std::int32_t color = 0;
    std::optional<RoleColors> colors;
    bool hoist = false;
    std::optional<std::int32_t> hoist_position;  ///< Fluxer
    std::optional<std::string> icon;
    std::optional<std::string> unicode_emoji;
    std::int32_t position = 0;
    Permissions permissions;
    bool managed = false;
    bool mentionable = false;
    std::optional<RoleTags> tags;
    std::optional<std::uint64_t> flags;
};
BOOST_DESCRIBE_STRUCT(Role, (),
                      (id, name, color, colors, hoist, hoist_position, icon, unicode_emoji,
                       position, permissions, managed, mentionable, tags, flags))

}  // namespace gatewire
