#include "gatewire/redis/session_store.hpp"

#include <system_error>

#include <spdlog/spdlog.h>

#include "gatewire/core/error.hpp"
#include "gatewire/core/log.hpp"

namespace gatewire {

namespace {
void throw_if_error(const RedisReply& reply) {
    if (reply.kind == RedisReply::Kind::error) {
        throw std::system_error(errc::store_unavailable, "redis: " + reply.text);
    }
}
}  // namespace

RedisSessionStore::RedisSessionStore(std::shared_ptr<RedisConnection> redis,
                                     std::chrono::milliseconds ttl)
    : redis_(std::move(redis)), ttl_(ttl), writer_([this] { write_pending(); }) {}

RedisSessionStore::~RedisSessionStore() {
    flush(redis_->options().timeout);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    writer_.join();
}

void RedisSessionStore::write_pending() {
    std::unique_lock lock(mutex_);
    bool failing = false;
    for (;;) {
        changed_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (stopping_) {
            return;
        }
        auto [key, session] = *pending_.begin();
        pending_.erase(pending_.begin());
        in_flight_.emplace(key, session);
        lock.unlock();
        ShardId shard{key.first, key.second};
        std::string why;
        try {
            RedisReply reply = session ? redis_->command({"SET", key_of(shard), to_json(*session),
                                                          "PX", std::to_string(ttl_.count())})
                                       : redis_->command({"DEL", key_of(shard)});
            if (reply.kind == RedisReply::Kind::error) {
                why = "redis: " + reply.text;
            }
        } catch (const std::exception& e) {
            why = e.what();
        }
        lock.lock();
        in_flight_.reset();
        if (why.empty()) {
            failing = false;
        } else {
            if (!failing) {
                if (auto log = logger()) {
                    log->warn("session store: {}; retrying", why);
                }
            }
            failing = true;
            pending_.try_emplace(key, std::move(session));  // unless a newer one came
            changed_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; });
        }
        changed_.notify_all();
    }
}

bool RedisSessionStore::flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pending_.empty() && !in_flight_; });
}

std::string RedisSessionStore::key_of(ShardId shard) const {
    return redis_->key("session:" + std::to_string(shard.id) + ":" + std::to_string(shard.count));
}

std::optional<ResumableSession> RedisSessionStore::load(ShardId shard) {
    {
        std::lock_guard lock(mutex_);
        Key key{shard.id, shard.count};
        if (auto waiting = pending_.find(key); waiting != pending_.end()) {
            return waiting->second;
        }
        if (in_flight_ && in_flight_->first == key) {
            return in_flight_->second;  // Redis may not have it yet
        }
    }
    RedisReply reply = redis_->command({"GET", key_of(shard)});
    throw_if_error(reply);
    if (reply.kind != RedisReply::Kind::text) {
        return std::nullopt;
    }
    return resumable_session_from_json(reply.text);
}

void RedisSessionStore::save(ShardId shard, const ResumableSession& session) {
    {
        std::lock_guard lock(mutex_);
        pending_[{shard.id, shard.count}] = session;
    }
    changed_.notify_all();
}

void RedisSessionStore::erase(ShardId shard) {
    {
        std::lock_guard lock(mutex_);
        pending_[{shard.id, shard.count}] = std::nullopt;
    }
    changed_.notify_all();
}

}  // namespace gatewire
