#include "gatewire/commands.hpp"

#include <nlohmann/json.hpp>

#include "gatewire/error.hpp"

namespace gatewire::commands {

namespace {

using json = nlohmann::json;

constexpr std::size_t max_nonce_bytes = 32;
constexpr std::size_t fluxer_max_members = 100;  // per request, by query or by id

bool is_fluxer(const Profile& p) {
    return p.name == "fluxer";
}

const char* to_string(Status s) {
    switch (s) {
        case Status::online:
            return "online";
        case Status::idle:
            return "idle";
        case Status::dnd:
            return "dnd";
        case Status::invisible:
            return "invisible";
        case Status::offline:
            return "offline";
    }
    return "online";
}

json ids(const std::vector<Snowflake>& list) {
    json out = json::array();
    for (Snowflake id : list) {
        out.push_back(id.to_string());
    }
    return out;
}

template <class C>
std::error_code finish(const C&, const Profile& p, const json& d, std::string& out) {
    if (!p.accepts_command(C::opcode)) {
        return errc::unsupported_command;
    }
    out = d.dump();
    return {};
}

}  // namespace

std::error_code encode(const UpdatePresence& c, const Profile& p, std::string& out) {
    json d = {{"status", to_string(c.status)}, {"afk", c.afk}};
    if (is_fluxer(p)) {
        if (c.mobile) {
            d["mobile"] = *c.mobile;
        }
        if (c.custom_status) {
            json custom = {{"text", c.custom_status->text}};
            if (c.custom_status->emoji_id) {
                custom["emoji_id"] = c.custom_status->emoji_id->to_string();
            }
            if (c.custom_status->emoji_name) {
                custom["emoji_name"] = *c.custom_status->emoji_name;
            }
            if (c.custom_status->expires_at) {
                custom["expires_at"] = format_timestamp(*c.custom_status->expires_at);
            }
            d["custom_status"] = custom;
        }
    } else {
        d["since"] = c.idle_since_ms ? json(*c.idle_since_ms) : json(nullptr);
        d["activities"] = json::array();
        for (const Activity& a : c.activities) {
            json activity = {{"name", a.name}, {"type", a.type}};
            if (a.url) {
                activity["url"] = *a.url;
            }
            if (a.state) {
                activity["state"] = *a.state;
            }
            d["activities"].push_back(activity);
        }
    }
    return finish(c, p, d, out);
}

std::error_code encode(const UpdateVoiceState& c, const Profile& p, std::string& out) {
    if (!c.guild_id && !is_fluxer(p)) {
        return errc::invalid_command;  // Discord's voice is per guild
    }
    json d = {{"guild_id", c.guild_id ? json(c.guild_id->to_string()) : json(nullptr)},
              {"channel_id", c.channel_id ? json(c.channel_id->to_string()) : json(nullptr)},
              {"self_mute", c.self_mute},
              {"self_deaf", c.self_deaf}};
    if (is_fluxer(p)) {
        if (c.connection_id) {
            d["connection_id"] = *c.connection_id;
        }
        if (c.self_video) {
            d["self_video"] = *c.self_video;
        }
        if (c.self_stream) {
            d["self_stream"] = *c.self_stream;
        }
        if (c.is_mobile) {
            d["is_mobile"] = *c.is_mobile;
        }
        if (!c.viewer_stream_keys.empty()) {
            d["viewer_stream_keys"] = c.viewer_stream_keys;
        }
    }
    return finish(c, p, d, out);
}

std::error_code encode(const RequestGuildMembers& c, const Profile& p, std::string& out) {
    bool by_query = c.query.has_value();
    if (by_query == !c.user_ids.empty() || c.nonce.size() > max_nonce_bytes) {
        return errc::invalid_command;  // exactly one of query and user_ids
    }
    if (is_fluxer(p) && (c.limit > fluxer_max_members || c.user_ids.size() > fluxer_max_members)) {
        return errc::invalid_command;
    }
    json d = {{"guild_id", c.guild_id.to_string()}};
    if (by_query) {
        d["query"] = *c.query;
        d["limit"] = c.limit;
    } else {
        d["user_ids"] = ids(c.user_ids);
    }
    if (c.presences) {
        d["presences"] = true;
    }
    if (!c.nonce.empty()) {
        d["nonce"] = c.nonce;
    }
    return finish(c, p, d, out);
}

std::error_code encode(const LazyRequest& c, const Profile& p, std::string& out) {
    json subscriptions = json::object();
    for (const auto& [guild, s] : c.subscriptions) {
        json g = json::object();
        if (s.active) {
            g["active"] = *s.active;
        }
        if (s.sync) {
            g["sync"] = *s.sync;
        }
        if (s.typing) {
            g["typing"] = *s.typing;
        }
        if (!s.member_list_channels.empty()) {
            json channels = json::object();
            for (const auto& [channel, ranges] : s.member_list_channels) {
                json list = json::array();
                for (auto [start, end] : ranges) {
                    list.push_back({start, end});
                }
                channels[channel.to_string()] = list;
            }
            g["member_list_channels"] = channels;
        }
        if (!s.members.empty()) {
            g["members"] = ids(s.members);
        }
        subscriptions[guild.to_string()] = g;
    }
    return finish(c, p, {{"subscriptions", subscriptions}}, out);
}

std::error_code encode(const RequestGuildCounts& c, const Profile& p, std::string& out) {
    if (c.nonce.size() > max_nonce_bytes) {
        return errc::invalid_command;
    }
    json d = {{"guild_ids", ids(c.guild_ids)}};
    if (!c.nonce.empty()) {
        d["nonce"] = c.nonce;
    }
    return finish(c, p, d, out);
}

std::error_code encode(const RequestChannelMemberCounts& c, const Profile& p, std::string& out) {
    if (c.nonce.size() > max_nonce_bytes || c.channel_ids.empty()) {
        return errc::invalid_command;
    }
    json d = {{"guild_id", c.guild_id.to_string()}, {"channel_ids", ids(c.channel_ids)}};
    if (!c.nonce.empty()) {
        d["nonce"] = c.nonce;
    }
    return finish(c, p, d, out);
}

std::error_code encode(const RequestSoundboardSounds& c, const Profile& p, std::string& out) {
    return finish(c, p, {{"guild_ids", ids(c.guild_ids)}}, out);
}

}  // namespace gatewire::commands
