// A shard's connection: resolve, connect, TLS, the WebSocket upgrade, then
// the read loop feeding the session and the write queue carrying its sends.
//
// The WebSocket protocol after the upgrade is gatewire's own (framing in
// detail/websocket_frames): one read takes whatever the socket holds, up to
// 64 KiB, and every frame in it goes to the session before the next read.
// A stream library that completes one read operation per frame spent more
// on that machinery than the session spent on the events.
#include <climits>
#include <cstring>
#include <deque>
#include <random>
#include <variant>

#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/error.hpp>

#include "detail/tls_client.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/core/log.hpp"
#include "gatewire/core/url.hpp"
#include "gatewire/detail/websocket_frames.hpp"
#include "transport/shard_core.hpp"

namespace gatewire::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

// Events queued before the handler side is woken, at most, while more bytes wait.
constexpr std::size_t wake_batch = 64;

// The read buffer: small while a shard is idle (its bytes are heartbeat
// ACKs), large while a burst fills the reads, back to small after a short one.
constexpr std::size_t idle_read_bytes = 2 * 1024;
constexpr std::size_t burst_read_bytes = 64 * 1024;
// The upgrade's response, at most: a header a server would send.
constexpr std::size_t upgrade_response_limit = 16 * 1024;

// Bytes read and not yet taken by the frame reader. What stays between reads
// is at most a header or a control frame: data is handed on as it comes.
class ReadBuffer {
  public:
    std::span<const std::uint8_t> unread() const { return {bytes_.get() + begin_, end_ - begin_}; }
    void consume(std::size_t n) { begin_ += n; }
    void clear() { begin_ = end_ = 0; }
    std::size_t capacity() const { return capacity_; }

    // Room for the next read: the unread bytes moved to the front of a
    // buffer of `size`.
    net::mutable_buffer prepare(std::size_t size) {
        std::size_t left = end_ - begin_;
        size = std::max(size, left + 1);
        if (size != capacity_) {
            auto larger = std::make_unique<std::uint8_t[]>(size);
            if (left > 0) {
                std::memcpy(larger.get(), bytes_.get() + begin_, left);
            }
            bytes_ = std::move(larger);
            capacity_ = size;
        } else if (begin_ > 0 && left > 0) {
            std::memmove(bytes_.get(), bytes_.get() + begin_, left);
        }
        begin_ = 0;
        end_ = left;
        return {bytes_.get() + end_, capacity_ - end_};
    }
    void commit(std::size_t n) { end_ += n; }
    void append(net::const_buffer more) {
        auto room = prepare(std::max(capacity_, end_ - begin_ + more.size()));
        std::memcpy(room.data(), more.data(), more.size());
        commit(more.size());
    }

  private:
    std::unique_ptr<std::uint8_t[]> bytes_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

// Masks and the handshake's nonce must be unpredictable (RFC 6455 5.3):
// OpenSSL's generator, or the system's should that ever fail.
void fill_random(std::span<std::uint8_t> bytes) {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        std::random_device device;
        for (auto& byte : bytes) {
            byte = static_cast<std::uint8_t>(device());
        }
    }
}

std::array<std::uint8_t, 4> new_mask() {
    std::array<std::uint8_t, 4> mask{};
    fill_random(mask);
    return mask;
}

// A control frame of the client's: a pong, or the close.
struct Control {
    WebSocketOpcode opcode;
    std::vector<std::uint8_t> payload;
};

// Stream: beast::tcp_stream, or ssl::stream over one.
template <class Stream>
struct Connection final : ConnectionBase, std::enable_shared_from_this<Connection<Stream>> {
    std::shared_ptr<ShardCore> shard;
    Url url;
    Stream stream;
    WebSocketFrameReader frames;
    ReadBuffer inbox;
    std::deque<std::variant<action::Send, Control>> outbox;
    std::vector<std::uint8_t> frame;  // the frame being written
    bool writing = false;
    bool open = false;     // the upgrade finished
    bool aborted = false;  // closed before it opened
    bool closing = false;  // a close frame is queued or came: data is no longer read
    bool close_written = false;
    bool close_received = false;
    bool broken = false;  // the server broke the protocol: its bytes are not read
    std::optional<std::uint16_t> close_code;  // from the server's close frame
    // Armed when closing starts: a server that never answers the close, or a
    // write it never reads, would otherwise hold the session for ever.
    net::steady_timer close_deadline;

    template <class... Args>
    Connection(std::shared_ptr<ShardCore> s, Url u, Args&&... args)
        : shard(std::move(s)),
          url(std::move(u)),
          stream(std::forward<Args>(args)...),
          close_deadline(shard->strand) {}

    bool current() const { return shard->connection.get() == this; }

    static constexpr bool secure = !std::is_same_v<Stream, beast::tcp_stream>;

    // Bytes that wait in the socket (or, over TLS, inside the TLS engine).
    bool bytes_waiting() {
        if constexpr (secure) {
            if (SSL_pending(stream.native_handle()) > 0) {
                return true;
            }
        }
        beast::error_code probe;
        return beast::get_lowest_layer(stream).socket().available(probe) > 0 && !probe;
    }

    void send(action::Send message) override {
        if (closing) {
            return;  // no data after a close frame
        }
        outbox.emplace_back(std::move(message));
        kick();
    }

    void close(std::uint16_t code, std::string reason) override {
        if (!open) {
            // Still connecting: abandon the attempt; run() reports the failure.
            aborted = true;
            beast::get_lowest_layer(stream).cancel();
            beast::get_lowest_layer(stream).close();
            return;
        }
        start_closing(websocket_close_payload(code, reason));
    }

    // Queues the close frame (unless one went already) and bounds the rest of
    // the close: the server's answer and the end of the stream.
    void start_closing(std::vector<std::uint8_t> payload) {
        if (closing) {
            return;
        }
        closing = true;
        std::erase_if(outbox,
                      [](const auto& item) { return std::holds_alternative<action::Send>(item); });
        outbox.emplace_back(Control{WebSocketOpcode::close, std::move(payload)});
        close_deadline.expires_after(shard->config.close_timeout);
        close_deadline.async_wait([weak = this->weak_from_this()](const beast::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self) {
                return;  // the connection ended in time
            }
            if (auto log = logger()) {
                log->debug("close not done within close_timeout: dropping the connection");
            }
            beast::error_code ignored;
            beast::get_lowest_layer(self->stream).socket().close(ignored);
        });
        kick();
    }

    // Both close frames have passed: the server ends the stream; a TCP
    // client says it is done sending.
    void closed_both_ways() {
        if constexpr (!secure) {
            beast::error_code ignored;
            beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    void kick() {
        if (writing || !open) {
            return;
        }
        writing = true;
        net::co_spawn(shard->strand, write_loop(this->shared_from_this()), net::detached);
    }

    static net::awaitable<void> write_loop(std::shared_ptr<Connection> self) {
        while (!self->outbox.empty() && !self->close_written) {
            auto next = std::move(self->outbox.front());
            self->outbox.pop_front();
            self->frame.clear();
            bool is_close = false;
            if (auto* message = std::get_if<action::Send>(&next)) {
                append_client_frame(
                    self->frame, message->binary ? WebSocketOpcode::binary : WebSocketOpcode::text,
                    {reinterpret_cast<const std::uint8_t*>(message->bytes.data()),
                     message->bytes.size()},
                    new_mask());
            } else {
                auto& control = std::get<Control>(next);
                append_client_frame(self->frame, control.opcode, control.payload, new_mask());
                is_close = control.opcode == WebSocketOpcode::close;
            }
            beast::error_code ec;
            co_await net::async_write(self->stream, net::buffer(self->frame),
                                      net::redirect_error(net::use_awaitable, ec));
            if (ec) {
                break;  // the read loop sees the failure and reports it
            }
            if (is_close) {
                self->close_written = true;
                if (self->close_received) {
                    self->closed_both_ways();
                }
            }
        }
        self->frame = {};
        self->writing = false;
    }

    // The HTTP upgrade (RFC 6455 4.1). Bytes the server sent behind its
    // answer are frames already: they stay in the inbox.
    net::awaitable<beast::error_code> upgrade() {
        beast::error_code ec;
        std::array<std::uint8_t, 16> nonce{};
        fill_random(nonce);
        std::string key = websocket_key(nonce);
        std::string host = url.host;
        if (url.port != (url.secure ? "443" : "80")) {
            host += ":" + url.port;
        }
        http::request<http::empty_body> request{http::verb::get, url.target, 11};
        request.set(http::field::host, host);
        request.set(http::field::upgrade, "websocket");
        request.set(http::field::connection, "Upgrade");
        request.set(http::field::sec_websocket_key, key);
        request.set(http::field::sec_websocket_version, "13");
        request.set(http::field::user_agent, "gatewire/0.1");
        co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            co_return ec;
        }
        beast::flat_buffer received(upgrade_response_limit);
        http::response_parser<http::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(upgrade_response_limit));
        co_await http::async_read_header(stream, received, parser,
                                         net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            co_return ec;
        }
        const auto& response = parser.get();
        namespace ws_error = beast::websocket;
        if (response.result() != http::status::switching_protocols) {
            if (auto log = logger()) {
                log->warn("the WebSocket upgrade was refused: HTTP {}", response.result_int());
            }
            co_return ws_error::error::upgrade_declined;
        }
        if (!beast::iequals(response[http::field::upgrade], "websocket")) {
            co_return ws_error::error::no_upgrade;
        }
        if (!http::token_list{response[http::field::connection]}.exists("upgrade")) {
            co_return ws_error::error::no_connection_upgrade;
        }
        if (response[http::field::sec_websocket_accept] != websocket_accept(key)) {
            co_return ws_error::error::bad_sec_accept;
        }
        inbox.append(received.data());
        co_return ec;
    }

    net::awaitable<beast::error_code> establish() {
        beast::error_code ec;
        auto& lowest = beast::get_lowest_layer(stream);
        lowest.expires_after(shard->config.connect_timeout);
        tcp::resolver resolver(shard->strand);
        auto endpoints = co_await resolver.async_resolve(
            url.host, url.port, net::redirect_error(net::use_awaitable, ec));
        if (ec || aborted) {
            co_return ec ? ec : net::error::operation_aborted;
        }
        co_await lowest.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
        if (ec || aborted) {
            co_return ec ? ec : net::error::operation_aborted;
        }
        lowest.socket().set_option(tcp::no_delay(true), ec);
        if (std::size_t bytes = shard->config.socket_send_buffer_bytes; bytes != 0) {
            lowest.socket().set_option(net::socket_base::send_buffer_size(
                                           static_cast<int>(std::min<std::size_t>(bytes, INT_MAX))),
                                       ec);
        }
        if constexpr (secure) {
            if (beast::error_code error = detail::expect_host(stream, url.host)) {
                co_return error;
            }
            co_await stream.async_handshake(ssl::stream_base::client,
                                            net::redirect_error(net::use_awaitable, ec));
            if (ec || aborted) {
                co_return ec ? ec : net::error::operation_aborted;
            }
        }
        lowest.expires_after(shard->config.connect_timeout);
        ec = co_await upgrade();
        lowest.expires_never();
        if (!ec && aborted) {
            ec = net::error::operation_aborted;
        }
        co_return ec;
    }

    static net::awaitable<void> run(std::shared_ptr<Connection> self) {
        ShardCore& shard = *self->shard;
        beast::error_code ec = co_await self->establish();
        if (!self->current()) {
            co_return;
        }
        if (ec) {
            if (ec == beast::error::timeout) {
                shard.session.on_connect_failed(errc::connect_timeout, Clock::now());
            } else {
                shard.session.on_connect_failed(ec, Clock::now());
            }
            shard.pump();
            co_return;
        }
        self->open = true;
        shard.session.on_connected(Clock::now());
        shard.pump();
        self->kick();
        std::size_t size = idle_read_bytes;
        if (!self->inbox.unread().empty() && co_await self->take_frames()) {
            co_return;  // frames that came with the upgrade's answer
        }
        for (;;) {
            auto room = self->inbox.prepare(size);
            std::size_t n = co_await self->stream.async_read_some(
                room, net::redirect_error(net::use_awaitable, ec));
            if (!self->current()) {
                co_return;
            }
            if (ec) {
                break;
            }
            self->inbox.commit(n);
            bool filled = n == room.size();
            if (co_await self->take_frames()) {
                co_return;
            }
            // Large while reads fill the buffer; small again after one that
            // would have fitted the small one (TLS hands on a record per read,
            // at most 16 KiB: that is still a burst).
            if (filled) {
                size = burst_read_bytes;
            } else if (n < idle_read_bytes && self->inbox.unread().size() < idle_read_bytes) {
                size = idle_read_bytes;
            }
        }
        shard.flush_wake();
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream).socket().close(ignored);
        self->close_deadline.cancel();
        if (!self->close_code && !self->broken) {
            if (auto log = logger()) {
                log->debug("connection ended without a close frame: {}", ec.message());
            }
        }
        shard.session.on_closed(self->close_code, Clock::now());
        shard.pump();
    }

    // Every frame the inbox holds, to the session; true when the connection
    // was replaced meanwhile (nothing more is read). One wake of the handler
    // side per burst, not per event: held while more bytes are sure to come
    // at once and the batch is small. No timer: an event that ends a burst is
    // handed over as soon as it is queued.
    net::awaitable<bool> take_frames() {
        ShardCore& core = *shard;
        TimePoint now = Clock::now();
        core.pass_handled();
        core.defer_wake = true;
        while (!broken) {
            WebSocketPiece piece = frames.next(inbox.unread());
            inbox.consume(piece.used);
            using Kind = WebSocketPiece::Kind;
            if (piece.kind == Kind::need_more) {
                break;
            }
            switch (piece.kind) {
                case Kind::data:
                    if (closing || (piece.payload.empty() && !piece.message_end)) {
                        break;
                    }
                    core.session.on_message(piece.payload, piece.message_end, now,
                                            static_cast<std::size_t>(piece.frame_left));
                    core.pump();
                    if (!current()) {
                        core.flush_wake();
                        co_return true;
                    }
                    if (core.deferred_events >= wake_batch) {
                        core.flush_wake();
                        core.defer_wake = true;
                    }
                    if (!core.has_room()) {
                        co_await core.wait_for_room();
                        if (!current()) {
                            core.flush_wake();
                            co_return true;
                        }
                        core.defer_wake = true;
                        now = Clock::now();
                    }
                    break;
                case Kind::ping:
                    if (!closing) {
                        outbox.emplace_back(Control{WebSocketOpcode::pong,
                                                    {piece.payload.begin(), piece.payload.end()}});
                        kick();
                    }
                    break;
                case Kind::close:
                    close_received = true;
                    close_code = piece.close_code;
                    // The answer echoes the code (RFC 6455 5.5.1).
                    start_closing(piece.close_code ? websocket_close_payload(*piece.close_code, {})
                                                   : std::vector<std::uint8_t>{});
                    if (close_written) {
                        closed_both_ways();
                    }
                    break;
                case Kind::violation:
                    broken = true;
                    if (auto log = logger()) {
                        log->warn(
                            "shard {}: the server broke the WebSocket protocol ({}); closing "
                            "with 1002",
                            core.shard_id(), piece.problem);
                    }
                    start_closing(websocket_close_payload(1002, "protocol error"));
                    break;
                default:
                    break;  // a pong
            }
        }
        if (broken || close_received) {
            inbox.clear();  // nothing after a close frame, nor after a broken frame
        }
        // Asked even after a read that filled the buffer: the socket may
        // have held exactly that much, and the events would wait for the
        // next bytes, a heartbeat's ACK away.
        if (!bytes_waiting()) {
            core.flush_wake();
        }
        co_return false;
    }
};

}  // namespace

SessionConfig ShardCore::session_config_of(const ShardConfig& config) {
    SessionConfig session = config.session;
    if (config.identify_queue) {
        session.identify_slots = true;
        session.resume_slots = true;
    }
    return session;
}

net::any_io_executor make_shard_strand(const net::any_io_executor& io) {
    if (const auto* plain = io.target<net::io_context::executor_type>()) {
        return net::make_strand(*plain);
    }
    return net::make_strand(io);
}

ShardCore::ShardCore(net::any_io_executor executor, ShardConfig c, net::any_io_executor handlers)
    : io(std::move(executor)),
      strand(make_shard_strand(io)),
      side(std::make_shared<HandlerSide>()),
      config(std::move(c)),
      session(session_config_of(config)),
      deadline_timer(strand),
      space_timer(strand) {
    if (!config.ca_file.empty()) {
        tls = detail::shared_client_tls(config.ca_file);  // a bad file fails here, at once
    }
    resumable = config.session.resume;
    side->handler_executor = std::move(handlers);
    side->shard = config.session.shard.value_or(ShardId{});
    side->store = config.session_store;
    side->stored = config.session.resume;
    side->resume_events = config.event_queue_capacity / 2;
    side->resume_bytes = config.event_queue_bytes / 2;
}

void ShardCore::open_connection(std::string url_text) {
    auto url = Url::parse(url_text);
    if (!url) {
        session.on_connect_failed(errc::invalid_url, Clock::now());
        return;
    }
    auto self = shared_from_this();
    if (url->secure) {
        if (!tls) {
            try {
                tls = detail::shared_client_tls(config.ca_file);
            } catch (const boost::system::system_error& e) {
                session.on_connect_failed(e.code(), Clock::now());
                return;
            }
        }
        using Stream = ssl::stream<beast::tcp_stream>;
        auto made = std::make_shared<Connection<Stream>>(self, *url, strand, *tls);
        connection = made;
        net::co_spawn(strand, Connection<Stream>::run(made), net::detached);
    } else {
        using Stream = beast::tcp_stream;
        auto made = std::make_shared<Connection<Stream>>(self, *url, strand);
        connection = made;
        net::co_spawn(strand, Connection<Stream>::run(made), net::detached);
    }
}

}  // namespace gatewire::detail
