// Replies to commands: member requests and the roster they read, lazy
// requests, counts, soundboard sounds.
#include "sim/server_state.hpp"

namespace gatewire::sim {

using namespace std::chrono_literals;

namespace detail {

void Connection::send_own_dispatch(const std::string& type, const std::string& data, bool keep) {
    std::uint64_t seq = ++session->seq;
    std::string text = envelope(0, data, seq, type);
    if (keep) {
        session->keep(sim.behaviour, sim.config.replay_capacity, type, seq, text);
    }
    send_text(text);
    sim.with_stats([](SimStats& st) { ++st.dispatched; });
}

void Connection::answer_command(int op, const json& d) {
    switch (op) {
        case 8:
            take_member_request(d);
            break;
        case 14:  // a lazy request: the first page of each subscribed guild's member list
            if (d.is_object() && d.contains("subscriptions") && d["subscriptions"].is_object()) {
                for (const auto& [guild, subscription] : d["subscriptions"].items()) {
                    json sync = {{"op", "SYNC"}, {"range", {0, 99}}, {"items", json::array()}};
                    send_own_dispatch("GUILD_MEMBER_LIST_UPDATE",
                                      json{{"guild_id", guild},
                                           {"id", "everyone"},
                                           {"member_count", sim.config.members_per_guild},
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
                                      {"member_count", sim.config.members_per_guild},
                                      {"online_count", 0}});
                }
            }
            send_own_dispatch("GUILD_COUNTS_UPDATE", with_nonce({{"guilds", counts}}, d));
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
                "CHANNEL_MEMBER_COUNTS_UPDATE",
                with_nonce({{"guild_id", d.value("guild_id", json())}, {"member_counts", counts}},
                           d));
            break;
        }
        case 31:  // no sounds in the simulator's guilds
            if (d.is_object() && d.contains("guild_ids") && d["guild_ids"].is_array()) {
                for (const auto& guild : d["guild_ids"]) {
                    send_own_dispatch(
                        "SOUNDBOARD_SOUNDS",
                        json{{"guild_id", guild}, {"soundboard_sounds", json::array()}}.dump());
                }
            }
            break;
        default:
            break;
    }
}

void Connection::take_member_request(const json& d) {
    const ServerBehaviour& b = sim.behaviour;
    if (b.member_requests_at_once != 0 && member_requests_running >= b.member_requests_at_once) {
        if (member_request_waiting) {
            sim.with_stats([](SimStats& st) { ++st.dropped_member_requests; });
        }
        member_request_waiting = d;
        return;
    }
    if (b.member_request_time.count() == 0) {
        answer_member_request(d);
        return;
    }
    ++member_requests_running;
    auto timer = std::make_shared<net::steady_timer>(sim.io, b.member_request_time);
    timer->async_wait([self = shared_from_this(), timer, d](beast::error_code) {
        --self->member_requests_running;
        if (self->ended || self->closing || !self->session) {
            return;
        }
        self->answer_member_request(d);
        if (self->member_request_waiting) {
            json next = std::move(*self->member_request_waiting);
            self->member_request_waiting.reset();
            self->take_member_request(next);
        }
    });
}

void Connection::answer_member_request(const json& d) {
    if (!d.is_object() || !d.contains("guild_id") || !d["guild_id"].is_string()) {
        close(4002);
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
    std::size_t roster = sim.config.members_per_guild;
    if (d.contains("user_ids") && d["user_ids"].is_array()) {
        for (const auto& id : d["user_ids"]) {
            std::uint64_t n =
                id.is_string() ? std::strtoull(id.get<std::string>().c_str(), nullptr, 10) : 0;
            if (n >= member_id_base && n < member_id_base + roster) {
                members.push_back(member(n - member_id_base));
            } else {
                not_found.push_back(id);
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
    std::size_t size = std::max<std::size_t>(1, sim.config.member_chunk_size);
    std::size_t count = std::max<std::size_t>(1, (members.size() + size - 1) / size);
    if (withhold_member_chunks) {
        count = std::max<std::size_t>(count, 2);  // a second chunk that never comes
    }
    for (std::size_t index = 0; index < count; ++index) {
        if (withhold_member_chunks && index > 0) {
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
        send_own_dispatch("GUILD_MEMBERS_CHUNK", with_nonce(std::move(chunk), d));
    }
}

}  // namespace detail

}  // namespace gatewire::sim
