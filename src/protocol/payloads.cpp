#include "protocol/payloads.hpp"

#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/opcodes.hpp"

namespace gatewire::detail {

namespace {

using json = nlohmann::json;

constexpr std::string_view operating_system() {
#if defined(_WIN32)
    return "windows";
#elif defined(__APPLE__)
    return "macos";
#else
    return "linux";
#endif
}

}  // namespace

std::string identify_payload(const SessionConfig& config, const Profile& profile,
                             const std::string& presence_json) {
    json d = {{"token", config.token.value},
              {"properties",
               {{"os", operating_system()}, {"browser", "gatewire"}, {"device", "gatewire"}}}};
    if (profile.uses_intents) {
        d["intents"] = config.intents.bits();
    }
    if (config.shard) {
        d["shard"] = {config.shard->id, config.shard->count};
    }
    if (!presence_json.empty()) {
        d["presence"] = json::parse(presence_json, nullptr, false);
    }
    if (!config.identify_extra_json.empty()) {
        json extra = json::parse(config.identify_extra_json, nullptr, false);
        if (extra.is_object()) {
            d.update(extra);
        }
    }
    return json{{"op", op::identify}, {"d", std::move(d)}}.dump();
}

std::string resume_payload(const Secret& token, const std::string& session_id, std::uint64_t seq) {
    json d = {{"token", token.value}, {"session_id", session_id}, {"seq", seq}};
    return json{{"op", op::resume}, {"d", std::move(d)}}.dump();
}

std::string heartbeat_payload(std::uint64_t acknowledged_seq) {
    return json{{"op", op::heartbeat},
                {"d", acknowledged_seq != 0 ? json(acknowledged_seq) : json(nullptr)}}
        .dump();
}

}  // namespace gatewire::detail
