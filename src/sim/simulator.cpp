#include "gatewire/sim/simulator.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "gatewire/detail/zstd_stream_decoder.hpp"

namespace gatewire::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

auto use_awaitable_ec(beast::error_code& ec) {
    return net::redirect_error(net::use_awaitable, ec);
}

std::string query_value(std::string_view target, std::string_view key) {
    auto q = target.find('?');
    if (q == std::string_view::npos) {
        return {};
    }
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == key) {
            return eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return {};
}

// A reply to a command, carrying the command's nonce when it had one.
std::string with_nonce(json reply, const json& command) {
    if (command.is_object() && command.contains("nonce")) {
        reply["nonce"] = command["nonce"];
    }
    return reply.dump();
}

std::string envelope(int op, const std::string& d, std::optional<std::uint64_t> s = {},
                     std::string_view t = {}) {
    std::string out = "{\"op\":" + std::to_string(op) + ",\"d\":" + d + ",\"s\":";
    out += s ? std::to_string(*s) : "null";
    out += ",\"t\":";
    out += t.empty() ? "null" : "\"" + std::string(t) + "\"";
    return out + "}";
}

// One outgoing compressed stream per connection.
class OutgoingCompressor {
  public:
    explicit OutgoingCompressor(Compression c) : compression_(c) {
        if (c == Compression::zlib_stream) {
            deflateInit(&zlib_, Z_DEFAULT_COMPRESSION);
        } else if (c == Compression::zstd_stream) {
            zstd_ = ZSTD_createCCtx();
            ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, 3);
        }
    }
    ~OutgoingCompressor() {
        if (compression_ == Compression::zlib_stream) {
            deflateEnd(&zlib_);
        }
        ZSTD_freeCCtx(zstd_);
    }
    OutgoingCompressor(const OutgoingCompressor&) = delete;
    OutgoingCompressor& operator=(const OutgoingCompressor&) = delete;

    std::string compress(const std::string& text) {
        if (compression_ == Compression::none) {
            return text;
        }
        std::string out(text.size() + text.size() / 8 + 256, '\0');
        if (compression_ == Compression::zlib_stream) {
            zlib_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
            zlib_.avail_in = static_cast<uInt>(text.size());
            std::size_t written = 0;
            do {
                if (out.size() - written < 64) {
                    out.resize(out.size() * 2);
                }
                zlib_.next_out = reinterpret_cast<Bytef*>(out.data() + written);
                zlib_.avail_out = static_cast<uInt>(out.size() - written);
                deflate(&zlib_, Z_SYNC_FLUSH);
                written = out.size() - zlib_.avail_out;
            } while (zlib_.avail_out == 0);
            out.resize(written);
            return out;
        }
        ZSTD_inBuffer in{text.data(), text.size(), 0};
        std::size_t written = 0;
        for (;;) {
            ZSTD_outBuffer ob{out.data() + written, out.size() - written, 0};
            std::size_t left = ZSTD_compressStream2(zstd_, &ob, &in, ZSTD_e_flush);
            written += ob.pos;
            if (left == 0 || ZSTD_isError(left)) {
                break;
            }
            out.resize(out.size() * 2);
        }
        out.resize(written);
        return out;
    }

  private:
    Compression compression_;
    z_stream zlib_{};
    ZSTD_CCtx* zstd_ = nullptr;
};

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

}  // namespace

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
    std::uint32_t session_starts(SteadyClock::time_point now) {
        if (now >= session_starts_reset) {
            session_starts_left = config.session_start_total;
            session_starts_reset = now + config.session_start_reset_after;
        }
        return session_starts_left;
    }

    // What GET /gateway/bot and /.well-known/fluxer answer.
    std::string gateway_bot_json() {
        auto now = SteadyClock::now();
        std::uint32_t left = session_starts(now);
        auto reset_after =
            std::chrono::duration_cast<std::chrono::milliseconds>(session_starts_reset - now);
        return json{{"url", url()},
                    {"shards", config.shards},
                    {"session_start_limit",
                     {{"total", config.session_start_total},
                      {"remaining", left},
                      {"reset_after", reset_after.count()},
                      {"max_concurrency", config.max_concurrency}}}}
            .dump();
    }
    std::string well_known_json() const {
        return json{{"api_code_version", 1},
                    {"endpoints", {{"api", http_url() + "/api"}, {"gateway", url()}}}}
            .dump();
    }

    template <class F>
    void with_stats(F&& f) {
        std::lock_guard lock(stats_mutex);
        f(stats);
    }

    // Whether one more Identify or Resume fits the budget; past it the server
    // answers neither (Fluxer holds them without a word).
    bool within_identify_budget() {
        if (held_identifies > 0) {
            --held_identifies;
            with_stats([](SimStats& st) { ++st.unanswered; });
            return false;
        }
        if (!behaviour.identify_budget) {
            return true;
        }
        auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
            SteadyClock::now().time_since_epoch());
        std::int64_t window = since.count() / behaviour.identify_budget->per.count();
        if (window != budget_window) {
            budget_window = window;
            budget_used = 0;
        }
        if (budget_used >= behaviour.identify_budget->count) {
            with_stats([](SimStats& st) { ++st.unanswered; });
            return false;
        }
        ++budget_used;
        return true;
    }

    std::string new_session_id() {
        const char* hex = behaviour.upper_case_session_id ? "0123456789ABCDEF" : "0123456789abcdef";
        std::string id(32, '0');
        for (char& c : id) {
            c = hex[engine() % 16];
        }
        return id;
    }

    std::string snowflake() {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
        return std::to_string((static_cast<std::uint64_t>(ms - 1420070400000LL) << 22) |
                              (++next_id & 0x3FFFFF));
    }

    std::string url() const { return "ws://127.0.0.1:" + std::to_string(bound_port); }
    std::string http_url() const { return "http://127.0.0.1:" + std::to_string(bound_port); }

    net::awaitable<void> accept_loop();
    void do_dispatch(const std::string& type, const std::string& data);
    void do_fault(const Fault& fault);
    std::vector<std::shared_ptr<Connection>> open_connections();
    void refresh_ready_count();
    net::awaitable<void> play(std::vector<std::string> lines, std::function<void(bool)> done);
};

namespace {

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

    void send_text(const std::string& text, bool count_as_compressed = true) {
        if (swap_next) {
            swap_next = false;
            held = text;  // leaves after the next one, as Spacebar's async zstd can
            return;
        }
        send_now(text, count_as_compressed);
        if (held) {
            std::string late = std::move(*held);
            held.reset();
            send_now(late, count_as_compressed);
        }
    }

    // Sends what the resume held back: the replay, then RESUMED.
    void flush_replay() {
        if (!replay_pending) {
            return;
        }
        replay_pending = false;
        for (const std::string& text : pending_replay) {
            send_text(text);
        }
        pending_replay.clear();
    }

    void send_now(const std::string& text, bool count_as_compressed) {
        Outgoing out;
        std::string bytes = count_as_compressed && compressor ? compressor->compress(text) : text;
        out.binary = compression != Compression::none;
        if (corrupt_next) {
            corrupt_next = false;
            if (compression == Compression::none) {
                bytes = "{\"op\":0,\"d\":{\"broken\":";  // cut short: not JSON
            } else {
                std::string garbage(std::max<std::size_t>(bytes.size(), 16), '\xFF');
                if (compression == Compression::zlib_stream) {
                    garbage += std::string("\x00\x00\xFF\xFF", 4);
                }
                bytes = std::move(garbage);
            }
        }
        if (split_next > 1 && bytes.size() >= split_next) {
            std::size_t parts = split_next;
            split_next = 0;
            std::size_t step = bytes.size() / parts;
            for (std::size_t i = 0; i < parts; ++i) {
                std::size_t from = i * step;
                std::size_t to = i + 1 == parts ? bytes.size() : from + step;
                out.parts.push_back(bytes.substr(from, to - from));
            }
            // Uncompressed messages are split into WebSocket frames of one message.
            out.fragments = compression == Compression::none;
        } else {
            out.parts.push_back(std::move(bytes));
        }
        push(std::move(out));
    }

    void send_payload(int op, const std::string& d, std::optional<std::uint64_t> s = {},
                      std::string_view t = {}) {
        send_text(envelope(op, d, s, t));
    }

    void close(std::uint16_t code) {
        if (closing || ended) {
            return;
        }
        closing = true;
        sim.with_stats([&](SimStats& st) { st.server_close_codes.push_back(code); });
        Outgoing out;
        out.close = code;
        push(std::move(out));
        sim.refresh_ready_count();
    }

    void reset() {
        if (ended) {
            return;
        }
        closing = true;
        beast::error_code ec;
        auto& socket = beast::get_lowest_layer(ws).socket();
        socket.set_option(net::socket_base::linger(true, 0), ec);
        socket.close(ec);
        sim.refresh_ready_count();
    }

    void push(Outgoing out) {
        outbox.push_back(std::move(out));
        if (!writing) {
            writing = true;
            net::co_spawn(sim.io, write_loop(shared_from_this()), net::detached);
        }
    }

    static net::awaitable<void> write_loop(std::shared_ptr<Connection> self) {
        beast::error_code ec;
        while (!self->outbox.empty() && !self->ended) {
            if (SteadyClock::now() < self->stalled_until) {
                self->stall_timer.expires_at(self->stalled_until);
                co_await self->stall_timer.async_wait(use_awaitable_ec(ec));
                continue;
            }
            Outgoing out = std::move(self->outbox.front());
            self->outbox.pop_front();
            if (out.close) {
                co_await self->ws.async_close(static_cast<websocket::close_code>(*out.close),
                                              use_awaitable_ec(ec));
                break;
            }
            self->ws.binary(out.binary);
            for (std::size_t i = 0; i < out.parts.size() && !ec; ++i) {
                if (out.fragments) {
                    co_await self->ws.async_write_some(
                        i + 1 == out.parts.size(), net::buffer(out.parts[i]), use_awaitable_ec(ec));
                } else {
                    co_await self->ws.async_write(net::buffer(out.parts[i]), use_awaitable_ec(ec));
                }
            }
            if (ec) {
                break;
            }
        }
        self->writing = false;
    }

    static net::awaitable<void> run_watchdog(std::shared_ptr<Connection> self) {
        auto interval = self->sim.config.heartbeat_interval;
        // Fluxer checks every third of the interval.
        auto step = std::max<std::chrono::milliseconds>(
            5ms, self->sim.request_heartbeats ? interval / 3 : interval / 8);
        auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
            interval * self->sim.heartbeat_timeout_factor);
        while (!self->ended && !self->closing) {
            beast::error_code ec;
            self->watchdog.expires_after(step);
            co_await self->watchdog.async_wait(use_awaitable_ec(ec));
            if (self->ended || self->closing) {
                break;
            }
            auto quiet = SteadyClock::now() - self->last_heartbeat;
            if (quiet > timeout) {
                if (self->sim.config.profile->close_rule(4009).action == CloseAction::identify) {
                    // This gateway ends the session on a heartbeat timeout.
                    if (self->session) {
                        self->sim.sessions.erase(self->session->id);
                    }
                }
                self->close(4009);
                break;
            }
            if (self->sim.request_heartbeats && quiet > interval * 9 / 10) {
                // Asked again at every check until a heartbeat comes.
                self->sim.with_stats([](SimStats& st) { ++st.heartbeat_requests; });
                self->send_payload(1, "null");
            }
        }
    }

    static net::awaitable<void> serve(std::shared_ptr<Connection> self) {
        Simulator::Impl& sim = self->sim;
        beast::error_code ec;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        beast::get_lowest_layer(self->ws).expires_after(10s);
        co_await http::async_read(beast::get_lowest_layer(self->ws), buffer, request,
                                  use_awaitable_ec(ec));
        if (ec) {
            co_return;
        }
        if (!websocket::is_upgrade(request)) {
            co_await self->answer_http(request);
            co_return;
        }
        beast::get_lowest_layer(self->ws).expires_never();
        std::string target(request.target());
        sim.with_stats([&](SimStats& st) {
            ++st.connections;
            st.hosts.emplace_back(request[http::field::host]);
            st.targets.push_back(target);
        });
        self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        self->ws.read_message_max(1024 * 1024);
        co_await self->ws.async_accept(request, use_awaitable_ec(ec));
        if (ec) {
            co_return;
        }
        sim.connections.push_back(self);
        sim.with_stats([](SimStats& st) { ++st.open_connections; });

        const Profile& profile = *sim.config.profile;
        auto compression = parse_compression(query_value(target, "compress"));
        self->compression = compression.value_or(Compression::none);
        self->inbound_zstd = self->compression == Compression::zstd_stream &&
                             profile.compresses_client_messages_with_zstd &&
                             query_value(target, "stream") == "1";
        self->compressor = std::make_unique<OutgoingCompressor>(self->compression);
        if (self->inbound_zstd) {
            self->inbound.emplace(64 * 1024);
        }
        if (query_value(target, "v") != std::to_string(profile.api_version)) {
            self->close(4012);
        } else if (!profile.offers(self->compression)) {
            self->close(4002);
        } else {
            self->send_payload(10, "{\"heartbeat_interval\":" +
                                       std::to_string(sim.config.heartbeat_interval.count()) + "}");
            self->last_heartbeat = SteadyClock::now();
            net::co_spawn(sim.io, run_watchdog(self), net::detached);
        }

        buffer.clear();
        for (;;) {
            if (SteadyClock::now() < self->reading_paused_until) {
                self->read_pause_timer.expires_at(self->reading_paused_until);
                co_await self->read_pause_timer.async_wait(use_awaitable_ec(ec));
                if (ec || self->ended) {
                    break;  // the simulator stops
                }
            }
            co_await self->ws.async_read(buffer, use_awaitable_ec(ec));
            if (ec) {
                break;
            }
            std::string text = beast::buffers_to_string(buffer.data());
            buffer.clear();
            if (self->closing) {
                continue;
            }
            if (self->inbound) {
                auto status = self->inbound->feed(
                    {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
                if (status == DecodeStatus::incomplete) {
                    continue;
                }
                if (status != DecodeStatus::complete) {
                    self->close(4002);
                    continue;
                }
                text = self->inbound->message();
            }
            self->handle(text);
        }
        self->ended = true;
        self->watchdog.cancel();
        self->stall_timer.cancel();
        self->read_pause_timer.cancel();
        if (ec == websocket::error::closed && !self->closing) {
            auto code = static_cast<std::uint16_t>(self->ws.reason().code);
            sim.with_stats([&](SimStats& st) { st.client_close_codes.push_back(code); });
            if ((code == 1000 || code == 1001) && self->session) {
                sim.sessions.erase(self->session->id);  // a normal close ends the session
            }
        }
        if (self->session && self->session->connection.lock() == self) {
            self->session->connection.reset();
        }
        self->session.reset();
        sim.with_stats([](SimStats& st) { --st.open_connections; });
        sim.refresh_ready_count();
    }

    // The few REST endpoints a gateway client asks before connecting.
    net::awaitable<void> answer_http(const http::request<http::string_body>& request) {
        std::string target(request.target());
        sim.with_stats([&](SimStats& st) { st.http_requests.push_back(target); });
        std::string path = target.substr(0, target.find('?'));
        http::response<http::string_body> response;
        response.version(request.version());
        response.set(http::field::content_type, "application/json");
        response.keep_alive(false);
        bool authorised = sim.config.token.empty() ||
                          request[http::field::authorization] == "Bot " + sim.config.token ||
                          request[http::field::authorization] == sim.config.token;
        if (path.ends_with("/.well-known/fluxer")) {
            response.result(http::status::ok);
            response.body() = sim.well_known_json();
        } else if (path.ends_with("/gateway/bot") && !authorised) {
            response.result(http::status::unauthorized);
            response.body() = R"({"message":"401: Unauthorized","code":0})";
        } else if (path.ends_with("/gateway/bot")) {
            response.result(http::status::ok);
            response.body() = sim.gateway_bot_json();
        } else {
            response.result(http::status::not_found);
            response.body() = R"({"message":"404: Not Found","code":0})";
        }
        response.prepare_payload();
        beast::error_code ec;
        co_await http::async_write(beast::get_lowest_layer(ws), response, use_awaitable_ec(ec));
        beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    bool over_presence_limit() {
        if (!sim.behaviour.presence_limit) {
            return false;
        }
        auto now = SteadyClock::now();
        while (!presence_times.empty() &&
               presence_times.front() + sim.behaviour.presence_limit->per <= now) {
            presence_times.pop_front();
        }
        if (presence_times.size() >= sim.behaviour.presence_limit->count) {
            return true;
        }
        presence_times.push_back(now);
        return false;
    }

    // A heartbeat's seq acknowledges events: the replay keeps only what is
    // after it. False when the connection is being closed for it.
    bool acknowledge(const json& d) {
        if (!sim.behaviour.heartbeat_acknowledges || !session || !d.is_number_unsigned()) {
            return true;
        }
        auto acked = d.get<std::uint64_t>();
        if (acked < session->ack_seq) {
            if (sim.behaviour.heartbeat_below_ack_closes) {
                close(4007);
                return false;
            }
            return true;
        }
        session->ack_seq = std::min(acked, session->seq);
        while (!session->replay.empty() && session->replay.front().first <= session->ack_seq) {
            session->drop_replay_front();
        }
        return true;
    }

    bool over_rate_limit() {
        auto now = SteadyClock::now();
        received.push_back(now);
        while (!received.empty() &&
               received.front() + sim.config.profile->command_limit.per <= now) {
            received.pop_front();
        }
        return received.size() > sim.config.command_limit;
    }

    void handle(const std::string& text) {
        const Profile& profile = *sim.config.profile;
        std::size_t max_payload = sim.behaviour.max_payload_bytes != 0
                                      ? sim.behaviour.max_payload_bytes
                                      : profile.max_command_bytes;
        if (text.size() > max_payload) {
            close(4002);
            return;
        }
        if (over_rate_limit()) {
            close(4008);
            return;
        }
        json payload = json::parse(text, nullptr, false);
        if (!payload.is_object() || !payload.contains("op") || !payload["op"].is_number_integer()) {
            close(4002);
            return;
        }
        int op = payload["op"].get<int>();
        const json& d = payload.contains("d") ? payload["d"] : json();
        switch (op) {
            case 1:
                last_heartbeat = SteadyClock::now();
                if (!acknowledge(d)) {
                    return;
                }
                sim.with_stats([&](SimStats& st) {
                    ++st.heartbeats;
                    if (d.is_number_unsigned()) {
                        st.last_heartbeat_seq = d.get<std::uint64_t>();
                    }
                });
                if (!withhold_acks) {
                    send_payload(11, "null");
                }
                return;
            case 2:
                identify(d);
                return;
            case 6:
                resume(d);
                return;
            case 3:
                if (session && over_presence_limit()) {
                    sim.with_stats([](SimStats& st) { ++st.dropped_presences; });
                    return;  // Fluxer drops it without a word
                }
                [[fallthrough]];
            case 4:
            case 8:
            case 14:
            case 15:
            case 16:
            case 31:
                if (!session) {
                    close(4003);
                    return;
                }
                sim.with_stats([&](SimStats& st) {
                    ++st.commands;
                    st.commands_received.push_back(text);
                });
                answer_command(op, d);
                return;
            default:
                close(4001);
                return;
        }
    }

    // A dispatch for this session alone (a reply to one of its commands).
    void send_own_dispatch(const std::string& type, const std::string& data, bool keep = true) {
        std::uint64_t seq = ++session->seq;
        std::string text = envelope(0, data, seq, type);
        if (keep) {
            session->keep(sim.behaviour, sim.config.replay_capacity, type, seq, text);
        }
        send_text(text);
        sim.with_stats([](SimStats& st) { ++st.dispatched; });
    }

    // The replies a gateway sends to commands; presence and voice updates
    // (ops 3 and 4) are only recorded.
    void answer_command(int op, const json& d) {
        switch (op) {
            case 8:
                take_member_request(d);
                break;
            case 14:  // a lazy request: the first page of each subscribed guild's member list
                if (d.is_object() && d.contains("subscriptions") &&
                    d["subscriptions"].is_object()) {
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
                        counts[channel.is_string() ? channel.get<std::string>() : channel.dump()] =
                            0;
                    }
                } else if (d.is_object() && d.contains("channel_id") &&
                           d["channel_id"].is_string()) {
                    counts[d["channel_id"].get<std::string>()] = 0;
                }
                send_own_dispatch(
                    "CHANNEL_MEMBER_COUNTS_UPDATE",
                    with_nonce(
                        {{"guild_id", d.value("guild_id", json())}, {"member_counts", counts}}, d));
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

    // Op 8 as the server schedules it: a few at once, one more waiting (a
    // newer one replaces it), the rest dropped without a reply.
    void take_member_request(const json& d) {
        const ServerBehaviour& b = sim.behaviour;
        if (b.member_requests_at_once != 0 &&
            member_requests_running >= b.member_requests_at_once) {
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

    // Op 8: the guild's roster (members_per_guild members named member-0, …)
    // filtered by query and limit or by user ids, in chunks of member_chunk_size.
    void answer_member_request(const json& d) {
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
            for (std::size_t i = index * size; i < std::min(members.size(), (index + 1) * size);
                 ++i) {
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

    bool token_ok(const json& d) const {
        return sim.config.token.empty() ||
               (d.is_object() && d.contains("token") && d["token"] == sim.config.token);
    }

    void identify(const json& d) {
        const Profile& profile = *sim.config.profile;
        if (session) {
            close(4005);
            return;
        }
        json shown = d;
        if (shown.is_object() && shown.contains("token")) {
            shown["token"] = "<token>";
        }
        sim.with_stats([&](SimStats& st) { st.last_identify = shown.dump(); });
        if (!sim.within_identify_budget()) {
            return;  // held without an answer
        }
        if (!token_ok(d)) {
            close(4004);
            return;
        }
        if (profile.uses_intents &&
            (!d.contains("intents") || !d["intents"].is_number_unsigned())) {
            close(4013);
            return;
        }
        json shard = json::array({0, 1});
        if (d.contains("shard")) {
            shard = d["shard"];
            if (!shard.is_array() || shard.size() != 2 || !shard[0].is_number_unsigned() ||
                !shard[1].is_number_unsigned() || shard[1].get<std::uint64_t>() == 0 ||
                shard[0].get<std::uint64_t>() >= shard[1].get<std::uint64_t>()) {
                close(4010);
                return;
            }
        }
        auto shard_id = shard[0].get<std::uint32_t>();
        auto shard_count = shard[1].get<std::uint32_t>();
        if (shard_count < sim.config.min_shards) {
            close(4011);  // the bot has too many guilds for this few shards
            return;
        }
        auto now = SteadyClock::now();
        if (sim.config.identify_spacing.count() > 0) {
            auto [last, first] =
                sim.bucket_identified.try_emplace(shard_id % sim.config.max_concurrency, now);
            if (!first && now - last->second < sim.config.identify_spacing) {
                sim.with_stats([](SimStats& st) { ++st.rejected_identifies; });
                send_payload(9, "false");  // too soon for this bucket
                return;
            }
            last->second = now;
        }
        if (sim.session_starts(now) > 0) {
            --sim.session_starts_left;
        }
        auto created = std::make_shared<SimSession>();
        created->id = sim.new_session_id();
        created->shard_id = shard_id;
        created->shard_count = shard_count;
        created->connection = weak_from_this();
        sim.sessions[created->id] = created;
        session = created;
        sim.with_stats([&](SimStats& st) {
            ++st.identifies;
            st.identify_log.push_back({shard_id, shard_count, now});
        });

        json guilds = json::array();
        for (std::size_t i = 0; i < sim.config.guilds; ++i) {
            guilds.push_back({{"id", sim.snowflake()}, {"unavailable", true}});
        }
        // Fluxer's bot READY lists no guilds; stubs follow as GUILD_CREATEs.
        json stubs = json::array();
        if (sim.behaviour.guild_stubs_after_ready) {
            stubs = std::exchange(guilds, json::array());
        }
        json user = {{"id", "1103289870211317770"}, {"username", "simbot"},   {"bot", true},
                     {"discriminator", "0"},        {"global_name", nullptr}, {"avatar", nullptr}};
        json ready = {{"session_id", created->id}, {"user", user}, {"guilds", guilds}};
        if (profile.has_resume_gateway_url) {
            ready["v"] = profile.api_version;
            // A different spelling of this server, so tests see the client use it.
            ready["resume_gateway_url"] = "ws://localhost:" + std::to_string(sim.bound_port);
            ready["shard"] = shard;
            ready["application"] = {{"id", "1103289870211317770"}, {"flags", 0}};
        } else {
            ready["version"] = profile.api_version;
            for (const char* empty : {"private_channels", "relationships", "presences", "users",
                                      "sessions", "read_states", "pinned_dms", "favorite_memes"}) {
                ready[empty] = json::array();
            }
            ready["user_settings"] = json::object();
            ready["country_code"] = "US";
        }
        send_payload(0, ready.dump(), ++created->seq, "READY");
        for (const auto& stub : stubs) {
            send_own_dispatch("GUILD_CREATE", stub.dump(), false);  // never replayed
        }
        sim.refresh_ready_count();
    }

    void resume(const json& d) {
        const ServerBehaviour& b = sim.behaviour;
        sim.with_stats([](SimStats& st) { ++st.resume_requests; });
        if (session) {
            close(4005);
            return;
        }
        if (!sim.within_identify_budget()) {
            return;  // held without an answer
        }
        std::string id = d.is_object() && d.contains("session_id") && d["session_id"].is_string()
                             ? d["session_id"].get<std::string>()
                             : "";
        auto found = sim.sessions.find(id);
        if (found == sim.sessions.end() || (!token_ok(d) && b.wrong_token_resume_close == 0)) {
            sim.with_stats([](SimStats& st) { ++st.failed_resumes; });
            send_payload(9, "false");  // the client identifies anew
            return;
        }
        if (!token_ok(d)) {
            sim.with_stats([](SimStats& st) { ++st.failed_resumes; });
            close(b.wrong_token_resume_close);
            return;
        }
        auto resumed = found->second;
        if (!d.contains("seq") || !d["seq"].is_number_unsigned()) {
            close(4002);  // Fluxer wants an integer seq
            return;
        }
        std::uint64_t after = d["seq"].get<std::uint64_t>();
        if (after > resumed->seq || (b.resume_below_ack_closes && after < resumed->ack_seq)) {
            sim.with_stats([](SimStats& st) { ++st.failed_resumes; });
            close(4007);  // the buffer no longer holds what it asks for
            return;
        }
        if (auto old = resumed->connection.lock(); old && old.get() != this) {
            old->session.reset();
            old->send_payload(7, "null");
            old->close(4000);
        }
        resumed->connection = weak_from_this();
        session = resumed;
        std::vector<std::string> replay;
        for (const auto& [seq, text] : resumed->replay) {
            if (seq > after) {
                replay.push_back(text);
            }
        }
        std::uint64_t replayed = replay.size();
        std::optional<std::uint64_t> resumed_seq;
        if (b.resumed_seq == ServerBehaviour::ResumedSeq::client) {
            resumed_seq = after;
        } else if (b.resumed_seq == ServerBehaviour::ResumedSeq::current) {
            resumed_seq = resumed->seq;
        }
        replay.push_back(
            envelope(0, b.resumed_seq == ServerBehaviour::ResumedSeq::client ? "null" : "{}",
                     resumed_seq, "RESUMED"));
        pending_replay = std::move(replay);
        replay_pending = true;
        if (b.live_before_replay) {
            // The socket is the session's now: the next live event goes first,
            // and the replay follows it (or a moment later if none comes).
            auto timer = std::make_shared<net::steady_timer>(sim.io, b.replay_waits_for_live);
            timer->async_wait([self = shared_from_this(), timer](beast::error_code) {
                if (!self->ended) {
                    self->flush_replay();
                }
            });
        } else {
            flush_replay();
        }
        sim.with_stats([&](SimStats& st) {
            ++st.resumes;
            st.replayed += replayed;
        });
        sim.refresh_ready_count();
    }
};

}  // namespace

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

void Simulator::Impl::do_fault(const Fault& fault) {
    if (fault.kind == Fault::Kind::hold_identifies) {
        held_identifies = fault.count;
        return;
    }
    for (auto& c : open_connections()) {
        switch (fault.kind) {
            case Fault::Kind::reconnect:
                c->send_payload(7, "null");
                c->draining = true;
                if (!config.profile->has_resume_gateway_url) {
                    c->close(4000);  // Fluxer drains the socket itself
                }
                break;
            case Fault::Kind::invalid_session:
                if (!fault.flag && c->session) {
                    sessions.erase(c->session->id);
                    c->session.reset();
                }
                c->send_payload(9, fault.flag ? "true" : "false");
                break;
            case Fault::Kind::close:
                c->close(fault.code);
                break;
            case Fault::Kind::withhold_acks:
                c->withhold_acks = fault.flag;
                break;
            case Fault::Kind::stall:
                c->stalled_until = SteadyClock::now() + fault.duration;
                c->withhold_acks = true;
                net::co_spawn(
                    io,
                    [c, d = fault.duration]() -> net::awaitable<void> {
                        net::steady_timer t(c->sim.io, d);
                        beast::error_code ec;
                        co_await t.async_wait(use_awaitable_ec(ec));
                        c->withhold_acks = false;
                    },
                    net::detached);
                break;
            case Fault::Kind::reset:
                c->reset();
                break;
            case Fault::Kind::split_next:
                c->split_next = std::max<std::size_t>(2, fault.count);
                break;
            case Fault::Kind::corrupt_next:
                c->corrupt_next = true;
                break;
            case Fault::Kind::heartbeat_request:
                c->send_payload(1, "null");
                break;
            case Fault::Kind::withhold_member_chunks:
                c->withhold_member_chunks = fault.flag;
                break;
            case Fault::Kind::unknown_opcode:
                c->send_payload(fault.code, "{}");
                break;
            case Fault::Kind::garbage:
                c->send_text("this is not json");
                break;
            case Fault::Kind::swap_next:
                c->swap_next = true;
                break;
            case Fault::Kind::stop_reading:
                c->reading_paused_until = SteadyClock::now() + fault.duration;
                break;
            case Fault::Kind::hold_identifies:
                break;  // the server's, not a connection's: set below
        }
    }
    refresh_ready_count();
}

net::awaitable<void> Simulator::Impl::accept_loop() {
    for (;;) {
        beast::error_code ec;
        tcp::socket socket = co_await acceptor.async_accept(use_awaitable_ec(ec));
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) {
                co_return;
            }
            continue;
        }
        auto connection = std::make_shared<Connection>(*this, std::move(socket));
        net::co_spawn(io, Connection::serve(connection), net::detached);
    }
}

Simulator::Simulator(SimConfig config) : impl_(std::make_shared<Impl>(std::move(config))) {}

Simulator::~Simulator() {
    stop();
}

void Simulator::start() {
    Impl& s = *impl_;
    tcp::endpoint endpoint(net::ip::make_address(s.config.address), s.config.port);
    s.acceptor.open(endpoint.protocol());
    s.acceptor.set_option(net::socket_base::reuse_address(true));
    if (s.config.receive_buffer_bytes != 0) {
        // Set before listen(): accepted sockets inherit it, window scale included.
        s.acceptor.set_option(
            net::socket_base::receive_buffer_size(static_cast<int>(s.config.receive_buffer_bytes)));
    }
    s.acceptor.bind(endpoint);
    s.acceptor.listen();
    s.bound_port = s.acceptor.local_endpoint().port();
    net::co_spawn(s.io, s.accept_loop(), net::detached);
    s.thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

void Simulator::stop() {
    Impl& s = *impl_;
    if (!s.thread.joinable()) {
        return;
    }
    net::post(s.io, [&s] {
        beast::error_code ec;
        s.acceptor.close(ec);
        for (auto& c : s.open_connections()) {
            beast::get_lowest_layer(c->ws).socket().close(ec);
            c->watchdog.cancel();
            c->stall_timer.cancel();
            c->read_pause_timer.cancel();
        }
        s.io.stop();
    });
    s.thread.join();
    // Break the cycles between connections and the server before they go.
    s.io.restart();
    s.io.poll();
    s.connections.clear();
    s.sessions.clear();
}

std::uint16_t Simulator::port() const {
    return impl_->bound_port;
}
std::string Simulator::url() const {
    return impl_->url();
}
std::string Simulator::http_url() const {
    return impl_->http_url();
}

void Simulator::dispatch(std::string type, std::string data_json) {
    net::post(impl_->io, [s = impl_.get(), t = std::move(type), d = std::move(data_json)] {
        s->do_dispatch(t, d);
    });
}

void Simulator::dispatch_oversized(std::size_t bytes) {
    std::string blob(bytes, 'x');
    dispatch("SIM_OVERSIZED", "{\"blob\":\"" + blob + "\"}");
}

void Simulator::fault(Fault f) {
    net::post(impl_->io, [s = impl_.get(), f] { s->do_fault(f); });
}

SimStats Simulator::stats() const {
    std::lock_guard lock(impl_->stats_mutex);
    return impl_->stats;
}

bool Simulator::wait_until(const std::function<bool(const SimStats&)>& predicate,
                           std::chrono::milliseconds timeout) const {
    auto until = SteadyClock::now() + timeout;
    for (;;) {
        if (predicate(stats())) {
            return true;
        }
        if (SteadyClock::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
}

void Simulator::play(std::vector<std::string> lines, std::function<void(bool)> done) {
    net::co_spawn(impl_->io, impl_->play(std::move(lines), std::move(done)), net::detached);
}

net::awaitable<void> Simulator::Impl::play(std::vector<std::string> lines,
                                           std::function<void(bool)> done) {
    net::steady_timer timer(io);
    bool ok = true;
    auto wait_for = [&](auto condition, std::chrono::milliseconds limit) -> net::awaitable<bool> {
        auto until = SteadyClock::now() + limit;
        while (!condition()) {
            if (SteadyClock::now() >= until) {
                co_return false;
            }
            beast::error_code ec;
            timer.expires_after(5ms);
            co_await timer.async_wait(use_awaitable_ec(ec));
        }
        co_return true;
    };
    auto ready_count = [&] {
        std::lock_guard lock(stats_mutex);
        return stats.ready_sessions;
    };
    auto resumes = [&] {
        std::lock_guard lock(stats_mutex);
        return stats.resumes;
    };
    for (const std::string& line : lines) {
        if (line.find_first_not_of(" \t\r\n") == std::string::npos) {
            continue;
        }
        json step = json::parse(line, nullptr, false);
        if (!step.is_object()) {
            ok = false;
            break;
        }
        auto limit = std::chrono::milliseconds(step.value("timeout_ms", 30000));
        if (step.contains("t")) {
            do_dispatch(step["t"].get<std::string>(), step.value("d", json::object()).dump());
            continue;
        }
        std::string directive = step.value("sim", "");
        if (directive == "wait_ready") {
            ok = co_await wait_for([&] { return ready_count() > 0; }, limit);
        } else if (directive == "wait_disconnected") {
            ok = co_await wait_for([&] { return ready_count() == 0; }, limit);
        } else if (directive == "wait_resumed") {
            auto before = step.value("after", resumes());
            ok = co_await wait_for([&] { return resumes() > before && ready_count() > 0; }, limit);
        } else if (directive == "sleep") {
            beast::error_code ec;
            timer.expires_after(std::chrono::milliseconds(step.value("ms", 0)));
            co_await timer.async_wait(use_awaitable_ec(ec));
        } else if (directive == "reconnect") {
            do_fault({Fault::Kind::reconnect});
        } else if (directive == "invalid_session") {
            do_fault({Fault::Kind::invalid_session, 0, step.value("resumable", false)});
        } else if (directive == "close") {
            do_fault({Fault::Kind::close, step.value<std::uint16_t>("code", 4000)});
        } else if (directive == "reset") {
            do_fault({Fault::Kind::reset});
        } else if (directive == "withhold_acks") {
            do_fault({Fault::Kind::withhold_acks, 0, step.value("on", true)});
        } else if (directive == "stall") {
            do_fault({Fault::Kind::stall, 0, true, 0,
                      std::chrono::milliseconds(step.value("ms", 1000))});
        } else if (directive == "stop_reading") {
            do_fault({Fault::Kind::stop_reading, 0, true, 0,
                      std::chrono::milliseconds(step.value("ms", 1000))});
        } else if (directive == "split_next") {
            do_fault({Fault::Kind::split_next, 0, true, step.value<std::size_t>("parts", 2)});
        } else if (directive == "swap_next") {
            do_fault({Fault::Kind::swap_next});
        } else if (directive == "corrupt_next") {
            do_fault({Fault::Kind::corrupt_next});
        } else if (directive == "heartbeat_request") {
            do_fault({Fault::Kind::heartbeat_request});
        } else if (directive == "oversized") {
            std::string blob(step.value<std::size_t>("bytes", 1 << 20), 'x');
            do_dispatch("SIM_OVERSIZED", "{\"blob\":\"" + blob + "\"}");
        } else if (directive == "end") {
            break;
        } else {
            ok = false;
        }
        if (!ok) {
            break;
        }
    }
    if (done) {
        done(ok);
    }
}

std::vector<std::string> demo_script(std::size_t messages) {
    std::vector<std::string> lines;
    lines.push_back(R"({"sim":"wait_ready"})");
    std::uint64_t base = 1294096421859950592ULL;  // ids well above 2^53
    auto id = [&](std::uint64_t n) { return std::to_string(base + n); };
    std::vector<std::string> guilds = {id(1), id(2), id(3)};
    std::vector<std::string> names = {"gatewire lab", "bot testing", "quiet corner"};
    for (std::size_t g = 0; g < guilds.size(); ++g) {
        json guild = {
            {"id", guilds[g]},
            {"name", names[g]},
            {"owner_id", id(100)},
            {"member_count", 3 + g},
            {"unavailable", false},
            {"roles",
             json::array(
                 {{{"id", guilds[g]}, {"name", "@everyone"}, {"permissions", "1071698660929"}}})},
            {"channels", json::array({{{"id", id(10 + g)}, {"type", 0}, {"name", "general"}}})},
            {"members", json::array()},
            {"presences", json::array()},
            {"voice_states", json::array()},
            {"threads", json::array()},
        };
        lines.push_back(json{{"t", "GUILD_CREATE"}, {"d", guild}}.dump());
    }
    auto message = [&](std::size_t n) {
        std::size_t g = n % guilds.size();
        json d = {{"id", id(1000 + n)},
                  {"channel_id", id(10 + g)},
                  {"guild_id", guilds[g]},
                  {"author",
                   {{"id", id(200 + n % 7)},
                    {"username", "user" + std::to_string(n % 7)},
                    {"discriminator", "0"},
                    {"avatar", nullptr}}},
                  {"content", "message number " + std::to_string(n)},
                  {"timestamp", "2026-11-23T12:00:00.000000+00:00"},
                  {"edited_timestamp", nullptr},
                  {"tts", false},
                  {"mention_everyone", false},
                  {"mentions", json::array()},
                  {"mention_roles", json::array()},
                  {"attachments", json::array()},
                  {"embeds", json::array()},
                  {"pinned", false},
                  {"type", 0}};
        return json{{"t", "MESSAGE_CREATE"}, {"d", d}}.dump();
    };
    for (std::size_t n = 1; n <= messages; ++n) {
        std::size_t g = n % guilds.size();
        if (n % 25 == 0) {
            lines.push_back(json{{"t", "TYPING_START"},
                                 {"d",
                                  {{"channel_id", id(10 + g)},
                                   {"guild_id", guilds[g]},
                                   {"user_id", id(200 + n % 7)},
                                   {"timestamp", 1795435200}}}}
                                .dump());
        }
        lines.push_back(message(n));
        if (n % 10 == 0) {
            lines.push_back(json{{"t", "MESSAGE_REACTION_ADD"},
                                 {"d",
                                  {{"user_id", id(200 + (n + 3) % 7)},
                                   {"channel_id", id(10 + g)},
                                   {"message_id", id(1000 + n)},
                                   {"guild_id", guilds[g]},
                                   {"emoji", {{"id", nullptr}, {"name", "👍"}}}}}}
                                .dump());
        }
    }
    lines.push_back(R"({"sim":"reconnect"})");
    for (std::size_t n = messages + 1; n <= messages + 5; ++n) {
        lines.push_back(message(n));  // sent while the bot is away: replayed on resume
    }
    lines.push_back(R"({"sim":"wait_resumed","after":0})");
    for (std::size_t n = messages + 6; n <= messages + 10; ++n) {
        lines.push_back(message(n));
    }
    return lines;
}

}  // namespace gatewire::sim
