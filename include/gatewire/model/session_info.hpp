/// @file
/// One of the account's gateway sessions (Fluxer's READY and SESSIONS_REPLACE).
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/presence.hpp"

namespace gatewire {

struct SessionInfo {
    std::string session_id;  ///< "all" for the aggregate
    std::optional<std::string> status;
    std::optional<bool> mobile;
    std::optional<bool> afk;
    std::vector<Activity> activities;
    RawJson client_info;
};
BOOST_DESCRIBE_STRUCT(SessionInfo, (), (session_id, status, mobile, afk, activities, client_info))

}  // namespace gatewire
