/// @file
/// A parsed ws://, wss://, http:// or https:// URL.
#pragma once

#include "gatewire/core/export.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace gatewire {

struct GATEWIRE_API Url {
    std::string scheme = "wss";  ///< ws, wss, http or https
    bool secure = true;          ///< wss or https
    std::string host;
    std::string port;    ///< "443" / "80" unless given
    std::string target;  ///< path and query, never empty ("/")

    static std::optional<Url> parse(std::string_view text);
    std::string to_string() const;
    /// localhost, 127.0.0.0/8 or ::1: traffic that never leaves the machine.
    bool is_loopback() const noexcept;
    /// ws:// or http:// to any other host: the token would cross a network in clear.
    bool cleartext_to_remote() const noexcept { return !secure && !is_loopback(); }
};

}  // namespace gatewire
