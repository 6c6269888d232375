// The server's rules on what a client sends: heartbeats and what they
// acknowledge, the command and presence rate limits, the identify budget and
// the daily session starts.
#include "sim/gateway_server.hpp"

namespace gatewire::sim::detail {

using json = nlohmann::json;

void GatewayServer::heartbeat(PeerId id, Peer& peer, const json& d, ServerTime now) {
    peer.last_heartbeat = now;
    if (!acknowledge(id, peer, d)) {
        return;
    }
    stats_.with([&](SimStats& st) {
        ++st.heartbeats;
        if (d.is_number_unsigned()) {
            st.last_heartbeat_seq = d.get<std::uint64_t>();
        }
    });
    if (!peer.withhold_acks && now >= peer.acks_withheld_until) {
        send_payload(id, 11, "null");
    }
}

// A heartbeat's seq acknowledges events: the replay keeps only what is after
// it. False when the connection is being closed for it.
bool GatewayServer::acknowledge(PeerId id, Peer& peer, const json& d) {
    if (!behaviour_.heartbeat_acknowledges || !peer.session || !d.is_number_unsigned()) {
        return true;
    }
    Session& session = *peer.session;
    auto acked = d.get<std::uint64_t>();
    if (acked < session.ack_seq) {
        if (behaviour_.heartbeat_below_ack_closes) {
            close_peer(id, peer, 4007);
            return false;
        }
        return true;
    }
    session.ack_seq = std::min(acked, session.seq);
    while (!session.replay.empty() && session.replay.front().first <= session.ack_seq) {
        session.drop_replay_front();
    }
    return true;
}

bool GatewayServer::over_rate_limit(Peer& peer, ServerTime now) {
    peer.received.push_back(now);
    while (!peer.received.empty() &&
           peer.received.front() + config_.profile.command_limit.per <= now) {
        peer.received.pop_front();
    }
    return peer.received.size() > config_.command_limit;
}

bool GatewayServer::over_presence_limit(Peer& peer, ServerTime now) {
    if (!behaviour_.presence_limit) {
        return false;
    }
    while (!peer.presence_times.empty() &&
           peer.presence_times.front() + behaviour_.presence_limit->per <= now) {
        peer.presence_times.pop_front();
    }
    if (peer.presence_times.size() >= behaviour_.presence_limit->count) {
        return true;
    }
    peer.presence_times.push_back(now);
    return false;
}

// Whether one more Identify or Resume fits the budget; past it the server
// answers neither (Fluxer holds them without a word).
bool GatewayServer::within_identify_budget(ServerTime now) {
    if (held_identifies_ > 0) {
        --held_identifies_;
        stats_.with([](SimStats& st) { ++st.unanswered; });
        return false;
    }
    if (!behaviour_.identify_budget) {
        return true;
    }
    auto since = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    std::int64_t window = since.count() / behaviour_.identify_budget->per.count();
    if (window != budget_window_) {
        budget_window_ = window;
        budget_used_ = 0;
    }
    if (budget_used_ >= behaviour_.identify_budget->count) {
        stats_.with([](SimStats& st) { ++st.unanswered; });
        return false;
    }
    ++budget_used_;
    return true;
}

// The budget of new sessions left, refilled when its day is over.
std::uint32_t GatewayServer::session_starts(ServerTime now) {
    if (now >= session_starts_reset_) {
        session_starts_left_ = config_.session_start_total;
        session_starts_reset_ = now + config_.session_start_reset_after;
    }
    return session_starts_left_;
}

bool GatewayServer::token_ok(const json& d) const {
    return config_.token.empty() ||
           (d.is_object() && d.contains("token") && d["token"] == config_.token);
}

}  // namespace gatewire::sim::detail
