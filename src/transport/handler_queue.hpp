// The handler side of a shard: the queue between the shard's strand and its
// handler executor, the gate that keeps handlers from outliving their Shard,
// and what other threads may read of the shard.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "gatewire/transport/shard.hpp"

namespace gatewire::detail {

namespace net = boost::asio;

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
    EventItem(RawEvent&& e, std::uint64_t g) : event(std::move(e)), generation(g) {}
    RawEvent event;
    std::uint64_t generation;  // which session the event belongs to
};
using Item = std::variant<EventItem, StateItem, ErrorItem, FinishItem>;

// Items one drain handles at a time, before it yields the handler thread
// to other shards.
constexpr std::size_t drain_batch = 64;

inline std::size_t event_bytes(const RawEvent& event) {
    return event.message.size() + event.name.size();
}

// What the handler executor works on. It holds no I/O object, so a handler job
// that finishes after the shard and its io_context are gone frees nothing that
// needs them.
struct HandlerSide {
    net::any_io_executor handler_executor;
    ShardId shard;
    std::shared_ptr<SessionStore> store;
    std::optional<ResumableSession> stored;  // what the store holds, as far as we know
    std::weak_ptr<ShardCore> core;           // to wake the reader; may be gone

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

    // Between the strand and the handler executor. The vectors pass from one
    // to the next by swapping, and keep their capacity: the strand hands its
    // items over into `queue`, a drain takes the whole of it into `taken`,
    // and once it is handled gives it back in `spent`, for the strand to
    // free. The strand allocated those messages: freed here, they met its
    // allocations on malloc's arena lock (a futex wake per few events).
    std::mutex queue_mutex;
    std::vector<Item> queue;
    std::vector<Item> taken;     // the running drain's alone
    std::size_t taken_done = 0;  // of `taken`, the items handled
    std::vector<Item> spent;
    // Handed over and not yet handled, `taken` included. Atomic: the reader
    // checks them after every read without taking the lock.
    std::atomic<std::size_t> queued_events{0};
    std::atomic<std::size_t> queued_bytes{0};
    bool draining = false;
    std::atomic<bool> reader_waiting{false};
    // A reader stopped by a full queue is woken once the queue is down to
    // half of its bounds, not at the first batch handled: woken per batch,
    // the two threads switched every 64 events at full rate.
    std::size_t resume_events = 0;
    std::size_t resume_bytes = 0;
    // Outstanding work on the shard's io_context from the moment the shard
    // finishes until its finish handler has run, so io.run() returns only
    // once the owner has heard the end. Released under queue_mutex: a Shard
    // destroyed meanwhile (and its io_context after it) waits for that.
    net::any_io_executor finish_work;

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

    // The furthest event of one session a drain has handled.
    struct Handled {
        std::uint64_t generation;
        std::uint64_t resume_seq;
    };
    static void drain(std::shared_ptr<HandlerSide> self);
    void record_handled(std::optional<Handled>& handled);
    bool give_back_taken();  // under queue_mutex; true: the strand must be told
    void wake_reader();
    void return_spent();
    void persist();
    template <class F>
    void run_handler(F&& call);
    void detach();
    void release_finish_work();
};

}  // namespace gatewire::detail
