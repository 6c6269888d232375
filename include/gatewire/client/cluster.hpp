/// @file
/// Many shards of one bot in one process: a Client per shard of a ShardRange,
/// all on one io_context, identifying as the gateway allows (one
/// IdentifyScheduler shared by the shards), handlers registered once for all.
///
/// @code
///   gatewire::Cluster cluster(io.get_executor(), {.shard = config,
///                                                 .shards = *ShardRange::parse("0-15/64"),
///                                                 .max_concurrency = 16});
///   cluster.on<gatewire::events::MessageCreate>([](const auto& m, const EventContext& c) {…});
///   cluster.start();
/// @endcode
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include "gatewire/client/client.hpp"
#include "gatewire/core/export.hpp"
#include "gatewire/scale/gateway_info.hpp"
#include "gatewire/scale/identify_queue.hpp"
#include "gatewire/scale/session_store.hpp"
#include "gatewire/scale/shard_range.hpp"

namespace gatewire {

struct ClusterConfig {
    ShardConfig shard;  ///< every shard's settings; its `session.shard` is set per shard
    ShardRange shards;
    std::uint32_t max_concurrency = 1;  ///< from GET /gateway/bot on Discord
    std::chrono::milliseconds identify_spacing{5000};
    std::optional<SessionStartLimit> session_start_limit;
    /// Shared with other processes of the bot (gatewire/redis/identify_queue.hpp);
    /// empty: a LocalIdentifyQueue made from the three fields above.
    std::shared_ptr<IdentifyQueue> identify_queue;
    /// Where every shard keeps its session (see ShardConfig::session_store);
    /// empty: `shard.session_store`.
    std::shared_ptr<SessionStore> session_store;

    /// Takes what the gateway said (fetch_gateway_info): its URL, all of the
    /// recommended shards, max_concurrency and the budget. A process running
    /// only part of the shards sets `shards` afterwards, keeping the count.
    void apply(const GatewayInfo& info) {
        shard.session.url = info.url;
        shards = ShardRange::all(info.shards);
        if (info.session_start_limit) {
            max_concurrency = info.session_start_limit->max_concurrency;
            session_start_limit = info.session_start_limit;
        }
    }
};

/// One shard of a cluster as Cluster::shards() saw it.
struct ShardStatus {
    std::uint32_t id = 0;
    ShardState state = ShardState::idle;
    std::optional<std::chrono::microseconds> latency;  ///< none before the first ACK
    Backlog backlog;
};

class GATEWIRE_API Cluster {
  public:
    using FinishHandler = std::function<void(std::uint32_t shard_id, std::error_code)>;
    using ReadyHandler = std::function<void()>;
    /// Signature of async_wait_ready: no error once every shard is ready;
    /// the fatal close code of a shard that failed first, or errc::stopped.
    using ReadySignature = void(boost::system::error_code);

    Cluster(boost::asio::any_io_executor io, ClusterConfig config,
            std::optional<boost::asio::any_io_executor> handlers = std::nullopt);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    /// On every shard; EventContext::shard_id tells them apart. Handlers of
    /// different shards may run at the same time.
    template <Event E, class F>
    void on(F handler) {
        for (auto& client : clients_) {
            client->on<E>(handler);
        }
    }
    void on_raw(const Dispatcher::RawHandler& handler);
    void on_decode_error(const Dispatcher::ErrorHandler& handler);
    /// Called once per shard when it ends (a fatal close code, or stop()).
    void on_finish(FinishHandler handler);
    /// Called once, when every shard has been ready (READY or RESUMED): in
    /// the handler context of the shard that came last. Add before start().
    void on_ready(ReadyHandler handler);
    /// The same as an asynchronous operation, e.g. `co_await
    /// cluster.async_wait_ready(use_awaitable)`; at once when already ready.
    /// The completion runs on the token's associated executor.
    template <class Token>
    auto async_wait_ready(Token&& token) {
        return boost::asio::async_initiate<Token, ReadySignature>(
            [this](auto handler) {
                wait_ready(boost::asio::any_completion_handler<ReadySignature>(std::move(handler)));
            },
            token);
    }
    /// Whether every shard has been ready at least once.
    bool all_ready() const;

    /// Starts every shard; each connects when its identify slot comes.
    void start();
    /// Every shard closes and finishes; with `keep_resumable` the server keeps
    /// their sessions (shard(id).session()) for a new process to resume.
    void stop(bool keep_resumable = false);

    /// Every shard's state, latency and backlog, in shard order (thread-safe).
    std::vector<ShardStatus> shards() const;

    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(clients_.size()); }
    const ShardRange& range() const noexcept { return range_; }
    /// The shard with this id; it must be in the range.
    Client& shard(std::uint32_t shard_id);
    /// The shard that receives a guild's events, or nullptr when another
    /// process runs it.
    Client* shard_for(Snowflake guild_id);

  private:
    struct Readiness;
    void wait_ready(boost::asio::any_completion_handler<ReadySignature> handler);

    ShardRange range_;
    std::shared_ptr<Readiness> readiness_;
    std::shared_ptr<IdentifyQueue> identify_queue_;
    std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace gatewire
