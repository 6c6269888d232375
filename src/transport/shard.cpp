#include "gatewire/transport/shard.hpp"

#include <atomic>
#include <climits>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "detail/tls_client.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/core/log.hpp"
#include "gatewire/detail/url.hpp"

namespace gatewire {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// --- logging ---------------------------------------------------------------

namespace {
std::mutex logger_mutex;
std::shared_ptr<spdlog::logger>& logger_slot() {
    static std::shared_ptr<spdlog::logger> slot = [] {
        auto made = std::make_shared<spdlog::logger>(
            "gatewire", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        made->set_level(spdlog::level::warn);
        if (const char* level = std::getenv("GATEWIRE_LOG_LEVEL")) {
            made->set_level(spdlog::level::from_str(level));
        }
        return made;
    }();
    return slot;
}
}  // namespace

std::shared_ptr<spdlog::logger> logger() {
    std::lock_guard lock(logger_mutex);
    return logger_slot();
}

void set_logger(std::shared_ptr<spdlog::logger> replacement) {
    std::lock_guard lock(logger_mutex);
    logger_slot() = std::move(replacement);
}

// --- shard -------------------------------------------------------------------

namespace {

net::any_io_executor shared_handler_executor() {
    static net::thread_pool pool(1);
    return pool.get_executor();
}

// What the handler side receives, in order.
struct StateItem {
    ShardState state;
    std::string detail;
};
struct ErrorItem {
    std::error_code error;
    std::string detail;
};
struct FinishItem {
    std::error_code error;
};
struct EventItem {
    RawEvent event;
    std::uint64_t generation;  // which session the event belongs to
};
using Item = std::variant<EventItem, StateItem, ErrorItem, FinishItem>;

std::size_t event_bytes(const RawEvent& event) {
    return event.message.size() + event.name.size();
}

}  // namespace

struct ConnectionBase {
    virtual ~ConnectionBase() = default;
    virtual void send(action::Send message) = 0;
    virtual void close(std::uint16_t code, std::string reason) = 0;
};

// What the handler executor works on. It holds no I/O object, so a handler job
// that finishes after the shard and its io_context are gone frees nothing that
// needs them.
struct HandlerSide {
    net::any_io_executor handler_executor;
    ShardId shard;
    std::shared_ptr<SessionStore> store;
    std::optional<ResumableSession> stored;  // what the store holds, as far as we know
    std::weak_ptr<detail::ShardCore> core;   // to wake the reader; may be gone

    Shard::EventHandler event_handler;
    Shard::StateHandler state_handler;
    Shard::ErrorHandler error_handler;
    Shard::FinishHandler finish_handler;

    // Held while one of the owner's handlers runs. The Shard's destructor takes
    // it, so once the destructor returns no handler runs, and none runs again:
    // the objects they capture (a Client's dispatcher) may go.
    std::mutex handler_gate;
    bool detached = false;                          // under handler_gate
    std::atomic<std::thread::id> handler_thread{};  // the thread in a handler now

    // Between the strand and the handler executor.
    std::mutex queue_mutex;
    std::deque<Item> queue;
    std::size_t queued_events = 0;
    std::size_t queued_bytes = 0;
    bool draining = false;
    std::atomic<bool> reader_waiting{false};

    // What other threads may read.
    std::mutex snapshot_mutex;
    ShardState state = ShardState::idle;
    std::optional<std::chrono::microseconds> latency;
    SessionStats stats;
    std::optional<ResumableSession> resumable;  // seq: what a resume may ask after
    std::uint64_t generation = 0;
    // What heartbeats may acknowledge: what was handled, or with a store what
    // the store holds, so a restart from it never asks below an acknowledged
    // seq (Fluxer closes 4007) or finds the server's replay trimmed past it.
    std::optional<ResumableSession> acknowledged;
    // Bumped whenever `acknowledged` moves, so the strand can tell the session
    // with one load per message.
    std::atomic<std::uint64_t> acknowledged_version{0};
    void acknowledge(const ResumableSession& upto);  // under snapshot_mutex

    static void drain(std::shared_ptr<HandlerSide> self);
    void wake_reader();
    void persist();
    template <class F>
    void run_handler(F&& call);
    void detach();
};

struct detail::ShardCore : std::enable_shared_from_this<ShardCore> {
    net::strand<net::any_io_executor> strand;
    std::shared_ptr<HandlerSide> side;
    ShardConfig config;
    Session session;
    std::shared_ptr<ssl::context> tls;  // shared with other shards; made at the first wss://
    net::steady_timer deadline_timer;
    net::steady_timer space_timer;  // wakes the reader when the event queue has room
    std::shared_ptr<ConnectionBase> connection;
    bool started = false;
    bool finished = false;
    std::uint64_t handled_seen = 0;  // the handled_version last passed to the session

    // The handler side's members under their usual names.
    net::any_io_executor& handler_executor = side->handler_executor;
    Shard::EventHandler& event_handler = side->event_handler;
    Shard::StateHandler& state_handler = side->state_handler;
    Shard::ErrorHandler& error_handler = side->error_handler;
    Shard::FinishHandler& finish_handler = side->finish_handler;
    std::mutex& queue_mutex = side->queue_mutex;
    std::deque<Item>& queue = side->queue;
    std::size_t& queued_events = side->queued_events;
    std::size_t& queued_bytes = side->queued_bytes;
    // Commands posted by send() that the strand has not yet handed on.
    std::atomic<std::size_t> posted_command_bytes{0};
    bool& draining = side->draining;
    std::atomic<bool>& reader_waiting = side->reader_waiting;
    std::mutex& snapshot_mutex = side->snapshot_mutex;
    ShardState& state = side->state;
    std::optional<std::chrono::microseconds>& latency = side->latency;
    SessionStats& stats = side->stats;
    std::optional<ResumableSession>& resumable = side->resumable;
    std::uint64_t& generation = side->generation;

    ShardCore(net::any_io_executor io, ShardConfig c, net::any_io_executor handlers)
        : strand(net::make_strand(io)),
          side(std::make_shared<HandlerSide>()),
          config(std::move(c)),
          session(config.session),
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

    std::uint32_t shard_id() const { return config.session.shard ? config.session.shard->id : 0; }

    // Carry out everything the session asked for, then re-arm its timer.
    void pump();
    void open_connection(std::string url);
    void enqueue(Item item);
    net::awaitable<void> run_timer();
    net::awaitable<void> wait_for_room();
    void update_snapshot();
    void pass_handled();
};

namespace {

template <class Stream>
struct Connection final : ConnectionBase, std::enable_shared_from_this<Connection<Stream>> {
    std::shared_ptr<detail::ShardCore> shard;
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
    Connection(std::shared_ptr<detail::ShardCore> s, Url u, Args&&... args)
        : shard(std::move(s)),
          url(std::move(u)),
          ws(std::forward<Args>(args)...),
          close_deadline(shard->strand) {}

    bool current() const { return shard->connection.get() == this; }

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
        if constexpr (!std::is_same_v<Stream, websocket::stream<beast::tcp_stream>>) {
            if (beast::error_code error = detail::expect_host(ws.next_layer(), url.host)) {
                co_return error;
            }
            co_await ws.next_layer().async_handshake(ssl::stream_base::client,
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
        detail::ShardCore& shard = *self->shard;
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
            shard.session.on_message({static_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                                     self->ws.is_message_done(), Clock::now());
            buffer.consume(n);
            shard.pump();
            co_await shard.wait_for_room();
            if (!self->current()) {
                co_return;
            }
        }
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

void detail::ShardCore::open_connection(std::string url_text) {
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
        using Stream = websocket::stream<ssl::stream<beast::tcp_stream>>;
        auto made = std::make_shared<Connection<Stream>>(self, *url, strand, *tls);
        connection = made;
        net::co_spawn(strand, Connection<Stream>::run(made), net::detached);
    } else {
        using Stream = websocket::stream<beast::tcp_stream>;
        auto made = std::make_shared<Connection<Stream>>(self, *url, strand);
        connection = made;
        net::co_spawn(strand, Connection<Stream>::run(made), net::detached);
    }
}

void detail::ShardCore::pump() {
    bool again = true;
    while (again) {
        again = false;
        while (auto next = session.poll()) {
            std::visit(
                [&](auto&& a) {
                    using A = std::decay_t<decltype(a)>;
                    if constexpr (std::is_same_v<A, action::Connect>) {
                        open_connection(std::move(a.url));
                        again = true;  // a bad URL feeds the session at once
                    } else if constexpr (std::is_same_v<A, action::Send>) {
                        if (connection) {
                            connection->send(std::move(a));
                        }
                    } else if constexpr (std::is_same_v<A, action::Close>) {
                        if (connection) {
                            connection->close(a.code, std::move(a.reason));
                        }
                    } else if constexpr (std::is_same_v<A, action::Deliver>) {
                        enqueue(EventItem{std::move(a.event), generation});
                    } else if constexpr (std::is_same_v<A, action::StateChange>) {
                        if (auto log = logger()) {
                            log->info("shard {}: {} ({})", shard_id(), to_string(a.state),
                                      a.detail);
                        }
                        {
                            std::lock_guard lock(snapshot_mutex);
                            state = a.state;
                        }
                        enqueue(StateItem{a.state, std::move(a.detail)});
                    } else if constexpr (std::is_same_v<A, action::Report>) {
                        if (auto log = logger()) {
                            log->warn("shard {}: {}", shard_id(), a.detail);
                        }
                        enqueue(ErrorItem{a.error, std::move(a.detail)});
                    } else if constexpr (std::is_same_v<A, action::Finish>) {
                        finished = true;
                        if (a.error) {
                            if (auto log = logger()) {
                                log->error("shard {}: {}", shard_id(), a.error.message());
                            }
                        }
                        enqueue(FinishItem{a.error});
                    }
                },
                std::move(*next));
            update_snapshot();
        }
    }
    if (finished) {
        connection.reset();
        deadline_timer.cancel();
        space_timer.cancel();
        return;
    }
    auto deadline = session.next_deadline();
    deadline_timer.expires_at(deadline ? *deadline : TimePoint::max());
}

void HandlerSide::acknowledge(const ResumableSession& upto) {
    acknowledged = upto;
    acknowledged_version.fetch_add(1, std::memory_order_release);
}

// Tells the session how far heartbeats may acknowledge, when that moved.
void detail::ShardCore::pass_handled() {
    std::uint64_t version = side->acknowledged_version.load(std::memory_order_acquire);
    if (version == handled_seen) {
        return;
    }
    handled_seen = version;
    std::lock_guard lock(snapshot_mutex);
    if (side->acknowledged) {
        session.handled(side->acknowledged->session_id, side->acknowledged->seq);
    }
}

void detail::ShardCore::update_snapshot() {
    std::lock_guard lock(snapshot_mutex);
    latency = session.latency();
    stats = session.stats();
    auto current = session.resumable();
    if (!current) {
        if (resumable) {
            resumable.reset();
            ++generation;
        }
        return;
    }
    if (!resumable || resumable->session_id != current->session_id) {
        // A new session: nothing of it has been handled yet.
        ++generation;
        resumable = ResumableSession{current->session_id, 0, current->resume_url};
    } else {
        resumable->resume_url = current->resume_url;
    }
}

net::awaitable<void> detail::ShardCore::run_timer() {
    auto self = shared_from_this();
    while (!finished) {
        beast::error_code ec;
        co_await deadline_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        if (finished) {
            break;
        }
        if (!ec || Clock::now() >= deadline_timer.expiry()) {
            pass_handled();
            session.on_tick(Clock::now());
            pump();
        }
    }
}

net::awaitable<void> detail::ShardCore::wait_for_room() {
    for (;;) {
        reader_waiting = true;
        {
            std::lock_guard lock(queue_mutex);
            if ((queued_events < config.event_queue_capacity &&
                 queued_bytes < config.event_queue_bytes) ||
                finished) {
                break;
            }
        }
        // The handlers are behind: stop reading (the socket buffers what comes),
        // and tell the session that missing ACKs prove nothing meanwhile.
        session.set_reading_paused(true, Clock::now());
        space_timer.expires_at(TimePoint::max());
        beast::error_code ec;
        co_await space_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        session.set_reading_paused(false, Clock::now());
    }
    reader_waiting = false;
}

void detail::ShardCore::enqueue(Item item) {
    std::lock_guard lock(queue_mutex);
    if (auto* event = std::get_if<EventItem>(&item)) {
        ++queued_events;
        queued_bytes += event_bytes(event->event);
    }
    queue.push_back(std::move(item));
    if (!draining) {
        draining = true;
        net::post(handler_executor, [side = side] { HandlerSide::drain(side); });
    }
}

void HandlerSide::wake_reader() {
    if (auto c = core.lock()) {
        net::post(c->strand, [c] { c->space_timer.cancel(); });
    }
}

void HandlerSide::drain(std::shared_ptr<HandlerSide> self) {
    HandlerSide& h = *self;
    // Run a batch, then yield the handler thread to other shards.
    for (int batch = 0; batch < 64; ++batch) {
        Item item;
        {
            std::unique_lock lock(h.queue_mutex);
            if (h.queue.empty() && h.store) {
                // Persist while still the only drain: another may start once
                // `draining` is false, and must not overlap with this one.
                lock.unlock();
                h.persist();
                lock.lock();
            }
            if (h.queue.empty()) {
                h.draining = false;
                return;
            }
            item = std::move(h.queue.front());
            h.queue.pop_front();
        }
        std::visit(
            [&](auto& it) {
                using I = std::decay_t<decltype(it)>;
                if constexpr (std::is_same_v<I, FinishItem>) {
                    h.persist();  // the store is up to date before the owner hears the end
                }
                h.run_handler([&] {
                    if constexpr (std::is_same_v<I, EventItem>) {
                        if (h.event_handler) {
                            h.event_handler(it.event);
                        }
                    } else if constexpr (std::is_same_v<I, StateItem>) {
                        if (h.state_handler) {
                            h.state_handler(it.state, it.detail);
                        }
                    } else if constexpr (std::is_same_v<I, ErrorItem>) {
                        if (h.error_handler) {
                            h.error_handler(it.error, it.detail);
                        }
                    } else {
                        if (h.finish_handler) {
                            h.finish_handler(it.error);
                        }
                    }
                });
                if constexpr (std::is_same_v<I, EventItem>) {
                    {
                        std::lock_guard lock(h.snapshot_mutex);
                        if (it.generation == h.generation && h.resumable &&
                            it.event.resume_seq > h.resumable->seq) {
                            h.resumable->seq = it.event.resume_seq;
                            if (!h.store) {
                                h.acknowledge(*h.resumable);
                            }
                        }
                    }
                    std::lock_guard lock(h.queue_mutex);
                    --h.queued_events;
                    h.queued_bytes -= event_bytes(it.event);
                }
            },
            item);
        if (h.reader_waiting) {
            h.wake_reader();
        }
    }
    h.persist();
    net::post(h.handler_executor, [self] { drain(self); });
}

template <class F>
void HandlerSide::run_handler(F&& call) {
    std::lock_guard gate(handler_gate);
    if (detached) {
        return;  // the Shard is gone, and with it what its handlers use
    }
    handler_thread.store(std::this_thread::get_id());
    try {
        call();
    } catch (const std::exception& e) {
        if (auto log = logger()) {
            log->error("shard {}: a handler threw: {}", shard.id, e.what());
        }
    } catch (...) {
        // Not a std::exception (an int, a type of the user's own): it must
        // not escape into the pool and stop this shard's handlers.
        if (auto log = logger()) {
            log->error("shard {}: a handler threw something not a std::exception", shard.id);
        }
    }
    handler_thread.store(std::thread::id{});
}

void HandlerSide::detach() {
    if (handler_thread.load() == std::this_thread::get_id()) {
        detached = true;  // destroyed by its own handler, which holds the gate
        return;
    }
    std::lock_guard gate(handler_gate);
    detached = true;
}

// Brings the store up to date with what has been handled: once per batch, so
// a busy shard does not pay a store round trip per event.
void HandlerSide::persist() {
    if (!store) {
        return;
    }
    std::optional<ResumableSession> current;
    {
        std::lock_guard lock(snapshot_mutex);
        current = resumable;
    }
    if (current && current->seq == 0) {
        return;  // a new session of which nothing has been handled yet
    }
    if (current == stored) {
        return;
    }
    try {
        if (current) {
            store->save(shard, *current);
            std::lock_guard lock(snapshot_mutex);
            acknowledge(*current);
        } else {
            store->erase(shard);
        }
        stored = current;
    } catch (const std::exception& e) {
        if (auto log = logger()) {
            log->warn("shard {}: the session store failed: {}", shard.id, e.what());
        }
    }
}

namespace {
// A stored session becomes the one to resume, unless the owner gave one; and
// heartbeats acknowledge what the handlers finished, so a restart from the
// store loses nothing.
ShardConfig with_stored_session(ShardConfig config) {
    config.session.acknowledge = Acknowledge::handled;
    if (config.session_store && !config.session.resume) {
        ShardId shard = config.session.shard.value_or(ShardId{});
        try {
            config.session.resume = config.session_store->load(shard);
        } catch (const std::exception& e) {
            if (auto log = logger()) {
                log->warn("shard {}: the session store failed: {}; identifying", shard.id,
                          e.what());
            }
        }
    }
    return config;
}
}  // namespace

Shard::Shard(net::any_io_executor io, ShardConfig config,
             std::optional<net::any_io_executor> handlers)
    : impl_(std::make_shared<detail::ShardCore>(std::move(io),
                                                with_stored_session(std::move(config)),
                                                handlers ? *handlers : shared_handler_executor())) {
    impl_->side->core = impl_;
}

Shard::~Shard() {
    if (impl_->started) {
        stop();
    }
    impl_->side->detach();
}

void Shard::on_event(EventHandler handler) {
    impl_->event_handler = std::move(handler);
}
void Shard::on_state(StateHandler handler) {
    impl_->state_handler = std::move(handler);
}
void Shard::on_error(ErrorHandler handler) {
    impl_->error_handler = std::move(handler);
}
void Shard::on_finish(FinishHandler handler) {
    impl_->finish_handler = std::move(handler);
}

void Shard::start() {
    impl_->started = true;
    net::post(impl_->strand, [self = impl_] {
        self->session.start(Clock::now());
        self->pump();
        net::co_spawn(self->strand, self->run_timer(), net::detached);
    });
}

void Shard::stop(bool keep_resumable) {
    net::post(impl_->strand, [self = impl_, keep_resumable] {
        if (self->finished) {
            return;
        }
        self->session.stop(Clock::now(), keep_resumable);
        self->pump();
    });
}

const Profile& Shard::profile() const noexcept {
    return *impl_->config.session.profile;
}

std::error_code Shard::send(int op, std::string data_json) {
    // The envelope {"op":N,"d":…} adds at most 14 bytes; the session checks exactly.
    if (data_json.size() + 14 > impl_->config.session.profile->max_command_bytes) {
        std::string payload = "{\"op\":" + std::to_string(op) + ",\"d\":" + data_json + "}";
        if (payload.size() > impl_->config.session.profile->max_command_bytes) {
            return errc::command_too_large;
        }
    }
    if (state() == ShardState::stopped || state() == ShardState::failed) {
        return errc::not_connected;
    }
    // What waits for the strand is bounded like what waits in the session.
    const std::size_t bytes = data_json.size();
    std::size_t before = impl_->posted_command_bytes.load();
    do {
        if (before + bytes > impl_->config.session.max_queued_command_bytes) {
            return errc::queue_full;
        }
    } while (!impl_->posted_command_bytes.compare_exchange_weak(before, before + bytes));
    net::post(impl_->strand, [self = impl_, op, bytes, data = std::move(data_json)] {
        self->posted_command_bytes -= bytes;
        if (auto error = self->session.send_command(op, data, Clock::now())) {
            self->enqueue(ErrorItem{error, "command not sent"});
        }
        self->pump();
    });
    return {};
}

ShardState Shard::state() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->state;
}

std::optional<std::chrono::microseconds> Shard::latency() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->latency;
}

std::optional<ResumableSession> Shard::session() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->resumable;
}

SessionStats Shard::stats() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->stats;
}

Backlog Shard::backlog() const {
    std::lock_guard lock(impl_->queue_mutex);
    return {impl_->queued_events, impl_->queued_bytes};
}

std::uint32_t Shard::id() const noexcept {
    return impl_->shard_id();
}

}  // namespace gatewire
