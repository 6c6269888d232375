/// @file
/// One audit-log entry as GUILD_AUDIT_LOG_ENTRY_CREATE delivers it.
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct AuditLogEntry {
    Snowflake id;
    std::optional<Snowflake> guild_id;
    Nullable<std::string> target_id;  ///< not always a snowflake
    Nullable<Snowflake> user_id;
    std::int32_t action_type = 0;
    RawJson changes;
    RawJson options;
    std::optional<std::string> reason;
};
BOOST_DESCRIBE_STRUCT(AuditLogEntry, (),
                      (id, guild_id, target_id, user_id, action_type, changes, options, reason))

}  // namespace gatewire
