#include "gatewire/redis/identify_queue.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "gatewire/core/log.hpp"

namespace gatewire {

namespace {

// Reserves a bucket's next slot atomically, on the Redis server's clock.
// KEYS[1]: when the bucket is next free (ms), KEYS[2]: the budget left today,
// KEYS[3]: the budget's daily total, KEYS[4]: identifies owed to the next
// day (they waited for its reset), KEYS[5]: the per-address window's latest
// slots (a sorted set), KEYS[6]: a counter naming them.
// ARGV[1]: the spacing (ms), ARGV[2]/ARGV[3]: the window's count and length
// (ms; count 0: none), ARGV[4]: 1 for a resume (the window only).
// Returns how long the caller waits (ms) and whether that wait is for the
// budget's reset (1) or not (0).
constexpr const char* reserve_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local window, per = tonumber(ARGV[2]), tonumber(ARGV[3])
local resume = ARGV[4] == '1'
local day = 86400000
local slot = now
local spent = 0
if not resume then
  local free = redis.call('GET', KEYS[1])
  if free then slot = math.max(slot, tonumber(free)) end
  local remaining = redis.call('GET', KEYS[2])
  local total = tonumber(redis.call('GET', KEYS[3]) or '0')
  if not remaining and total > 0 then
    -- A new day: the total again, less what waited for this reset.
    local owed = tonumber(redis.call('GET', KEYS[4]) or '0')
    redis.call('DEL', KEYS[4])
    remaining = tostring(total - owed)
    redis.call('SET', KEYS[2], remaining, 'PX', day)
  end
  if remaining then
    if tonumber(remaining) <= 0 then
      local ttl = redis.call('PTTL', KEYS[2])
      if ttl > 0 then
        slot = math.max(slot, now + ttl)
        spent = 1
        redis.call('INCR', KEYS[4])
        redis.call('PEXPIRE', KEYS[4], ttl + day)
      end
    else
      redis.call('DECR', KEYS[2])
    end
  end
end
if window > 0 then
  local n = redis.call('ZCARD', KEYS[5])
  if n >= window then
    local top = redis.call('ZRANGE', KEYS[5], n - window, n - window, 'WITHSCORES')
    slot = math.max(slot, tonumber(top[2]) + per)
  end
  local id = redis.call('INCR', KEYS[6])
  redis.call('ZADD', KEYS[5], slot, string.format('%d', id))
  redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(window + 1))
  redis.call('PEXPIRE', KEYS[5], slot - now + per + 1000)
  redis.call('PEXPIRE', KEYS[6], slot - now + per + 1000)
end
if not resume then
  redis.call('SET', KEYS[1], string.format('%d', slot + spacing), 'PX',
             string.format('%d', slot + spacing - now + 1000))
end
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
                                       std::chrono::milliseconds spacing,
                                       std::optional<RateLimit> window)
    : redis_(std::move(redis)),
      max_concurrency_(std::max<std::uint32_t>(1, max_concurrency)),
      spacing_(spacing),
      window_(window && window->count > 0 ? window : std::nullopt),
      fallback_(max_concurrency, spacing, window),
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
    if (auto slot = reserve_in_redis(shard_id, false, now)) {
        return *slot;
    }
    return fallback_.reserve(shard_id, now);
}

TimePoint RedisIdentifyQueue::reserve_resume(std::uint32_t shard_id, TimePoint now) {
    if (!window_) {
        return now;
    }
    if (auto slot = reserve_in_redis(shard_id, true, now)) {
        return *slot;
    }
    return fallback_.reserve_resume(shard_id, now);
}

std::optional<TimePoint> RedisIdentifyQueue::reserve_in_redis(std::uint32_t shard_id, bool resume,
                                                              TimePoint now) {
    std::uint32_t bucket = shard_id % max_concurrency_;
    try {
        RedisReply reply = redis_->command(
            {"EVAL", reserve_script, "6", redis_->key("identify:bucket:" + std::to_string(bucket)),
             redis_->key("identify:budget"), redis_->key("identify:budget:total"),
             redis_->key("identify:budget:owed"), redis_->key("identify:window"),
             redis_->key("identify:window:id"), std::to_string(spacing_.count()),
             std::to_string(window_ ? window_->count : 0),
             std::to_string(window_ ? window_->per.count() : 0), resume ? "1" : "0"});
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
    return std::nullopt;
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
        // The total stays: once the budget's key expires at the reset, the
        // next reservation starts the new day with it.
        redis_->pipeline(
            {{"SET", redis_->key("identify:budget"), std::to_string(limit.remaining), "PX",
              std::to_string(limit.reset_after.count())},
             {"SET", redis_->key("identify:budget:total"), std::to_string(limit.total)},
             {"DEL", redis_->key("identify:budget:owed")}});
    } catch (const std::exception& e) {
        if (auto log = logger()) {
            log->warn("identify queue: {}; the budget is counted in this process only", e.what());
        }
    }
}

}  // namespace gatewire
