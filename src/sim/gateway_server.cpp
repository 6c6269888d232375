// The server's connections and their lifecycle: Hello, reading payloads,
// the heartbeat timeout, the end of a socket; routing dispatches to shards;
// the protocol's faults.
#include "sim/gateway_server.hpp"

#include <algorithm>

#include "sim/wire.hpp"

namespace gatewire::sim::detail {

using json = nlohmann::json;
using namespace std::chrono_literals;

void GatewayServer::Session::drop_replay_front() {
    replay_bytes -= replay.front().second.size();
    replay.pop_front();
}

void GatewayServer::Session::keep(const ServerBehaviour& b, std::size_t capacity,
                                  const std::string& type, std::uint64_t event_seq,
                                  std::string text) {
    if (std::find(b.not_replayed.begin(), b.not_replayed.end(), type) != b.not_replayed.end() ||
        (b.replay_max_event_bytes != 0 && text.size() > b.replay_max_event_bytes)) {
        return;
    }
    replay_bytes += text.size();
    replay.emplace_back(event_seq, std::move(text));
    while (!replay.empty() && (replay.size() > capacity ||
                               (b.replay_max_bytes != 0 && replay_bytes > b.replay_max_bytes))) {
        drop_replay_front();
    }
}

GatewayServer::GatewayServer(SimConfig config, ServerBehaviour behaviour, std::uint64_t seed,
                             ServerTime now)
    : config_(std::move(config)), behaviour_(std::move(behaviour)), engine_(seed) {
    heartbeat_timeout_factor_ =
        config_.heartbeat_timeout_factor.value_or(behaviour_.heartbeat_timeout_factor);
    request_heartbeats_ = config_.request_heartbeats.value_or(behaviour_.request_heartbeats);
    check_step_ = std::max<std::chrono::milliseconds>(
        5ms, request_heartbeats_ ? config_.heartbeat_interval / 3 : config_.heartbeat_interval / 8);
    if (config_.command_limit == 0) {
        config_.command_limit = config_.profile.command_limit.count;
    }
    config_.max_concurrency = std::max<std::uint32_t>(1, config_.max_concurrency);
    session_starts_left_ = config_.session_start_remaining;
    session_starts_reset_ = now + config_.session_start_reset_after;
}

void GatewayServer::set_url(std::string url, std::uint16_t port) {
    url_ = std::move(url);
    port_ = port;
}

GatewayServer::Peer* GatewayServer::find(PeerId peer) {
    auto it = peers_.find(peer);
    return it == peers_.end() ? nullptr : &it->second;
}

const GatewayServer::Peer* GatewayServer::find(PeerId peer) const {
    auto it = peers_.find(peer);
    return it == peers_.end() ? nullptr : &it->second;
}

std::optional<ServerAction> GatewayServer::poll() {
    if (actions_.empty()) {
        return std::nullopt;
    }
    ServerAction next = std::move(actions_.front());
    actions_.pop_front();
    return next;
}

std::vector<PeerId> GatewayServer::peers() const {
    std::vector<PeerId> ids;
    ids.reserve(peers_.size());
    for (const auto& [id, peer] : peers_) {
        ids.push_back(id);
    }
    return ids;
}

void GatewayServer::send(PeerId to, std::string text) {
    actions_.emplace_back(server_action::Send{to, std::move(text)});
}

void GatewayServer::send_payload(PeerId to, int op, const std::string& d,
                                 std::optional<std::uint64_t> s, std::string_view t) {
    send(to, envelope(op, d, s, t));
}

void GatewayServer::close_peer(PeerId id, Peer& peer, std::uint16_t code) {
    if (peer.closing) {
        return;
    }
    peer.closing = true;
    stats_.with([&](SimStats& st) { st.server_close_codes.push_back(code); });
    actions_.emplace_back(server_action::Close{id, code});
    refresh_ready_count();
}

void GatewayServer::refresh_ready_count() {
    std::uint64_t ready = 0;
    for (const auto& [id, peer] : peers_) {
        ready += peer.ready() ? 1 : 0;
    }
    stats_.with([&](SimStats& st) { st.ready_sessions = ready; });
}

Opened GatewayServer::open(std::string_view target, ServerTime now) {
    Opened opened;
    opened.id = ++next_peer_;
    Peer& peer = peers_[opened.id];
    stats_.with([](SimStats& st) { ++st.open_connections; });

    const Profile& profile = config_.profile;
    opened.compression =
        parse_compression(query_value(target, "compress")).value_or(Compression::none);
    opened.inbound_zstd = opened.compression == Compression::zstd_stream &&
                          profile.compresses_client_messages_with_zstd &&
                          query_value(target, "stream") == "1";
    if (query_value(target, "v") != std::to_string(profile.api_version)) {
        close_peer(opened.id, peer, 4012);
    } else if (!profile.offers(opened.compression)) {
        close_peer(opened.id, peer, 4002);
    } else {
        send_payload(
            opened.id, 10,
            "{\"heartbeat_interval\":" + std::to_string(config_.heartbeat_interval.count()) + "}");
        watch(opened.id, peer, now);
    }
    return opened;
}

// The heartbeat timeout starts with Hello.
void GatewayServer::watch(PeerId, Peer& peer, ServerTime now) {
    peer.watched = true;
    peer.last_heartbeat = now;
    peer.next_check = now + check_step_;
}

void GatewayServer::received(PeerId id, std::string_view text, ServerTime now) {
    Peer* found = find(id);
    if (!found || found->closing) {
        return;
    }
    Peer& peer = *found;
    std::size_t max_payload = behaviour_.max_payload_bytes != 0 ? behaviour_.max_payload_bytes
                                                                : config_.profile.max_command_bytes;
    if (text.size() > max_payload) {
        close_peer(id, peer, 4002);
        return;
    }
    if (over_rate_limit(peer, now)) {
        close_peer(id, peer, 4008);
        return;
    }
    json payload = json::parse(text, nullptr, false);
    if (!payload.is_object() || !payload.contains("op") || !payload["op"].is_number_integer()) {
        close_peer(id, peer, 4002);
        return;
    }
    int op = payload["op"].get<int>();
    const json& d = payload.contains("d") ? payload["d"] : json();
    switch (op) {
        case 1:
            heartbeat(id, peer, d, now);
            return;
        case 2:
            identify(id, peer, d, now);
            return;
        case 6:
            resume(id, peer, d, now);
            return;
        case 3:
            if (peer.session && over_presence_limit(peer, now)) {
                stats_.with([](SimStats& st) { ++st.dropped_presences; });
                return;  // Fluxer drops it without a word
            }
            [[fallthrough]];
        case 4:
        case 8:
        case 14:
        case 15:
        case 16:
        case 31:
            if (!peer.session) {
                close_peer(id, peer, 4003);
                return;
            }
            stats_.with([&](SimStats& st) {
                ++st.commands;
                st.commands_received.emplace_back(text);
            });
            answer_command(id, peer, op, d, now);
            return;
        default:
            close_peer(id, peer, 4001);
            return;
    }
}

void GatewayServer::tick(PeerId id, ServerTime now) {
    Peer* found = find(id);
    if (!found || found->closing) {
        return;
    }
    Peer& peer = *found;
    if (peer.replay_due && *peer.replay_due <= now) {
        flush_replay(id, peer);
    }
    answer_due_member_requests(id, peer, now);
    if (!peer.watched || peer.closing || now < peer.next_check) {
        return;
    }
    auto interval = config_.heartbeat_interval;
    while (peer.next_check <= now) {
        peer.next_check += check_step_;
    }
    auto timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(interval * heartbeat_timeout_factor_);
    auto quiet = now - peer.last_heartbeat;
    if (quiet > timeout) {
        if (config_.profile.close_rule(4009).action == CloseAction::identify && peer.session) {
            sessions_.erase(peer.session->id);  // this gateway ends the session on a timeout
        }
        close_peer(id, peer, 4009);
        return;
    }
    if (request_heartbeats_ && quiet > interval * 9 / 10) {
        // Asked again at every check until a heartbeat comes.
        stats_.with([](SimStats& st) { ++st.heartbeat_requests; });
        send_payload(id, 1, "null");
    }
}

ServerTime GatewayServer::next_deadline(PeerId id) const {
    const Peer* peer = find(id);
    if (!peer || peer->closing) {
        return ServerTime::max();
    }
    ServerTime next = peer->watched ? peer->next_check : ServerTime::max();
    if (peer->replay_due) {
        next = std::min(next, *peer->replay_due);
    }
    if (!peer->member_answers_due.empty()) {
        next = std::min(next, peer->member_answers_due.front().first);
    }
    return next;
}

void GatewayServer::close(PeerId id, std::uint16_t code) {
    if (Peer* peer = find(id)) {
        close_peer(id, *peer, code);
    }
}

void GatewayServer::cut(PeerId id) {
    if (Peer* peer = find(id)) {
        peer->closing = true;
        refresh_ready_count();
    }
}

bool GatewayServer::reading(PeerId id) const {
    const Peer* peer = find(id);
    return peer && !peer->closing;
}

void GatewayServer::ended(PeerId id, std::optional<std::uint16_t> client_code) {
    Peer* found = find(id);
    if (!found) {
        return;
    }
    Peer& peer = *found;
    if (client_code && !peer.closing) {
        stats_.with([&](SimStats& st) { st.client_close_codes.push_back(*client_code); });
        if ((*client_code == 1000 || *client_code == 1001) && peer.session) {
            sessions_.erase(peer.session->id);  // a normal close ends the session
        }
    }
    if (peer.session && peer.session->peer == id) {
        peer.session->peer.reset();
    }
    peers_.erase(id);
    stats_.with([](SimStats& st) { --st.open_connections; });
    refresh_ready_count();
}

void GatewayServer::flush_replay(PeerId id, Peer& peer) {
    if (!peer.replay_pending) {
        return;
    }
    peer.replay_pending = false;
    peer.replay_due.reset();
    for (std::string& text : peer.pending_replay) {
        send(id, std::move(text));
    }
    peer.pending_replay.clear();
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

void GatewayServer::dispatch(const std::string& type, const std::string& data) {
    std::optional<std::uint64_t> guild = guild_of(type, data);
    for (auto& [session_id, session] : sessions_) {
        // A guild's events go to its shard; the rest (DMs) to shard 0.
        std::uint32_t owner =
            guild ? static_cast<std::uint32_t>((*guild >> 22) % std::max(1U, session->shard_count))
                  : 0;
        if (session->shard_id != owner) {
            continue;
        }
        std::uint64_t seq = ++session->seq;
        std::string text = envelope(0, data, seq, type);
        session->keep(behaviour_, config_.replay_capacity, type, seq, text);
        if (Peer* peer = session->peer ? find(*session->peer) : nullptr; peer && peer->ready()) {
            send(*session->peer, std::move(text));
            flush_replay(*session->peer, *peer);  // a resume's replay leaves behind it
        }
        stats_.with([](SimStats& st) { ++st.dispatched; });
    }
}

void GatewayServer::fault(const Fault& fault, ServerTime now) {
    if (fault.kind == Fault::Kind::hold_identifies) {
        held_identifies_ = fault.count;
        return;
    }
    for (auto& [id, peer] : peers_) {
        switch (fault.kind) {
            case Fault::Kind::reconnect:
                send_payload(id, 7, "null");
                peer.draining = true;
                if (!config_.profile.has_resume_gateway_url) {
                    close_peer(id, peer, 4000);  // Fluxer drains the socket itself
                }
                break;
            case Fault::Kind::invalid_session:
                if (!fault.flag && peer.session) {
                    sessions_.erase(peer.session->id);
                    peer.session.reset();
                }
                send_payload(id, 9, fault.flag ? "true" : "false");
                break;
            case Fault::Kind::close:
                close_peer(id, peer, fault.code);
                break;
            case Fault::Kind::withhold_acks:
                peer.withhold_acks = fault.flag;
                break;
            case Fault::Kind::stall:
                peer.acks_withheld_until = now + fault.duration;
                break;
            case Fault::Kind::heartbeat_request:
                send_payload(id, 1, "null");
                break;
            case Fault::Kind::withhold_member_chunks:
                peer.withhold_member_chunks = fault.flag;
                break;
            case Fault::Kind::unknown_opcode:
                send_payload(id, fault.code, "{}");
                break;
            case Fault::Kind::garbage:
                send(id, "this is not json");
                break;
            default:
                break;  // the wire's, not the protocol's
        }
    }
    refresh_ready_count();
}

std::string GatewayServer::gateway_bot_json(ServerTime now) {
    std::uint32_t left = session_starts(now);
    auto reset_after =
        std::chrono::duration_cast<std::chrono::milliseconds>(session_starts_reset_ - now);
    return json{{"url", url_},
                {"shards", config_.shards},
                {"session_start_limit",
                 {{"total", config_.session_start_total},
                  {"remaining", left},
                  {"reset_after", reset_after.count()},
                  {"max_concurrency", config_.max_concurrency}}}}
        .dump();
}

std::string GatewayServer::current_user_json() {
    return json{{"id", "1103289870211317770"},
                {"username", "simbot"},
                {"bot", true},
                {"discriminator", "0"},
                {"global_name", nullptr},
                {"avatar", nullptr},
                {"flags", 0},
                {"verified", true},
                {"mfa_enabled", false}}
        .dump();
}

std::string GatewayServer::application_json() {
    json owner = {{"id", "1103289870211317000"},
                  {"username", "simowner"},
                  {"discriminator", "0"},
                  {"global_name", nullptr},
                  {"avatar", nullptr}};
    return json{{"id", "1103289870211317770"},
                {"name", "simbot"},
                {"description", "gatewire-sim's bot"},
                {"icon", nullptr},
                {"rpc_origins", json::array()},
                {"bot_public", true},
                {"bot_require_code_grant", false},
                {"owner", owner},
                {"verify_key", "0000000000000000000000000000000000000000000000000000000000000000"},
                {"flags", 0}}
        .dump();
}

std::string GatewayServer::well_known_json(const std::string& http_url) const {
    return json{{"api_code_version", 1},
                {"endpoints", {{"api", http_url + "/api"}, {"gateway", url_}}}}
        .dump();
}

}  // namespace gatewire::sim::detail
