// Inside the simulator: the server (Simulator::Impl) with its sessions and
// connections, and one connection's state. Each part of the server's work
// lives in a file of its own: connection.cpp (the socket, its reads, writes
// and heartbeat watchdog), server_protocol.cpp (Identify, Resume, heartbeats,
// limits), command_answers.cpp (replies to commands, the member roster),
// http_endpoints.cpp, routing.cpp (dispatches to shards), faults.cpp and
// script.cpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include "gatewire/detail/zstd_stream_decoder.hpp"
#include "gatewire/sim/simulator.hpp"
#include "sim/outgoing_compressor.hpp"
#include "sim/wire.hpp"

namespace gatewire::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace detail {

struct Connection;

struct SimSession {
    std::string id;
    std::uint32_t shard_id = 0;
    std::uint32_t shard_count = 1;
    std::uint64_t seq = 0;
    std::uint64_t ack_seq = 0;  // the last seq a heartbeat acknowledged
    std::deque<std::pair<std::uint64_t, std::string>> replay;
    std::size_t replay_bytes = 0;
    std::weak_ptr<Connection> connection;

    void drop_replay_front() {
        replay_bytes -= replay.front().second.size();
        replay.pop_front();
    }
    // Keeps an event for a resume, as far as the server's rules allow.
    void keep(const ServerBehaviour& b, std::size_t capacity, const std::string& type,
              std::uint64_t event_seq, std::string text) {
        if (std::find(b.not_replayed.begin(), b.not_replayed.end(), type) != b.not_replayed.end() ||
            (b.replay_max_event_bytes != 0 && text.size() > b.replay_max_event_bytes)) {
            return;
        }
        replay_bytes += text.size();
        replay.emplace_back(event_seq, std::move(text));
        while (!replay.empty() &&
               (replay.size() > capacity ||
                (b.replay_max_bytes != 0 && replay_bytes > b.replay_max_bytes))) {
            drop_replay_front();
        }
    }
};

// What the writer sends next.
struct Outgoing {
    std::vector<std::string> parts;  // one WebSocket message each (or fragments)
    bool binary = false;
    bool fragments = false;  // parts are frames of one message
    std::optional<std::uint16_t> close;
};

}  // namespace detail

using detail::Connection;
using detail::envelope;
using detail::Outgoing;
using detail::SimSession;
using detail::use_awaitable_ec;
using detail::with_nonce;

// Owns the io_context that runs every connection: nothing inside holds the
// Impl alive, so destroying it (and the io_context) ends everything.
struct Simulator::Impl {
    SimConfig config;
    ServerBehaviour behaviour;
    double heartbeat_timeout_factor = 1.5;
    bool request_heartbeats = false;
    // The identify budget's fixed window (Fluxer counts per minute since the epoch).
    std::int64_t budget_window = -1;
    std::size_t budget_used = 0;
    std::size_t held_identifies = 0;  // Fault::Kind::hold_identifies
    net::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    std::uint16_t bound_port = 0;
    std::map<std::string, std::shared_ptr<SimSession>> sessions;
    std::list<std::weak_ptr<Connection>> connections;
    std::mt19937_64 engine{std::random_device{}()};
    std::uint64_t next_id = 0;
    std::map<std::uint32_t, SteadyClock::time_point>
        bucket_identified;  // last accepted, per bucket
    std::uint32_t session_starts_left = 0;
    SteadyClock::time_point session_starts_reset{};

    mutable std::mutex stats_mutex;
    SimStats stats;

    explicit Impl(SimConfig c)
        : config(std::move(c)),
          behaviour(config.behaviour.value_or(ServerBehaviour::for_profile(*config.profile))) {
        heartbeat_timeout_factor =
            config.heartbeat_timeout_factor.value_or(behaviour.heartbeat_timeout_factor);
        request_heartbeats = config.request_heartbeats.value_or(behaviour.request_heartbeats);
        if (config.command_limit == 0) {
            config.command_limit = config.profile->command_limit.count;
        }
        config.max_concurrency = std::max<std::uint32_t>(1, config.max_concurrency);
        session_starts_left = config.session_start_remaining;
        session_starts_reset = SteadyClock::now() + config.session_start_reset_after;
    }

    // The budget of new sessions left, refilled when its day is over.
    std::uint32_t session_starts(SteadyClock::time_point now);

    // What GET /gateway/bot and /.well-known/fluxer answer.
    std::string gateway_bot_json();
    std::string well_known_json() const;

    template <class F>
    void with_stats(F&& f) {
        std::lock_guard lock(stats_mutex);
        f(stats);
    }

    // Whether one more Identify or Resume fits the budget; past it the server
    // answers neither (Fluxer holds them without a word).
    bool within_identify_budget();

    std::string new_session_id();

    std::string snowflake();

    std::string url() const { return "ws://127.0.0.1:" + std::to_string(bound_port); }
    std::string http_url() const { return "http://127.0.0.1:" + std::to_string(bound_port); }

    net::awaitable<void> accept_loop();
    void do_dispatch(const std::string& type, const std::string& data);
    void do_fault(const Fault& fault);
    std::vector<std::shared_ptr<Connection>> open_connections();
    void refresh_ready_count();
    net::awaitable<void> play(std::vector<std::string> lines, std::function<void(bool)> done);
};

namespace detail {

struct Connection : std::enable_shared_from_this<Connection> {
    Simulator::Impl& sim;
    websocket::stream<beast::tcp_stream> ws;
    Compression compression = Compression::none;
    bool inbound_zstd = false;
    std::unique_ptr<OutgoingCompressor> compressor;
    std::optional<ZstdStreamDecoder> inbound;
    std::deque<Outgoing> outbox;
    bool writing = false;
    net::steady_timer stall_timer;
    net::steady_timer watchdog;
    SteadyClock::time_point stalled_until{};
    net::steady_timer read_pause_timer;
    SteadyClock::time_point reading_paused_until{};
    SteadyClock::time_point last_heartbeat = SteadyClock::now();
    bool withhold_acks = false;
    std::size_t split_next = 0;
    bool corrupt_next = false;
    bool closing = false;
    bool ended = false;
    bool withhold_member_chunks = false;  // answer member requests with their first chunk only
    static constexpr std::uint64_t member_id_base = 5000000000000000000;
    bool draining = false;  // op 7 sent: new events wait in the replay buffer
    std::shared_ptr<SimSession> session;
    std::deque<SteadyClock::time_point> received;
    std::deque<SteadyClock::time_point> presence_times;
    bool swap_next = false;           // hold the next message back until the one after
    std::optional<std::string> held;  // that message, not yet compressed
    // A resume whose replay waits for the first live event to overtake it.
    std::vector<std::string> pending_replay;
    bool replay_pending = false;
    std::size_t member_requests_running = 0;
    std::optional<json> member_request_waiting;

    Connection(Simulator::Impl& s, tcp::socket socket)
        : sim(s),
          ws(std::move(socket)),
          stall_timer(s.io),
          watchdog(s.io),
          read_pause_timer(s.io) {}

    bool ready() const { return session != nullptr && !closing && !ended && !draining; }

    void send_text(const std::string& text, bool count_as_compressed = true);

    // Sends what the resume held back: the replay, then RESUMED.
    void flush_replay();

    void send_now(const std::string& text, bool count_as_compressed);

    void send_payload(int op, const std::string& d, std::optional<std::uint64_t> s = {},
                      std::string_view t = {});

    void close(std::uint16_t code);

    void reset();

    void push(Outgoing out);

    static net::awaitable<void> write_loop(std::shared_ptr<Connection> self);

    static net::awaitable<void> run_watchdog(std::shared_ptr<Connection> self);

    static net::awaitable<void> serve(std::shared_ptr<Connection> self);

    // The few REST endpoints a gateway client asks before connecting.
    net::awaitable<void> answer_http(const http::request<http::string_body>& request);

    bool over_presence_limit();

    // A heartbeat's seq acknowledges events: the replay keeps only what is
    // after it. False when the connection is being closed for it.
    bool acknowledge(const json& d);

    bool over_rate_limit();

    void handle(const std::string& text);

    // A dispatch for this session alone (a reply to one of its commands).
    void send_own_dispatch(const std::string& type, const std::string& data, bool keep = true);

    // The replies a gateway sends to commands; presence and voice updates
    // (ops 3 and 4) are only recorded.
    void answer_command(int op, const json& d);

    // Op 8 as the server schedules it: a few at once, one more waiting (a
    // newer one replaces it), the rest dropped without a reply.
    void take_member_request(const json& d);

    // Op 8: the guild's roster (members_per_guild members named member-0, …)
    // filtered by query and limit or by user ids, in chunks of member_chunk_size.
    void answer_member_request(const json& d);

    bool token_ok(const json& d) const;

    void identify(const json& d);

    void resume(const json& d);
};

}  // namespace detail

}  // namespace gatewire::sim
