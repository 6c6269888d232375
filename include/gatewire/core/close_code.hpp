/// @file
/// Gateway close codes: their meaning and what a client must do after each.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstdint>
#include <string_view>
#include <system_error>

namespace gatewire {

/// What the client does after the server closed the socket with a code.
enum class CloseAction {
    resume,    ///< reconnect and resume the session (identify if there is none)
    identify,  ///< reconnect and start a new session
    fatal,     ///< stop the shard for good and report the code
};

struct CloseRule {
    std::uint16_t code;
    std::string_view name;
    std::string_view meaning;
    CloseAction action;
};

/// The category of close codes sent by a gateway. `message()` names the code
/// and its meaning; the shard's fatal error is one of these.
GATEWIRE_API const std::error_category& close_category() noexcept;

inline std::error_code make_close_error(std::uint16_t code) noexcept {
    return {static_cast<int>(code), close_category()};
}

GATEWIRE_API std::string_view to_string(CloseAction action) noexcept;

}  // namespace gatewire
