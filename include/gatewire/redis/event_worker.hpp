/// @file
/// Takes the events gateway processes published (gatewire/redis/event_publisher.hpp)
/// from their Redis Streams and runs the same typed handlers a bot runs on a
/// Client, on any machine, as many processes as wanted:
///
/// @code
///   gatewire::RedisEventWorker worker(redis_options,
///                                     {.streams = streams.all_keys(redis_options.key_prefix)});
///   worker.on<gatewire::events::MessageCreate>([](const auto& m, const gatewire::EventContext& c)
///   {…}); worker.run();  // until worker.stop()
/// @endcode
///
/// Workers of one consumer group share the streams: each entry goes to one
/// of them, and is acknowledged once its handlers have returned. Entries a
/// worker left unacknowledged (it crashed, or hangs) are claimed by another
/// after `claim_idle`, so every event is handled at least once; handlers
/// that must not run twice for the event a crash interrupted can use the
/// (shard_id, session_id, seq) of its EventContext. Entries that reach a
/// worker twice (its own, read again after a broken connection) are handled
/// once, within the last `dedup_window` events.
///
/// Order: a worker handles the entries it reads in stream order, so with one
/// worker per stream (EventStreams::Partition::shard) a shard's events come
/// in seq order, and with guild buckets a guild's do. Workers sharing a
/// stream each see an ordered part of it; an entry claimed from a dead
/// worker comes when it is claimed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <vector>

#include "gatewire/core/export.hpp"
#include "gatewire/dispatch/dispatcher.hpp"
#include "gatewire/redis/connection.hpp"

namespace gatewire {

struct EventWorkerConfig {
    /// The streams to read (EventStreams::all_keys, or a part of them).
    std::vector<std::string> streams;
    std::string group = "gatewire-workers";
    /// This worker's name in the group; a restarted worker of the same name
    /// takes up what it left unacknowledged. Empty: "<hostname>-<pid>".
    std::string consumer;
    std::size_t batch = 256;                      ///< entries a read takes at most
    std::chrono::milliseconds block{250};         ///< a read waits this long for new entries
    std::chrono::milliseconds claim_idle{30000};  ///< pending this long: claimed from its worker
    std::size_t dedup_window = 65536;             ///< events remembered; 0: no deduplication
    std::chrono::milliseconds retry_delay{250};   ///< between attempts while Redis is gone
    DecodeOptions decode;
};

struct WorkerStats {
    std::uint64_t handled = 0;
    std::uint64_t duplicates = 0;  ///< seen again within the window, not handled again
    std::uint64_t claimed = 0;     ///< taken over from another worker
    std::uint64_t trimmed = 0;     ///< pending entries the stream trimmed before they were handled
    std::uint64_t malformed = 0;   ///< entries that are not what a publisher writes (reported)
    std::uint64_t failures = 0;    ///< Redis round trips that failed (and were retried)
};

class GATEWIRE_API RedisEventWorker {
  public:
    using ErrorHandler = std::function<void(std::error_code, std::string_view detail)>;

    RedisEventWorker(RedisOptions options, EventWorkerConfig config);
    ~RedisEventWorker();
    RedisEventWorker(const RedisEventWorker&) = delete;
    RedisEventWorker& operator=(const RedisEventWorker&) = delete;

    template <Event E, class F>
    Subscription on(F handler) {
        return dispatcher_.on<E>(std::move(handler));
    }
    Subscription on_raw(Dispatcher::RawHandler handler) {
        return dispatcher_.on_raw(std::move(handler));
    }
    Subscription on_decode_error(Dispatcher::ErrorHandler handler) {
        return dispatcher_.on_decode_error(std::move(handler));
    }
    /// Redis trouble (the worker retries) and events lost to the stream's
    /// trimming; before run().
    void on_error(ErrorHandler handler) { on_error_ = std::move(handler); }
    Dispatcher& dispatcher() noexcept { return dispatcher_; }

    /// Reads and handles, on the calling thread, until stop().
    void run();
    /// Thread-safe; run() returns within `block` once the entry being
    /// handled is done.
    void stop() noexcept { stopping_ = true; }

    WorkerStats stats() const;
    const std::string& consumer() const noexcept { return config_.consumer; }

  private:
    void create_groups();
    /// One XREADGROUP of every stream from `from` ("0": own pending, ">":
    /// new), handled; false when it brought nothing.
    bool read(std::string_view from, bool block);
    void read_own_pending();
    void claim_abandoned();
    /// Handles the entries of one stream in a reply; false when there were none.
    bool handle_entries(const std::string& stream, const RedisReply& entries, bool claimed);
    void handle(const std::string& stream, const RedisReply& entry, bool claimed);
    bool seen_before(const RawEvent& event);
    void report(std::error_code error, const std::string& detail);
    void report_malformed(const std::string& detail);  // counted, and reported

    EventWorkerConfig config_;
    std::string batch_text_;  // config_.batch and config_.block as arguments
    std::string block_text_;
    RedisConnection redis_;
    Dispatcher dispatcher_;
    ErrorHandler on_error_;
    std::atomic<bool> stopping_ = false;
    mutable std::mutex stats_mutex_;
    WorkerStats stats_;
    std::unordered_set<std::string> seen_;
    std::deque<std::string> seen_order_;  // oldest first, for the window
    std::chrono::steady_clock::time_point next_claim_{};
};

}  // namespace gatewire
