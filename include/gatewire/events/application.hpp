/// @file
/// Application events: interactions, command permissions, auto moderation,
/// entitlements, subscriptions, stage instances.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/model/auto_moderation.hpp"
#include "gatewire/model/entitlement.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/interaction.hpp"
#include "gatewire/model/stage_instance.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

struct InteractionCreate : Interaction {};
BOOST_DESCRIBE_STRUCT(InteractionCreate, (Interaction), ())

struct CommandPermission {
    Snowflake id;
    std::int32_t type = 0;  ///< 1 role, 2 user, 3 channel
    bool permission = false;
};
BOOST_DESCRIBE_STRUCT(CommandPermission, (), (id, type, permission))

struct ApplicationCommandPermissionsUpdate {
    Snowflake id;
    Snowflake application_id;
    Snowflake guild_id;
    std::vector<CommandPermission> permissions;
};
BOOST_DESCRIBE_STRUCT(ApplicationCommandPermissionsUpdate, (),
                      (id, application_id, guild_id, permissions))

struct AutoModerationRuleCreate : AutoModerationRule {};
BOOST_DESCRIBE_STRUCT(AutoModerationRuleCreate, (AutoModerationRule), ())

struct AutoModerationRuleUpdate : AutoModerationRule {};
BOOST_DESCRIBE_STRUCT(AutoModerationRuleUpdate, (AutoModerationRule), ())

struct AutoModerationRuleDelete : AutoModerationRule {};
BOOST_DESCRIBE_STRUCT(AutoModerationRuleDelete, (AutoModerationRule), ())

struct AutoModerationActionExecution {
    Snowflake guild_id;
    AutoModerationAction action;
    Snowflake rule_id;
    std::int32_t rule_trigger_type = 0;
    Snowflake user_id;
    std::optional<Snowflake> channel_id;
    std::optional<Snowflake> message_id;
    std::optional<Snowflake> alert_system_message_id;
    std::optional<std::string> content;
    Nullable<std::string> matched_keyword;
    Nullable<std::string> matched_content;
};
BOOST_DESCRIBE_STRUCT(AutoModerationActionExecution, (),
                      (guild_id, action, rule_id, rule_trigger_type, user_id, channel_id,
                       message_id, alert_system_message_id, content, matched_keyword,
                       matched_content))

struct EntitlementCreate : Entitlement {};
BOOST_DESCRIBE_STRUCT(EntitlementCreate, (Entitlement), ())

struct EntitlementUpdate : Entitlement {};
BOOST_DESCRIBE_STRUCT(EntitlementUpdate, (Entitlement), ())

struct EntitlementDelete : Entitlement {};
BOOST_DESCRIBE_STRUCT(EntitlementDelete, (Entitlement), ())

struct SubscriptionCreate : PremiumSubscription {};
BOOST_DESCRIBE_STRUCT(SubscriptionCreate, (PremiumSubscription), ())

struct SubscriptionUpdate : PremiumSubscription {};
BOOST_DESCRIBE_STRUCT(SubscriptionUpdate, (PremiumSubscription), ())

struct SubscriptionDelete : PremiumSubscription {};
BOOST_DESCRIBE_STRUCT(SubscriptionDelete, (PremiumSubscription), ())

struct StageInstanceCreate : StageInstance {};
BOOST_DESCRIBE_STRUCT(StageInstanceCreate, (StageInstance), ())

struct StageInstanceUpdate : StageInstance {};
BOOST_DESCRIBE_STRUCT(StageInstanceUpdate, (StageInstance), ())

struct StageInstanceDelete : StageInstance {};
BOOST_DESCRIBE_STRUCT(StageInstanceDelete, (StageInstance), ())

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
