#include "gatewire/redis/identify_queue.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "gatewire/core/log.hpp"

namespace gatewire {

namespace {

// Reserves a bucket's next slot atomically, on the Redis server's clock.
// KEYS[1]: when the bucket is next free (ms), KEYS[2]: the budget left today.
// ARGV[1]: the spacing (ms). Returns how long the caller waits (ms) and
// whether that wait is for the budget's reset (1) or not (0).
constexpr const char* reserve_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local slot = now
local free = redis.call('GET', KEYS[1])
if free then slot = math.max(slot, tonumber(free)) end
local spent = 0
local remaining = redis.call('GET', KEYS[2])
if remaining then
  if tonumber(remaining) <= 0 then
    local ttl = redis.call('PTTL', KEYS[2])
    if ttl > 0 then slot = math.max(slot, now + ttl) spent = 1 end
  else
    redis.call('DECR', KEYS[2])
  end
end
redis.call('SET', KEYS[1], string.format('%d', slot + spacing), 'PX',
           string.format('%d', slot + spacing - now + 1000))
return {slot - now, spent}
)lua";

// Claims a reached slot: records the identify as sent now unless the
// bucket's last one left less than the spacing ago. KEYS[1]: when the
// bucket last identified (ms); ARGV[1]: the spacing (ms). Returns how long
// the caller waits before claiming again (0: go).
constexpr const char* claim_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local sent = redis.call('GET', KEYS[1])
if sent and now < tonumber(sent) + spacing then return tonumber(sent) + spacing - now end
redis.call('SET', KEYS[1], string.format('%d', now), 'PX', string.format('%d', spacing + 1000))
return 0
)lua";

// Says why this process's own schedule answers in Redis's place.
void fall_back(const std::string& why) {
    if (auto log = logger()) {
        log->warn("identify queue: {}; using this process's schedule", why);
    }
}

}  // namespace

RedisIdentifyQueue::RedisIdentifyQueue(std::shared_ptr<RedisConnection> redis,
                                       std::uint32_t max_concurrency,
                                       std::chrono::milliseconds spacing)
    : redis_(std::move(redis)),
      max_concurrency_(std::max<std::uint32_t>(1, max_concurrency)),
      spacing_(spacing),
      fallback_(max_concurrency, spacing),
      worker_([this] { work(); }) {}

RedisIdentifyQueue::~RedisIdentifyQueue() {
    {
        std::lock_guard lock(jobs_mutex_);
        stopping_ = true;
    }
    jobs_ready_.notify_one();
    worker_.join();  // requests still waiting are dropped: their shards are gone
}

void RedisIdentifyQueue::work() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(jobs_mutex_);
            jobs_ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (stopping_) {
                return;
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

void RedisIdentifyQueue::async_reserve(const SlotRequest& request,
                                       std::function<void(TimePoint)> granted) {
    {
        std::lock_guard lock(jobs_mutex_);
        jobs_.push_back([this, request, granted = std::move(granted)] {
            // The time spent waiting for this thread counts: the slot is
            // reserved from when Redis is asked, not from the request.
            SlotRequest now_asked = request;
            now_asked.now = std::max(request.now, Clock::now());
            IdentifyQueue::async_reserve(now_asked, granted);
        });
    }
    jobs_ready_.notify_one();
}

TimePoint RedisIdentifyQueue::reserve(std::uint32_t shard_id, TimePoint now) {
    std::uint32_t bucket = shard_id % max_concurrency_;
    try {
        RedisReply reply = redis_->command(
            {"EVAL", reserve_script, "2", redis_->key("identify:bucket:" + std::to_string(bucket)),
             redis_->key("identify:budget"), std::to_string(spacing_.count())});
        if (reply.kind == RedisReply::Kind::array && reply.elements.size() == 2 &&
            reply.elements[0].kind == RedisReply::Kind::integer) {
            auto wait = std::chrono::milliseconds(std::max(0LL, reply.elements[0].integer));
            if (reply.elements[1].integer == 1) {
                report_spent_budget(shard_id, wait);
            }
            return now + wait;
        }
        fall_back("redis answered " + reply.text);
    } catch (const std::exception& e) {
        fall_back(e.what());
    }
    return fallback_.reserve(shard_id, now);
}

TimePoint RedisIdentifyQueue::claim(std::uint32_t shard_id, TimePoint slot, TimePoint now) {
    std::uint32_t bucket = shard_id % max_concurrency_;
    try {
        RedisReply reply = redis_->command(
            {"EVAL", claim_script, "1", redis_->key("identify:sent:" + std::to_string(bucket)),
             std::to_string((spacing_ + claim_margin(spacing_)).count())});
        if (reply.kind == RedisReply::Kind::integer) {
            return now + std::chrono::milliseconds(std::max(0LL, reply.integer));
        }
        fall_back("redis answered " + reply.text);
    } catch (const std::exception& e) {
        fall_back(e.what());
    }
    return fallback_.claim(shard_id, slot, now);
}

void RedisIdentifyQueue::set_limit(const SessionStartLimit& limit, TimePoint now) {
    fallback_.set_limit(limit, now);
    if (limit.reset_after.count() <= 0) {
        return;
    }
    try {
        redis_->command({"SET", redis_->key("identify:budget"), std::to_string(limit.remaining),
                         "PX", std::to_string(limit.reset_after.count())});
    } catch (const std::exception& e) {
        if (auto log = logger()) {
            log->warn("identify queue: {}; the budget is counted in this process only", e.what());
        }
    }
}

}  // namespace gatewire
