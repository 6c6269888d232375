/// @file
/// What it takes to resume a gateway session, possibly in another process.
#pragma once

#include <cstdint>
#include <string>

namespace gatewire {

struct ResumableSession {
    std::string session_id;
    std::uint64_t seq = 0;   ///< the last event handled
    std::string resume_url;  ///< Discord's resume_gateway_url; empty: the original URL

    bool operator==(const ResumableSession&) const = default;
};

}  // namespace gatewire
