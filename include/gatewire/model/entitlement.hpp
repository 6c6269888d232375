/// @file
/// Entitlements and premium subscriptions (what users bought of an app).
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct Entitlement {
    Snowflake id;
    Snowflake sku_id;
    Snowflake application_id;
    std::optional<Snowflake> user_id;
    std::int32_t type = 0;
    bool deleted = false;
    Nullable<Timestamp> starts_at;
    Nullable<Timestamp> ends_at;
    std::optional<Snowflake> guild_id;
    std::optional<bool> consumed;
};
BOOST_DESCRIBE_STRUCT(Entitlement, (),
                      (id, sku_id, application_id, user_id, type, deleted, starts_at, ends_at,
                       guild_id, consumed))

struct PremiumSubscription {
    Snowflake id;
    Snowflake user_id;
    std::vector<Snowflake> sku_ids;
    std::vector<Snowflake> entitlement_ids;
    std::vector<Snowflake> renewal_sku_ids;
    std::optional<Timestamp> current_period_start;
    std::optional<Timestamp> current_period_end;
    std::int32_t status = 0;
    Nullable<Timestamp> canceled_at;
    std::optional<std::string> country;
};
BOOST_DESCRIBE_STRUCT(PremiumSubscription, (),
                      (id, user_id, sku_ids, entitlement_ids, renewal_sku_ids, current_period_start,
                       current_period_end, status, canceled_at, country))

}  // namespace gatewire
