// What the session takes from READY: the session id and, where the profile
// has one, the resume URL, each checked before it is used.
#pragma once

#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "gatewire/core/profile.hpp"
#include "gatewire/detail/envelope.hpp"

namespace gatewire::detail {

struct ReadyFields {
    std::optional<std::string> session_id;
    std::optional<std::string> resume_url;
    // What was wrong with READY, for the session to report.
    std::vector<std::pair<std::error_code, std::string>> problems;
};

// `message` holds the whole payload `envelope` was peeked from; its spare
// capacity is the padding simdjson reads into.
ReadyFields read_ready(const Envelope& envelope, const std::string& message, const Profile& profile,
                       bool allow_insecure);

}  // namespace gatewire::detail
