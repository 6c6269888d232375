/// @file
/// Hands every dispatch of a gateway process to Redis Streams, for worker
/// processes (gatewire/redis/event_worker.hpp) to take:
///
/// @code
///   gatewire::RedisEventPublisher publisher(redis_options, {.streams = {.shard_count = 16}});
///   config.session_store = publisher.session_store(std::make_shared<RedisSessionStore>(redis));
///   gatewire::Cluster cluster(io.get_executor(), config);
///   publisher.attach(cluster);
/// @endcode
///
/// Events are written from a thread of the publisher's own, many to a round
/// trip, each batch atomically with the last seq published per shard, so an
/// event is in a stream once: a retried batch, or the replay of a resume,
/// skips what is already there. While Redis is slow or gone the events wait
/// in a buffer bounded by bytes; when it is full the shards' handlers wait,
/// so the shards stop reading their sockets (heartbeats go on) until Redis
/// takes events again. Nothing is dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "gatewire/client/client.hpp"
#include "gatewire/client/cluster.hpp"
#include "gatewire/core/export.hpp"
#include "gatewire/redis/connection.hpp"
#include "gatewire/redis/event_stream.hpp"
#include "gatewire/scale/session_store.hpp"

namespace gatewire {

struct EventPublisherConfig {
    EventStreams streams;
    /// Events held for Redis, by their `d` bytes; past it publish() waits.
    std::size_t buffer_bytes = 16 * 1024 * 1024;
    /// One round trip carries at most this many events, or this many bytes
    /// (a bigger event goes alone).
    std::size_t batch_events = 512;
    std::size_t batch_bytes = 1024 * 1024;
    /// Between attempts while Redis cannot be reached.
    std::chrono::milliseconds retry_delay{250};
};

struct PublisherStats {
    std::uint64_t published = 0;  ///< events Redis has taken
    std::uint64_t skipped = 0;    ///< already in their stream (a replay or a retried batch)
    std::uint64_t batches = 0;
    std::uint64_t failures = 0;  ///< round trips that failed (and were retried)
    std::size_t buffered_bytes = 0;
    std::size_t buffered_events = 0;
};

class GATEWIRE_API RedisEventPublisher {
  public:
    explicit RedisEventPublisher(RedisOptions options, EventPublisherConfig config = {});
    /// Waits up to `options.timeout` for what is buffered to reach Redis,
    /// then stops; call flush() first for a longer wait.
    ~RedisEventPublisher();
    RedisEventPublisher(const RedisEventPublisher&) = delete;
    RedisEventPublisher& operator=(const RedisEventPublisher&) = delete;

    /// Publishes every dispatch of these shards (before their start()).
    void attach(Cluster& cluster);
    void attach(Client& client);

    /// Takes one event; waits while the buffer is full (a raw handler).
    /// Thread-safe; events of one shard must come in their order.
    void publish(const RawEvent& event);
    /// Waits until everything taken is in Redis; false at the timeout.
    bool flush(std::chrono::milliseconds timeout);
    /// Stops: publish() returns at once from then on, dropping the event
    /// (its shard's session then resumes before it, see session_store()).
    void close();

    /// Wraps the store the shards keep their sessions in: a session loaded
    /// back resumes after the last event published for it, so what a killed
    /// process had handled but not yet published comes again, and what it
    /// had published is not published twice. A session this publisher never
    /// published from resumes after its READY. The publisher outlives the
    /// shards that use it, as it outlives those it is attached to.
    std::shared_ptr<SessionStore> session_store(std::shared_ptr<SessionStore> inner);

    PublisherStats stats() const;
    const EventPublisherConfig& config() const noexcept { return config_; }

  private:
    struct Pending;
    struct Batch;
    class Store;
    void work();
    void send(Batch& batch);
    std::string session_of(const RawEvent& event);
    /// The last seq of this session in a stream; none when Redis has none.
    std::optional<std::uint64_t> published_seq(std::uint32_t shard_id,
                                               const std::string& session_id);

    RedisOptions options_;
    EventPublisherConfig config_;
    RedisConnection redis_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Pending> queue_;
    std::map<std::uint32_t, std::string> sessions_;  // each shard's current session id
    PublisherStats stats_;
    std::size_t in_flight_ = 0;  // events taken from the queue, not yet answered
    bool waiting_logged_ = false;
    bool closing_ = false;
    std::thread worker_;  // last: started once everything above exists
};

}  // namespace gatewire
