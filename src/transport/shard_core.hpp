// What a Shard is inside: its strand, its session, its timers and its
// connection, all used on the strand alone; and its handler side.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gatewire/protocol/session.hpp"
#include "gatewire/transport/shard.hpp"
#include "transport/handler_queue.hpp"

namespace boost::asio::ssl {
class context;
}

namespace gatewire::detail {

namespace net = boost::asio;

// One connection of the shard: a WebSocket over TCP or TLS (connection.cpp).
struct ConnectionBase {
    virtual ~ConnectionBase() = default;
    virtual void send(action::Send message) = 0;
    virtual void close(std::uint16_t code, std::string reason) = 0;
};

// A strand over the io_context's own executor type where `io` is one: an
// any_io_executor holds that one in place, where a strand over an
// any_io_executor is too large for it and every copy and work-tracking
// variant of it (a few per read) was an allocation or a shared count.
net::any_io_executor make_shard_strand(const net::any_io_executor& io);

struct ShardCore : std::enable_shared_from_this<ShardCore> {
    net::any_io_executor io;      // what the shard was given
    net::any_io_executor strand;  // over `io`: see make_shard_strand()
    std::shared_ptr<HandlerSide> side;
    ShardConfig config;
    Session session;
    std::shared_ptr<net::ssl::context> tls;  // shared with other shards; made at the first wss://
    net::steady_timer deadline_timer;
    net::steady_timer space_timer;  // wakes the reader when the event queue has room
    std::shared_ptr<ConnectionBase> connection;
    bool started = false;
    bool finished = false;
    std::uint64_t handled_seen = 0;  // the handled_version last passed to the session
    // While the reader knows more bytes are already waiting, events queue up
    // without waking the handler side; flush_wake() wakes it once for all.
    bool defer_wake = false;
    std::size_t deferred_events = 0;
    // Items not yet handed over, and their share of the queue's bounds.
    std::vector<Item> outgoing;
    std::size_t outgoing_events = 0;
    std::size_t outgoing_bytes = 0;
    std::vector<Item> garbage;  // spent items taken back, freed outside the lock

    // The handler side's members under their usual names.
    net::any_io_executor& handler_executor = side->handler_executor;
    Shard::EventHandler& event_handler = side->event_handler;
    Shard::StateHandler& state_handler = side->state_handler;
    Shard::ErrorHandler& error_handler = side->error_handler;
    Shard::FinishHandler& finish_handler = side->finish_handler;
    std::mutex& queue_mutex = side->queue_mutex;
    std::vector<Item>& queue = side->queue;
    std::atomic<std::size_t>& queued_events = side->queued_events;
    std::atomic<std::size_t>& queued_bytes = side->queued_bytes;
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

    // In connection.cpp, beside the TLS it may set up.
    ShardCore(net::any_io_executor io, ShardConfig c, net::any_io_executor handlers);

    std::uint32_t shard_id() const { return config.session.shard ? config.session.shard->id : 0; }

    // The session's configuration with the identify queue's slots switched on.
    static SessionConfig session_config_of(const ShardConfig& config);

    // Carry out everything the session asked for, then re-arm its timer.
    void pump();
    // Asks the identify queue without blocking the strand; the answer comes
    // back to it. The io_context keeps work while the answer is out.
    void reserve_slot(const action::ReserveSlot& request);
    void open_connection(std::string url);
    void enqueue_event(RawEvent&& event);  // waits for the burst's end while defer_wake
    void enqueue(Item item);               // any other item: handed over at once
    // Moves what is outgoing into the queue (waking the handler side) and
    // takes back what the handler side has spent.
    void hand_over();
    void flush_wake();  // ends deferring: hands everything over
    net::awaitable<void> run_timer();
    bool has_room() const;  // in the handler queue, by count and by bytes
    net::awaitable<void> wait_for_room();
    void update_snapshot();
    void pass_handled();
};

}  // namespace gatewire::detail
