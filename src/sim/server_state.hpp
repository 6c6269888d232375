// Inside the simulator, the I/O around the server's protocol (GatewayServer,
// sans-I/O, in gateway_server.hpp): Simulator::Impl with its io_context,
// acceptor and connections, and one connection's transport. connection.cpp
// holds the socket, its reads and writes; faults.cpp the wire's faults;
// http_endpoints.cpp the REST answers; script.cpp the scripts.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include "gatewire/detail/zstd_stream_decoder.hpp"
#include "gatewire/sim/simulator.hpp"
#include "sim/gateway_server.hpp"
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

inline auto use_awaitable_ec(boost::system::error_code& ec) {
    return net::redirect_error(net::use_awaitable, ec);
}

// What the writer sends next.
struct Outgoing {
    std::vector<std::string> parts;  // one WebSocket message each (or fragments)
    bool binary = false;
    bool fragments = false;  // parts are frames of one message
    std::optional<std::uint16_t> close;
};

}  // namespace detail

using detail::Connection;
using detail::GatewayServer;
using detail::LockedStats;
using detail::Outgoing;
using detail::PeerId;
using detail::use_awaitable_ec;

// Owns the io_context that runs every connection: nothing inside holds the
// Impl alive, so destroying it (and the io_context) ends everything.
struct Simulator::Impl {
    GatewayServer server;
    net::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    std::uint16_t bound_port = 0;
    std::map<PeerId, std::weak_ptr<Connection>> links;  // the server's peers, by id

    explicit Impl(SimConfig config);

    const SimConfig& config() const { return server.config(); }
    LockedStats& stats() { return server.stats(); }

    std::string url() const { return "ws://127.0.0.1:" + std::to_string(bound_port); }
    std::string http_url() const { return "http://127.0.0.1:" + std::to_string(bound_port); }

    net::awaitable<void> accept_loop();
    // Sends and closes what the server asked for.
    void carry_out();
    void do_dispatch(const std::string& type, const std::string& data);
    void do_fault(const Fault& fault);
    std::vector<std::shared_ptr<Connection>> open_connections();
    net::awaitable<void> play(std::vector<std::string> lines, std::function<void(bool)> done);
};

namespace detail {

// The transport of one client: the upgrade, reads and writes, the wire's
// faults, and the timer that wakes the server's protocol for it.
struct Connection : std::enable_shared_from_this<Connection> {
    Simulator::Impl& sim;
    websocket::stream<beast::tcp_stream> ws;
    PeerId id = 0;  // 0 until upgraded
    Compression compression = Compression::none;
    std::unique_ptr<OutgoingCompressor> compressor;
    std::optional<ZstdStreamDecoder> inbound;
    std::deque<Outgoing> outbox;
    bool writing = false;
    bool ended = false;
    net::steady_timer wake;  // the server's next deadline for this peer
    net::steady_timer stall_timer;
    SteadyClock::time_point stalled_until{};
    net::steady_timer read_pause_timer;
    SteadyClock::time_point reading_paused_until{};
    std::size_t split_next = 0;
    bool corrupt_next = false;
    bool swap_next = false;           // hold the next dispatch back until the one after
    std::optional<std::string> held;  // that message, not yet compressed

    Connection(Simulator::Impl& s, tcp::socket socket)
        : sim(s), ws(std::move(socket)), wake(s.io), stall_timer(s.io), read_pause_timer(s.io) {}

    void send_text(const std::string& text);
    void send_now(const std::string& text);
    void close(std::uint16_t code);
    void reset();
    void push(Outgoing out);
    // After an input that may have set an earlier deadline (a held replay, a
    // member answer, a stall's end): the timer waits for that one instead.
    void rearm();
    void cancel_timers();
    // The wire's faults; the protocol's go to the server.
    void wire_fault(const Fault& fault);

    static net::awaitable<void> write_loop(std::shared_ptr<Connection> self);
    static net::awaitable<void> run_timer(std::shared_ptr<Connection> self);
    static net::awaitable<void> serve(std::shared_ptr<Connection> self);

    // The few REST endpoints a gateway client asks before connecting.
    net::awaitable<void> answer_http(const http::request<http::string_body>& request);
};

}  // namespace detail

}  // namespace gatewire::sim
