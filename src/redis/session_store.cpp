#include "gatewire/redis/session_store.hpp"

#include <system_error>

#include "gatewire/core/error.hpp"

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
    : redis_(std::move(redis)), ttl_(ttl) {}

std::string RedisSessionStore::key_of(ShardId shard) const {
    return redis_->key("session:" + std::to_string(shard.id) + ":" + std::to_string(shard.count));
}

std::optional<ResumableSession> RedisSessionStore::load(ShardId shard) {
    RedisReply reply = redis_->command({"GET", key_of(shard)});
    throw_if_error(reply);
    if (reply.kind != RedisReply::Kind::text) {
        return std::nullopt;
    }
    return resumable_session_from_json(reply.text);
}

void RedisSessionStore::save(ShardId shard, const ResumableSession& session) {
    throw_if_error(redis_->command(
        {"SET", key_of(shard), to_json(session), "PX", std::to_string(ttl_.count())}));
}

void RedisSessionStore::erase(ShardId shard) {
    throw_if_error(redis_->command({"DEL", key_of(shard)}));
}

}  // namespace gatewire
