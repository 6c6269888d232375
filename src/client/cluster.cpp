#include "gatewire/client/cluster.hpp"

#include <stdexcept>

namespace gatewire {

Cluster::Cluster(boost::asio::any_io_executor io, ClusterConfig config,
                 std::optional<boost::asio::any_io_executor> handlers)
    : range_(config.shards), identify_queue_(std::move(config.identify_queue)) {
    if (!identify_queue_) {
        identify_queue_ =
            std::make_shared<LocalIdentifyQueue>(config.max_concurrency, config.identify_spacing,
                                                 config.shard.session.profile->identify_limit);
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
        shard.session.identify_slot = [queue = identify_queue_, id](TimePoint now) {
            return queue->reserve(id, now);
        };
        // Fluxer counts resumes against the same per-address window.
        shard.session.resume_slot = [queue = identify_queue_, id](TimePoint now) {
            return queue->reserve_resume(id, now);
        };
        clients_.push_back(std::make_unique<Client>(io, std::move(shard), handlers));
    }
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
        clients_[i]->shard().on_finish(
            [handler, id = range_.first + i](std::error_code error) { handler(id, error); });
    }
}

void Cluster::start() {
    // In shard order, so the buckets take their turns in order.
    for (auto& client : clients_) {
        client->start();
    }
}

void Cluster::stop() {
    for (auto& client : clients_) {
        client->stop();
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
