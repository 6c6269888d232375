#include "gatewire/protocol/commands.hpp"

#include <nlohmann/json.hpp>

#include "gatewire/core/error.hpp"

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

json value(Snowflake id) {
    return id.to_string();
}
json value(Timestamp t) {
    return format_timestamp(t);
}
template <class T>
json value(const T& v) {
    return v;
}

// Optional fields are left out when absent.
template <class T>
void put(json& d, const char* key, const std::optional<T>& v) {
    if (v) {
        d[key] = value(*v);
    }
}

bool nonce_fits(const std::string& nonce) {
    return nonce.size() <= max_nonce_bytes;
}
void put_nonce(json& d, const std::string& nonce) {
    if (!nonce.empty()) {
        d["nonce"] = nonce;
    }
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
    // A field only the other gateway reads would be lost without a word.
    bool other_gateways_fields =
        is_fluxer(p) ? c.idle_since_ms || !c.activities.empty() : c.mobile || c.custom_status;
    if (other_gateways_fields) {
        return errc::invalid_command;
    }
    json d = {{"status", to_string(c.status)}, {"afk", c.afk}};
    if (is_fluxer(p)) {
        put(d, "mobile", c.mobile);
        if (c.custom_status) {
            json custom = {{"text", c.custom_status->text}};
            put(custom, "emoji_id", c.custom_status->emoji_id);
            put(custom, "emoji_name", c.custom_status->emoji_name);
            put(custom, "expires_at", c.custom_status->expires_at);
            d["custom_status"] = custom;
        }
    } else {
        d["since"] = c.idle_since_ms ? json(*c.idle_since_ms) : json(nullptr);
        d["activities"] = json::array();
        for (const Activity& a : c.activities) {
            json activity = {{"name", a.name}, {"type", a.type}};
            put(activity, "url", a.url);
            put(activity, "state", a.state);
            d["activities"].push_back(activity);
        }
    }
    return finish(c, p, d, out);
}

std::error_code encode(const UpdateVoiceState& c, const Profile& p, std::string& out) {
    if (!c.guild_id && !is_fluxer(p)) {
        return errc::invalid_command;  // Discord's voice is per guild
    }
    json d = {{"guild_id", c.guild_id ? value(*c.guild_id) : json(nullptr)},
              {"channel_id", c.channel_id ? value(*c.channel_id) : json(nullptr)},
              {"self_mute", c.self_mute},
              {"self_deaf", c.self_deaf}};
    if (is_fluxer(p)) {
        put(d, "connection_id", c.connection_id);
        put(d, "self_video", c.self_video);
        put(d, "self_stream", c.self_stream);
        put(d, "is_mobile", c.is_mobile);
        if (!c.viewer_stream_keys.empty()) {
            d["viewer_stream_keys"] = c.viewer_stream_keys;
        }
    }
    return finish(c, p, d, out);
}

std::error_code encode(const RequestGuildMembers& c, const Profile& p, std::string& out) {
    bool by_query = c.query.has_value();
    if (by_query == !c.user_ids.empty() || !nonce_fits(c.nonce)) {
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
    put_nonce(d, c.nonce);
    return finish(c, p, d, out);
}

std::error_code encode(const LazyRequest& c, const Profile& p, std::string& out) {
    json subscriptions = json::object();
    for (const auto& [guild, s] : c.subscriptions) {
        json g = json::object();
        put(g, "active", s.active);
        put(g, "sync", s.sync);
        put(g, "typing", s.typing);
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
    if (!nonce_fits(c.nonce)) {
        return errc::invalid_command;
    }
    json d = {{"guild_ids", ids(c.guild_ids)}};
    put_nonce(d, c.nonce);
    return finish(c, p, d, out);
}

std::error_code encode(const RequestChannelMemberCounts& c, const Profile& p, std::string& out) {
    if (!nonce_fits(c.nonce) || c.channel_ids.empty()) {
        return errc::invalid_command;
    }
    json d = {{"guild_id", c.guild_id.to_string()}, {"channel_ids", ids(c.channel_ids)}};
    put_nonce(d, c.nonce);
    return finish(c, p, d, out);
}

std::error_code encode(const RequestSoundboardSounds& c, const Profile& p, std::string& out) {
    return finish(c, p, {{"guild_ids", ids(c.guild_ids)}}, out);
}

}  // namespace gatewire::commands
