#include "sim/wire.hpp"

namespace gatewire::sim::detail {

std::string query_value(std::string_view target, std::string_view key) {
    auto q = target.find('?');
    if (q == std::string_view::npos) {
        return {};
    }
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == key) {
            return eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return {};
}

std::string with_nonce(nlohmann::json reply, const nlohmann::json& command) {
    if (command.is_object() && command.contains("nonce")) {
        reply["nonce"] = command["nonce"];
    }
    return reply.dump();
}

std::string envelope(int op, const std::string& d, std::optional<std::uint64_t> s,
                     std::string_view t) {
    std::string out = "{\"op\":" + std::to_string(op) + ",\"d\":" + d + ",\"s\":";
    out += s ? std::to_string(*s) : "null";
    out += ",\"t\":";
    out += t.empty() ? "null" : "\"" + std::string(t) + "\"";
    return out + "}";
}

}  // namespace gatewire::sim::detail
