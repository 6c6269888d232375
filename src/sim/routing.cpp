// Which connections are open, and which session each dispatch goes to.
#include "sim/server_state.hpp"

namespace gatewire::sim {

using namespace std::chrono_literals;

std::vector<std::shared_ptr<Connection>> Simulator::Impl::open_connections() {
    std::vector<std::shared_ptr<Connection>> open;
    for (auto it = connections.begin(); it != connections.end();) {
        if (auto c = it->lock(); c && !c->ended) {
            open.push_back(c);
            ++it;
        } else {
            it = connections.erase(it);
        }
    }
    return open;
}

void Simulator::Impl::refresh_ready_count() {
    std::uint64_t ready = 0;
    for (auto& c : open_connections()) {
        ready += c->ready() ? 1 : 0;
    }
    with_stats([&](SimStats& st) { st.ready_sessions = ready; });
}

namespace {

// The guild an event belongs to, if any: its guild_id, or the id of a guild event.
std::optional<std::uint64_t> guild_of(const std::string& type, const std::string& data) {
    json d = json::parse(data, nullptr, false);
    if (!d.is_object()) {
        return std::nullopt;
    }
    const char* field = d.contains("guild_id")                             ? "guild_id"
                        : type.rfind("GUILD_", 0) == 0 && d.contains("id") ? "id"
                                                                           : nullptr;
    if (!field || !d[field].is_string()) {
        return std::nullopt;
    }
    return std::strtoull(d[field].get<std::string>().c_str(), nullptr, 10);
}

}  // namespace

void Simulator::Impl::do_dispatch(const std::string& type, const std::string& data) {
    std::optional<std::uint64_t> guild = guild_of(type, data);
    for (auto& [id, session] : sessions) {
        // A guild's events go to its shard; the rest (DMs) to shard 0.
        std::uint32_t owner =
            guild ? static_cast<std::uint32_t>((*guild >> 22) % std::max(1U, session->shard_count))
                  : 0;
        if (session->shard_id != owner) {
            continue;
        }
        std::uint64_t seq = ++session->seq;
        std::string text = envelope(0, data, seq, type);
        session->keep(behaviour, config.replay_capacity, type, seq, text);
        if (auto c = session->connection.lock(); c && c->ready()) {
            c->send_text(text);
            c->flush_replay();  // a resume's replay leaves behind the first live event
        }
        with_stats([](SimStats& st) { ++st.dispatched; });
    }
}

}  // namespace gatewire::sim
