// The simulated gateway's side of the protocol, with no socket and no clock:
// what each connection's payloads get (Hello, Identify, Resume, heartbeats,
// commands), the sessions and their replay buffers, the limits and budgets,
// and the dispatches routed to shards. As with the client's Session, the
// owner feeds in what happened and when, and carries out the actions it asks
// for (send a payload, close a connection), so every server rule is testable
// with a manual clock (tests/unit/test_sim_server.cpp). The faults that are
// the wire's (stalls, resets, split or damaged frames) stay with the
// transport, in connection.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "gatewire/core/compression.hpp"
#include "gatewire/sim/simulator.hpp"

namespace gatewire::sim::detail {

using SteadyClock = std::chrono::steady_clock;
using ServerTime = SteadyClock::time_point;
using PeerId = std::uint64_t;

namespace server_action {
// One payload, as JSON text: the transport compresses and frames it.
struct Send {
    PeerId to = 0;
    std::string text;
};
struct Close {
    PeerId to = 0;
    std::uint16_t code = 0;
};
}  // namespace server_action

using ServerAction = std::variant<server_action::Send, server_action::Close>;

// What a new connection speaks, read from its request target.
struct Opened {
    PeerId id = 0;
    Compression compression = Compression::none;
    bool inbound_zstd = false;  // the client compresses its own messages (Fluxer's stream=1)
};

// The counters tests and scripts read from other threads.
class LockedStats {
  public:
    template <class F>
    void with(F&& f) {
        std::lock_guard lock(mutex_);
        f(stats_);
    }
    SimStats snapshot() const {
        std::lock_guard lock(mutex_);
        return stats_;
    }

  private:
    mutable std::mutex mutex_;
    SimStats stats_;
};

class GatewayServer {
  public:
    // Starts at `now`: the session start budget's day begins then.
    GatewayServer(SimConfig config, ServerBehaviour behaviour, std::uint64_t seed, ServerTime now);

    const SimConfig& config() const { return config_; }
    const ServerBehaviour& behaviour() const { return behaviour_; }
    LockedStats& stats() { return stats_; }

    // The ws:// URL this server is reached at: READY's resume_gateway_url
    // names it by another spelling, GET /gateway/bot as it is.
    void set_url(std::string url, std::uint16_t port);

    // A WebSocket upgraded for `target`: Hello, or a close for a wrong
    // version or compression.
    Opened open(std::string_view target, ServerTime now);
    // One whole client message, inflated.
    void received(PeerId peer, std::string_view text, ServerTime now);
    // Time passed: the heartbeat timeout, the server's own op 1, and the
    // replays and member answers that were waiting.
    void tick(PeerId peer, ServerTime now);
    // When tick() has something to do next (max() when nothing).
    ServerTime next_deadline(PeerId peer) const;
    // The transport closes it (a damaged inbound frame), as the server would.
    void close(PeerId peer, std::uint16_t code);
    // The transport cut it without a Close: nothing more goes out on it.
    void cut(PeerId peer);
    // Whether payloads from it are still read (not once it is being closed).
    bool reading(PeerId peer) const;
    // The socket is gone; the client's close code when it sent a Close first.
    void ended(PeerId peer, std::optional<std::uint16_t> client_code);

    // An event for the shard its guild belongs to (the rest to shard 0).
    void dispatch(const std::string& type, const std::string& data);
    // The faults that are the protocol's; the others are ignored here.
    void fault(const Fault& fault, ServerTime now);

    std::vector<PeerId> peers() const;
    std::string gateway_bot_json(ServerTime now);
    std::string well_known_json(const std::string& http_url) const;
    // The bot's own user, as READY and GET /users/@me give it.
    static std::string current_user_json();
    // GET /oauth2/applications/@me: the bot's application, owned by a user.
    static std::string application_json();

    std::optional<ServerAction> poll();

  private:
    struct Session {
        std::string id;
        std::uint32_t shard_id = 0;
        std::uint32_t shard_count = 1;
        std::uint64_t seq = 0;
        std::uint64_t ack_seq = 0;  // the last seq a heartbeat acknowledged
        std::deque<std::pair<std::uint64_t, std::string>> replay;
        std::size_t replay_bytes = 0;
        std::optional<PeerId> peer;

        void drop_replay_front();
        // Keeps an event for a resume, as far as the server's rules allow.
        void keep(const ServerBehaviour& b, std::size_t capacity, const std::string& type,
                  std::uint64_t event_seq, std::string text);
    };

    struct Peer {
        std::shared_ptr<Session> session;
        bool closing = false;
        bool draining = false;  // op 7 sent: new events wait in the replay buffer
        bool withhold_acks = false;
        ServerTime acks_withheld_until{};  // a stall
        bool withhold_member_chunks = false;
        bool watched = false;  // Hello sent: the heartbeat timeout runs
        ServerTime last_heartbeat{};
        ServerTime next_check = ServerTime::max();
        std::deque<ServerTime> received;
        std::deque<ServerTime> presence_times;
        // A resume's replay, waiting for the first live event to overtake it.
        std::vector<std::string> pending_replay;
        bool replay_pending = false;
        std::optional<ServerTime> replay_due;
        std::deque<std::pair<ServerTime, nlohmann::json>> member_answers_due;
        std::size_t member_requests_running = 0;
        std::optional<nlohmann::json> member_request_waiting;

        bool ready() const { return session != nullptr && !closing && !draining; }
    };

    Peer* find(PeerId peer);
    const Peer* find(PeerId peer) const;
    void send(PeerId to, std::string text);
    void send_payload(PeerId to, int op, const std::string& d, std::optional<std::uint64_t> s = {},
                      std::string_view t = {});
    void close_peer(PeerId id, Peer& peer, std::uint16_t code);
    void refresh_ready_count();
    void flush_replay(PeerId id, Peer& peer);
    void watch(PeerId id, Peer& peer, ServerTime now);

    // server_limits.cpp: heartbeats, rate limits and budgets.
    void heartbeat(PeerId id, Peer& peer, const nlohmann::json& d, ServerTime now);
    bool acknowledge(PeerId id, Peer& peer, const nlohmann::json& d);
    bool over_rate_limit(Peer& peer, ServerTime now);
    bool over_presence_limit(Peer& peer, ServerTime now);
    bool within_identify_budget(ServerTime now);
    std::uint32_t session_starts(ServerTime now);
    bool token_ok(const nlohmann::json& d) const;

    // server_sessions.cpp: Identify, READY and Resume.
    void identify(PeerId id, Peer& peer, const nlohmann::json& d, ServerTime now);
    void resume(PeerId id, Peer& peer, const nlohmann::json& d, ServerTime now);
    nlohmann::json ready_payload(const Session& session, const nlohmann::json& shard,
                                 nlohmann::json guilds);
    std::string new_session_id();
    std::string snowflake();

    // command_answers.cpp: replies to commands, the member roster.
    void send_own_dispatch(PeerId id, Peer& peer, const std::string& type, const std::string& data,
                           bool keep = true);
    void answer_command(PeerId id, Peer& peer, int op, const nlohmann::json& d, ServerTime now);
    void take_member_request(PeerId id, Peer& peer, const nlohmann::json& d, ServerTime now);
    void answer_member_request(PeerId id, Peer& peer, const nlohmann::json& d);
    void answer_due_member_requests(PeerId id, Peer& peer, ServerTime now);

    SimConfig config_;
    ServerBehaviour behaviour_;
    double heartbeat_timeout_factor_ = 1.5;
    bool request_heartbeats_ = false;
    // How often the heartbeat timeout is checked: every eighth of the
    // interval (Fluxer every third, asking for heartbeats too).
    std::chrono::milliseconds check_step_{};
    std::string url_;
    std::uint16_t port_ = 0;
    LockedStats stats_;
    std::deque<ServerAction> actions_;
    std::map<PeerId, Peer> peers_;
    PeerId next_peer_ = 0;
    std::map<std::string, std::shared_ptr<Session>> sessions_;
    std::mt19937_64 engine_;
    std::uint64_t next_id_ = 0;
    // The identify budget's fixed window (Fluxer counts per minute since the epoch).
    std::int64_t budget_window_ = -1;
    std::size_t budget_used_ = 0;
    std::size_t held_identifies_ = 0;                        // Fault::Kind::hold_identifies
    std::map<std::uint32_t, ServerTime> bucket_identified_;  // last accepted, per bucket
    std::uint32_t session_starts_left_ = 0;
    ServerTime session_starts_reset_;
};

}  // namespace gatewire::sim::detail
