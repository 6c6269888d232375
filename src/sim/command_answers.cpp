// Replies to commands: member requests and the roster they read, lazy
// requests, counts, soundboard sounds. Presence and voice updates (ops 3 and
// 4) are only recorded.
#include "sim/gateway_server.hpp"

#include "sim/wire.hpp"

namespace gatewire::sim::detail {

using json = nlohmann::json;

namespace {

// Roster members' user ids start here: member-0 has this id.
constexpr std::uint64_t member_id_base = 5000000000000000000;

}  // namespace

void GatewayServer::send_own_dispatch(PeerId id, Peer& peer, const std::string& type,
                                      const std::string& data, bool keep) {
    Session& session = *peer.session;
    std::uint64_t seq = ++session.seq;
    std::string text = envelope(0, data, seq, type);
    if (keep) {
        session.keep(behaviour_, config_.replay_capacity, type, seq, text);
    }
    send(id, std::move(text));
    stats_.with([](SimStats& st) { ++st.dispatched; });
}

void GatewayServer::answer_command(PeerId id, Peer& peer, int op, const json& d, ServerTime now) {
    switch (op) {
        case 8:
            take_member_request(id, peer, d, now);
            break;
        case 14:  // a lazy request: the first page of each subscribed guild's member list
            if (d.is_object() && d.contains("subscriptions") && d["subscriptions"].is_object()) {
                for (const auto& [guild, subscription] : d["subscriptions"].items()) {
                    json sync = {{"op", "SYNC"}, {"range", {0, 99}}, {"items", json::array()}};
                    send_own_dispatch(id, peer, "GUILD_MEMBER_LIST_UPDATE",
                                      json{{"guild_id", guild},
                                           {"id", "everyone"},
                                           {"member_count", config_.members_per_guild},
                                           {"online_count", 0},
                                           {"groups", json::array()},
                                           {"ops", json::array({sync})}}
                                          .dump());
                }
            }
            break;
        case 15: {
            json counts = json::array();
            if (d.is_object() && d.contains("guild_ids") && d["guild_ids"].is_array()) {
                for (const auto& guild : d["guild_ids"]) {
                    counts.push_back({{"guild_id", guild},
                                      {"member_count", config_.members_per_guild},
                                      {"online_count", 0}});
                }
            }
            send_own_dispatch(id, peer, "GUILD_COUNTS_UPDATE", with_nonce({{"guilds", counts}}, d));
            break;
        }
        case 16: {
            json counts = json::object();
            if (d.is_object() && d.contains("channel_ids") && d["channel_ids"].is_array()) {
                for (const auto& channel : d["channel_ids"]) {
                    counts[channel.is_string() ? channel.get<std::string>() : channel.dump()] = 0;
                }
            } else if (d.is_object() && d.contains("channel_id") && d["channel_id"].is_string()) {
                counts[d["channel_id"].get<std::string>()] = 0;
            }
            send_own_dispatch(
                id, peer, "CHANNEL_MEMBER_COUNTS_UPDATE",
                with_nonce({{"guild_id", d.value("guild_id", json())}, {"member_counts", counts}},
                           d));
            break;
        }
        case 31:  // no sounds in the simulator's guilds
            if (d.is_object() && d.contains("guild_ids") && d["guild_ids"].is_array()) {
                for (const auto& guild : d["guild_ids"]) {
                    send_own_dispatch(
                        id, peer, "SOUNDBOARD_SOUNDS",
                        json{{"guild_id", guild}, {"soundboard_sounds", json::array()}}.dump());
                }
            }
            break;
        default:
            break;
    }
}

// Op 8 as the server schedules it: a few at once, one more waiting (a newer
// one replaces it), the rest dropped without a reply.
void GatewayServer::take_member_request(PeerId id, Peer& peer, const json& d, ServerTime now) {
    const ServerBehaviour& b = behaviour_;
    if (b.member_requests_at_once != 0 &&
        peer.member_requests_running >= b.member_requests_at_once) {
        if (peer.member_request_waiting) {
            stats_.with([](SimStats& st) { ++st.dropped_member_requests; });
        }
        peer.member_request_waiting = d;
        return;
    }
    if (b.member_request_time.count() == 0) {
        answer_member_request(id, peer, d);
        return;
    }
    ++peer.member_requests_running;
    peer.member_answers_due.emplace_back(now + b.member_request_time, d);
}

void GatewayServer::answer_due_member_requests(PeerId id, Peer& peer, ServerTime now) {
    while (!peer.member_answers_due.empty() && peer.member_answers_due.front().first <= now &&
           !peer.closing) {
        json d = std::move(peer.member_answers_due.front().second);
        peer.member_answers_due.pop_front();
        --peer.member_requests_running;
        if (!peer.session) {
            continue;
        }
        answer_member_request(id, peer, d);
        if (peer.member_request_waiting) {
            json next = std::move(*peer.member_request_waiting);
            peer.member_request_waiting.reset();
            take_member_request(id, peer, next, now);
        }
    }
}

// Op 8: the guild's roster (members_per_guild members named member-0, ...)
// filtered by query and limit or by user ids, in chunks of member_chunk_size.
void GatewayServer::answer_member_request(PeerId id, Peer& peer, const json& d) {
    if (!d.is_object() || !d.contains("guild_id") || !d["guild_id"].is_string()) {
        close_peer(id, peer, 4002);
        return;
    }
    std::string guild = d["guild_id"];
    bool presences = d.value("presences", false);
    json members = json::array();
    json not_found = json::array();
    auto member = [&](std::size_t i) {
        return json{{"user",
                     {{"id", std::to_string(member_id_base + i)},
                      {"username", "member-" + std::to_string(i)}}},
                    {"roles", json::array()},
                    {"joined_at", "2026-01-01T00:00:00+00:00"},
                    {"deaf", false},
                    {"mute", false}};
    };
    std::size_t roster = config_.members_per_guild;
    if (d.contains("user_ids") && d["user_ids"].is_array()) {
        for (const auto& user : d["user_ids"]) {
            std::uint64_t n =
                user.is_string() ? std::strtoull(user.get<std::string>().c_str(), nullptr, 10) : 0;
            if (n >= member_id_base && n < member_id_base + roster) {
                members.push_back(member(n - member_id_base));
            } else {
                not_found.push_back(user);
            }
        }
    } else {
        std::string query = d.value("query", "");
        std::size_t limit = d.value("limit", std::size_t{0});
        for (std::size_t i = 0; i < roster && (limit == 0 || members.size() < limit); ++i) {
            if (("member-" + std::to_string(i)).rfind(query, 0) == 0) {
                members.push_back(member(i));
            }
        }
    }
    std::size_t size = std::max<std::size_t>(1, config_.member_chunk_size);
    std::size_t count = std::max<std::size_t>(1, (members.size() + size - 1) / size);
    if (peer.withhold_member_chunks) {
        count = std::max<std::size_t>(count, 2);  // a second chunk that never comes
    }
    for (std::size_t index = 0; index < count; ++index) {
        if (peer.withhold_member_chunks && index > 0) {
            break;
        }
        json chunk = {{"guild_id", guild},
                      {"chunk_index", index},
                      {"chunk_count", count},
                      {"members", json::array()}};
        for (std::size_t i = index * size; i < std::min(members.size(), (index + 1) * size); ++i) {
            chunk["members"].push_back(members[i]);
            if (presences) {
                chunk["presences"].push_back(
                    {{"user", {{"id", members[i]["user"]["id"]}}}, {"status", "online"}});
            }
        }
        if (index == 0 && !not_found.empty()) {
            chunk["not_found"] = not_found;
        }
        send_own_dispatch(id, peer, "GUILD_MEMBERS_CHUNK", with_nonce(std::move(chunk), d));
    }
}

}  // namespace gatewire::sim::detail
