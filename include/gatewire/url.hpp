/// @file
/// A parsed ws://, wss://, http:// or https:// URL.
#pragma once

#include "gatewire/export.hpp"

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
};

}  // namespace gatewire
