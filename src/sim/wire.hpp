// The simulator's small pieces of the wire: gateway payloads, query strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace gatewire::sim::detail {

// The value of `key` in the query of a request target ("" when absent).
std::string query_value(std::string_view target, std::string_view key);

// A reply to a command, carrying the command's nonce when it had one.
std::string with_nonce(nlohmann::json reply, const nlohmann::json& command);

// {"op":op,"d":d,"s":s,"t":t}, d already JSON.
std::string envelope(int op, const std::string& d, std::optional<std::uint64_t> s = {},
                     std::string_view t = {});

// True for a payload envelope() made with op 0.
inline bool is_dispatch(std::string_view text) {
    return text.starts_with("{\"op\":0,");
}

}  // namespace gatewire::sim::detail
