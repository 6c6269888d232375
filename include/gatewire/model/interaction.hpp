/// @file
/// Interactions: slash commands, components, modals, autocomplete.
#pragma once

#include "gatewire/model/channel.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/member.hpp"
#include "gatewire/model/message.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

enum class InteractionType : std::int32_t {
    ping = 1,
    application_command = 2,
    message_component = 3,
    application_command_autocomplete = 4,
    modal_submit = 5,
};

/// One option of a command as the user filled it in; `value` keeps its JSON
/// type (string, integer, number or boolean) as text.
struct InteractionOption {
    std::string name;
    std::int32_t type = 0;
    RawJson value;
    std::vector<InteractionOption> options;
    std::optional<bool> focused;
};
BOOST_DESCRIBE_STRUCT(InteractionOption, (), (name, type, value, options, focused))

struct InteractionData {
    std::optional<Snowflake> id;
    std::optional<std::string> name;
    std::optional<std::int32_t> type;
    RawJson resolved;
    std::vector<InteractionOption> options;
    std::optional<Snowflake> guild_id;
    std::optional<Snowflake> target_id;
    std::optional<std::string> custom_id;  ///< components and modals
    std::optional<std::int32_t> component_type;
    std::vector<std::string> values;
    RawJson components;
};
BOOST_DESCRIBE_STRUCT(InteractionData, (),
                      (id, name, type, resolved, options, guild_id, target_id, custom_id,
                       component_type, values, components))

struct Interaction {
    Snowflake id;
    Snowflake application_id;
    InteractionType type = InteractionType::ping;
    std::optional<InteractionData> data;
    std::optional<Snowflake> guild_id;
    std::optional<Channel> channel;
    std::optional<Snowflake> channel_id;
    std::optional<Member> member;
    std::optional<User> user;
    Secret token;  ///< answers the interaction for 15 minutes
    std::int32_t version = 1;
    std::optional<Message> message;
    std::optional<Permissions> app_permissions;
    std::optional<std::string> locale;
    std::optional<std::string> guild_locale;
    RawJson entitlements;
    RawJson authorizing_integration_owners;
    std::optional<std::int32_t> context;
    std::optional<std::int32_t> attachment_size_limit;
};
BOOST_DESCRIBE_STRUCT(Interaction, (),
                      (id, application_id, type, data, guild_id, channel, channel_id, member, user,
                       token, version, message, app_permissions, locale, guild_locale, entitlements,
                       authorizing_integration_owners, context, attachment_size_limit))

}  // namespace gatewire
