#include "gatewire/client/cluster.hpp"

#include <mutex>
#include <stdexcept>

#include <boost/asio/append.hpp>
#include <boost/asio/dispatch.hpp>

namespace gatewire {

// Which shards have been ready, and who waits for all of them.
struct Cluster::Readiness {
    using Waiter = boost::asio::any_completion_handler<ReadySignature>;

    std::mutex mutex;
    std::vector<bool> seen;  // by index in the range
    std::size_t count = 0;
    std::optional<std::error_code> outcome;  // set once: ready, a fatal code, or stopped
    std::vector<ReadyHandler> handlers;
    std::vector<Waiter> waiters;

    static void complete(Waiter waiter, std::error_code error) {
        boost::asio::dispatch(
            boost::asio::append(std::move(waiter), boost::system::error_code(error)));
    }

    void shard_ready(std::size_t index) {
        std::vector<ReadyHandler> run;
        std::vector<Waiter> done;
        {
            std::lock_guard lock(mutex);
            if (seen[index]) {
                return;
            }
            seen[index] = true;
            if (++count < seen.size() || outcome) {
                return;
            }
            outcome = std::error_code();
            run = handlers;
            done.swap(waiters);
        }
        for (const auto& handler : run) {
            handler();
        }
        for (auto& waiter : done) {
            complete(std::move(waiter), {});
        }
    }

    // A shard ended before all were ready: the waiters learn why.
    void shard_finished(std::error_code error) {
        std::vector<Waiter> done;
        {
            std::lock_guard lock(mutex);
            if (outcome) {
                return;
            }
            outcome = error ? error : make_error_code(errc::stopped);
            done.swap(waiters);
        }
        for (auto& waiter : done) {
            complete(std::move(waiter), *outcome);
        }
    }
};

Cluster::Cluster(boost::asio::any_io_executor io, ClusterConfig config,
                 std::optional<boost::asio::any_io_executor> handlers)
    : range_(config.shards),
      readiness_(std::make_shared<Readiness>()),
      identify_queue_(std::move(config.identify_queue)) {
    if (!identify_queue_) {
        identify_queue_ =
            std::make_shared<LocalIdentifyQueue>(config.max_concurrency, config.identify_spacing,
                                                 config.shard.session.profile.identify_limit);
    }
    if (config.session_start_limit) {
        identify_queue_->set_limit(*config.session_start_limit, Clock::now());
    }
    if (config.session_store) {
        config.shard.session_store = std::move(config.session_store);
    }
    for (std::uint32_t id = range_.first; id <= range_.last; ++id) {
        ShardConfig shard = config.shard;
        shard.session.shard = ShardId{id, range_.count};
        // Fluxer counts resumes against the same per-address window.
        shard.identify_queue = identify_queue_;
        auto& client =
            clients_.emplace_back(std::make_unique<Client>(io, std::move(shard), handlers));
        std::size_t index = id - range_.first;
        client->on_state([readiness = readiness_, index](ShardState state, std::string_view) {
            if (state == ShardState::ready) {
                readiness->shard_ready(index);
            }
        });
        client->on_finish(
            [readiness = readiness_](std::error_code error) { readiness->shard_finished(error); });
    }
    readiness_->seen.assign(clients_.size(), false);
}

Cluster::~Cluster() = default;

void Cluster::on_raw(const Dispatcher::RawHandler& handler) {
    for (auto& client : clients_) {
        client->on_raw(handler);
    }
}

void Cluster::on_decode_error(const Dispatcher::ErrorHandler& handler) {
    for (auto& client : clients_) {
        client->on_decode_error(handler);
    }
}

void Cluster::on_finish(FinishHandler handler) {
    for (std::uint32_t i = 0; i < size(); ++i) {
        clients_[i]->on_finish(
            [handler, id = range_.first + i](std::error_code error) { handler(id, error); });
    }
}

void Cluster::on_ready(ReadyHandler handler) {
    std::lock_guard lock(readiness_->mutex);
    readiness_->handlers.push_back(std::move(handler));
}

void Cluster::wait_ready(boost::asio::any_completion_handler<ReadySignature> handler) {
    std::optional<std::error_code> outcome;
    {
        std::lock_guard lock(readiness_->mutex);
        outcome = readiness_->outcome;
        if (!outcome) {
            readiness_->waiters.push_back(std::move(handler));
            return;
        }
    }
    Readiness::complete(std::move(handler), *outcome);
}

bool Cluster::all_ready() const {
    std::lock_guard lock(readiness_->mutex);
    return readiness_->outcome && !*readiness_->outcome;
}

std::vector<ShardStatus> Cluster::shards() const {
    std::vector<ShardStatus> out;
    out.reserve(clients_.size());
    for (const auto& client : clients_) {
        out.push_back({client->id(), client->state(), client->latency(), client->backlog()});
    }
    return out;
}

void Cluster::start() {
    // In shard order, so the buckets take their turns in order.
    for (auto& client : clients_) {
        client->start();
    }
}

void Cluster::stop(bool keep_resumable) {
    for (auto& client : clients_) {
        client->stop(keep_resumable);
    }
}

Client& Cluster::shard(std::uint32_t shard_id) {
    if (!range_.contains(shard_id)) {
        throw std::out_of_range("shard " + std::to_string(shard_id) + " is not in " +
                                range_.to_string());
    }
    return *clients_[shard_id - range_.first];
}

Client* Cluster::shard_for(Snowflake guild_id) {
    std::uint32_t id = shard_for_guild(guild_id, range_.count);
    return range_.contains(id) ? clients_[id - range_.first].get() : nullptr;
}

}  // namespace gatewire
