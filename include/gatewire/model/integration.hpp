/// @file
/// A guild integration (bots, Twitch, YouTube).
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct IntegrationAccount {
    std::string id;  ///< not a snowflake for external services
    std::string name;
};
BOOST_DESCRIBE_STRUCT(IntegrationAccount, (), (id, name))

struct Integration {
    Snowflake id;
    std::string name;
    std::string type;
    std::optional<bool> enabled;
    std::optional<bool> syncing;
    std::optional<Snowflake> role_id;
    std::optional<bool> enable_emoticons;
    std::optional<std::int32_t> expire_behavior;
    std::optional<std::int32_t> expire_grace_period;
    std::optional<User> user;
    std::optional<IntegrationAccount> account;
    std::optional<Timestamp> synced_at;
    std::optional<std::int32_t> subscriber_count;
    std::optional<bool> revoked;
    RawJson application;
    std::vector<std::string> scopes;
    std::optional<Snowflake> guild_id;  ///< INTEGRATION_CREATE/UPDATE
};
BOOST_DESCRIBE_STRUCT(Integration, (),
                      (id, name, type, enabled, syncing, role_id, enable_emoticons, expire_behavior,
                       expire_grace_period, user, account, synced_at, subscriber_count, revoked,
                       application, scopes, guild_id))

}  // namespace gatewire
