// A shard's connection: resolve, connect, TLS, the WebSocket handshake, then
// the read loop feeding the session and the write queue carrying its sends.
#include <climits>
#include <deque>
#include <variant>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "detail/tls_client.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/core/log.hpp"
#include "gatewire/core/url.hpp"
#include "transport/read_ahead_stream.hpp"
#include "transport/shard_core.hpp"

namespace gatewire::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

// Events queued before the handler side is woken, at most, while more bytes wait.
constexpr std::size_t wake_batch = 64;

template <class Stream>
struct Connection final : ConnectionBase, std::enable_shared_from_this<Connection<Stream>> {
    std::shared_ptr<ShardCore> shard;
    Url url;
    Stream ws;
    std::deque<std::variant<action::Send, action::Close>> outbox;
    bool writing = false;
    bool open = false;     // the WebSocket handshake finished
    bool aborted = false;  // closed before it opened
    bool close_sent = false;
    // Armed by close(): a write the server never reads would otherwise hold
    // the Close frame back for ever, and the session would wait with it.
    net::steady_timer close_deadline;
    bool close_requested = false;

    template <class... Args>
    Connection(std::shared_ptr<ShardCore> s, Url u, Args&&... args)
        : shard(std::move(s)),
          url(std::move(u)),
          ws(std::forward<Args>(args)...),
          close_deadline(shard->strand) {}

    bool current() const { return shard->connection.get() == this; }

    static constexpr bool secure =
        !std::is_same_v<typename Stream::next_layer_type::next_layer_type, beast::tcp_stream>;

    // Bytes that wait for the reader, in this process or in the socket.
    bool bytes_waiting() {
        if (ws.next_layer().buffered() > 0) {
            return true;
        }
        beast::error_code probe;
        return beast::get_lowest_layer(ws).socket().available(probe) > 0 && !probe;
    }

    void send(action::Send message) override {
        outbox.emplace_back(std::move(message));
        kick();
    }

    void close(std::uint16_t code, std::string reason) override {
        if (!open) {
            // Still connecting: abandon the attempt; run() reports the failure.
            aborted = true;
            beast::get_lowest_layer(ws).cancel();
            beast::get_lowest_layer(ws).close();
            return;
        }
        outbox.emplace_back(action::Close{code, std::move(reason)});
        if (!close_requested) {
            close_requested = true;
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
                beast::get_lowest_layer(self->ws).socket().close(ignored);
            });
        }
        kick();
    }

    void kick() {
        if (writing || !open) {
            return;
        }
        writing = true;
        net::co_spawn(shard->strand, write_loop(this->shared_from_this()), net::detached);
    }

    static net::awaitable<void> write_loop(std::shared_ptr<Connection> self) {
        while (!self->outbox.empty() && !self->close_sent) {
            auto next = std::move(self->outbox.front());
            self->outbox.pop_front();
            beast::error_code ec;
            if (auto* message = std::get_if<action::Send>(&next)) {
                self->ws.binary(message->binary);
                co_await self->ws.async_write(net::buffer(message->bytes),
                                              net::redirect_error(net::use_awaitable, ec));
            } else {
                auto& close = std::get<action::Close>(next);
                self->close_sent = true;
                websocket::close_reason reason(static_cast<websocket::close_code>(close.code),
                                               close.reason);
                co_await self->ws.async_close(reason, net::redirect_error(net::use_awaitable, ec));
                if (ec) {
                    beast::get_lowest_layer(self->ws).close();
                }
            }
            if (ec) {
                break;  // the read loop sees the failure and reports it
            }
        }
        self->writing = false;
    }

    net::awaitable<beast::error_code> establish() {
        beast::error_code ec;
        auto& lowest = beast::get_lowest_layer(ws);
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
            auto& tls = ws.next_layer().next_layer();
            if (beast::error_code error = detail::expect_host(tls, url.host)) {
                co_return error;
            }
            co_await tls.async_handshake(ssl::stream_base::client,
                                         net::redirect_error(net::use_awaitable, ec));
            if (ec || aborted) {
                co_return ec ? ec : net::error::operation_aborted;
            }
        }
        lowest.expires_never();
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = shard->config.connect_timeout;
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws.set_option(timeouts);
        ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
            request.set(beast::http::field::user_agent, "gatewire/0.1");
        }));
        ws.read_message_max(0);  // the message decoder enforces the size bound
        std::string host = url.host;
        if (url.port != (url.secure ? "443" : "80")) {
            host += ":" + url.port;
        }
        co_await ws.async_handshake(host, url.target, net::redirect_error(net::use_awaitable, ec));
        if (!ec && aborted) {
            ec = net::error::operation_aborted;
        }
        if (!ec) {
            // From now on the close handshake may take at most close_timeout.
            timeouts.handshake_timeout = shard->config.close_timeout;
            ws.set_option(timeouts);
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
        beast::flat_buffer buffer;
        for (;;) {
            std::size_t n = co_await self->ws.async_read_some(
                buffer, 64 * 1024, net::redirect_error(net::use_awaitable, ec));
            if (!self->current()) {
                co_return;
            }
            if (ec) {
                break;
            }
            auto bytes = buffer.cdata();
            shard.pass_handled();
            shard.defer_wake = true;
            shard.session.on_message({static_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                                     self->ws.is_message_done(), Clock::now());
            buffer.consume(n);
            shard.pump();
            // One wake of the handler side per burst, not per event: hold it
            // while the next read is sure to complete at once (bytes wait in
            // the read-ahead buffer or the socket) and the batch is small. No timer: an event that
            // ends a burst is handed over as soon as it is queued.
            if (shard.deferred_events >= wake_batch || !self->bytes_waiting()) {
                shard.flush_wake();
            }
            co_await shard.wait_for_room();
            if (!self->current()) {
                shard.flush_wake();
                co_return;
            }
        }
        shard.flush_wake();
        std::optional<std::uint16_t> code;
        if (ec == websocket::error::closed &&
            self->ws.reason().code != websocket::close_code::none) {
            code = static_cast<std::uint16_t>(self->ws.reason().code);
        }
        if (!code) {
            logger_or_null(ec);
        }
        self->close_deadline.cancel();
        shard.session.on_closed(code, Clock::now());
        shard.pump();
    }

    static void logger_or_null(const beast::error_code& ec) {
        if (auto log = logger()) {
            log->debug("connection ended without a close frame: {}", ec.message());
        }
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
        using Stream = websocket::stream<ReadAheadStream<ssl::stream<beast::tcp_stream>>>;
        auto made = std::make_shared<Connection<Stream>>(self, *url, strand, *tls);
        connection = made;
        net::co_spawn(strand, Connection<Stream>::run(made), net::detached);
    } else {
        using Stream = websocket::stream<ReadAheadStream<beast::tcp_stream>>;
        auto made = std::make_shared<Connection<Stream>>(self, *url, strand);
        connection = made;
        net::co_spawn(strand, Connection<Stream>::run(made), net::detached);
    }
}

}  // namespace gatewire::detail
