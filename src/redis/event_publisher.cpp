#include "gatewire/redis/event_publisher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "gatewire/core/log.hpp"
#include "gatewire/dispatch/decode.hpp"

namespace gatewire {

namespace {

// Appends one batch to its streams unless already there, and records each
// shard's last published (session, seq) with it, atomically.
// KEYS[1]: the hash of marks (field: shard, value: "session seq"),
// KEYS[2…]: the streams. ARGV[1]: MAXLEN; then six per event: its stream's
// index in KEYS, shard, session, seq, t, d. Returns {published, skipped}.
constexpr const char* publish_script = R"lua(
local marks, dirty = {}, {}
local published, skipped = 0, 0
for i = 2, #ARGV, 6 do
  local shard, session, seq = ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local mark = marks[shard]
  if mark == nil then
    mark = {'', -1}
    local stored = redis.call('HGET', KEYS[1], shard)
    if stored then
      local s, q = string.match(stored, '^(.*) (%d+)$')
      if s then mark = {s, tonumber(q)} end
    end
    marks[shard] = mark
  end
  if mark[1] == session and seq <= mark[2] then
    skipped = skipped + 1
  else
    redis.call('XADD', KEYS[tonumber(ARGV[i])], 'MAXLEN', '~', ARGV[1], '*',
               't', ARGV[i + 4], 'shard', shard, 'session', session, 'seq', ARGV[i + 3],
               'd', ARGV[i + 5])
    marks[shard] = {session, seq}
    dirty[shard] = true
    published = published + 1
  end
end
for shard in pairs(dirty) do
  redis.call('HSET', KEYS[1], shard, marks[shard][1] .. ' ' .. string.format('%d', marks[shard][2]))
end
return {published, skipped}
)lua";

void warn(const std::string& what) {
    if (auto log = logger()) {
        log->warn("redis fan-out: {}", what);
    }
}

}  // namespace

struct RedisEventPublisher::Pending {
    std::string stream;
    std::string shard;
    std::string session;
    std::string seq;
    std::string name;
    std::string data;
};

struct RedisEventPublisher::Batch {
    std::vector<Pending> events;
    std::size_t bytes = 0;
};

RedisEventPublisher::RedisEventPublisher(RedisOptions options, EventPublisherConfig config)
    : options_(std::move(options)),
      config_(std::move(config)),
      redis_(options_),
      worker_([this] { work(); }) {}

RedisEventPublisher::~RedisEventPublisher() {
    flush(options_.timeout);
    close();
    worker_.join();
}

void RedisEventPublisher::attach(Cluster& cluster) {
    cluster.on_raw([this](const RawEvent& event) { publish(event); });
}

void RedisEventPublisher::attach(Client& client) {
    client.on_raw([this](const RawEvent& event) { publish(event); });
}

std::string RedisEventPublisher::session_of(const RawEvent& event) {
    if (event.name == "READY") {
        events::Ready ready;
        if (decode(event, ready)) {
            std::lock_guard lock(mutex_);
            sessions_[event.shard_id] = ready.session_id;
            return ready.session_id;
        }
        warn("READY of shard " + std::to_string(event.shard_id) + " has no readable session_id");
    }
    std::lock_guard lock(mutex_);
    auto known = sessions_.find(event.shard_id);
    return known == sessions_.end() ? std::string() : known->second;
}

void RedisEventPublisher::publish(const RawEvent& event) {
    Pending pending;
    pending.session = session_of(event);
    pending.stream = config_.streams.key_of(
        options_.key_prefix, event.shard_id,
        config_.streams.partition == EventStreams::Partition::guild_bucket ? routing_guild(event)
                                                                           : Snowflake());
    pending.shard = std::to_string(event.shard_id);
    pending.seq = std::to_string(event.seq);
    pending.name = event.name;
    pending.data = std::string(event.data());

    std::unique_lock lock(mutex_);
    // One event bigger than the whole buffer still goes, alone.
    auto full = [&] {
        return stats_.buffered_bytes > 0 &&
               stats_.buffered_bytes + pending.data.size() > config_.buffer_bytes;
    };
    if (full() && !closing_) {
        if (!waiting_logged_) {
            waiting_logged_ = true;
            warn(std::to_string(stats_.buffered_bytes) +
                 " bytes are waiting for redis; the shards' handlers wait, so they stop reading "
                 "(heartbeats go on)");
        }
        changed_.wait(lock, [&] { return closing_ || !full(); });
    }
    if (closing_) {
        return;
    }
    stats_.buffered_bytes += pending.data.size();
    ++stats_.buffered_events;
    queue_.push_back(std::move(pending));
    changed_.notify_all();
}

bool RedisEventPublisher::flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout,
                             [&] { return closing_ || (queue_.empty() && in_flight_ == 0); }) &&
           queue_.empty() && in_flight_ == 0;
}

void RedisEventPublisher::close() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    changed_.notify_all();
}

class RedisEventPublisher::Store final : public SessionStore {
  public:
    Store(RedisEventPublisher& publisher, std::shared_ptr<SessionStore> inner)
        : publisher_(publisher), inner_(std::move(inner)) {}

    std::optional<ResumableSession> load(ShardId shard) override {
        auto session = inner_->load(shard);
        if (!session) {
            return session;
        }
        std::optional<std::uint64_t> published;
        try {
            published = publisher_.published_seq(shard.id, session->session_id);
        } catch (const std::exception& e) {
            warn(std::string(e.what()) + "; shard " + std::to_string(shard.id) +
                 " resumes after its READY, what was published is skipped");
        }
        // Nothing of it known to reach Redis: have the server replay all it can.
        session->seq = published.value_or(std::min<std::uint64_t>(session->seq, 1));
        std::lock_guard lock(publisher_.mutex_);
        publisher_.sessions_[shard.id] = session->session_id;
        return session;
    }
    void save(ShardId shard, const ResumableSession& session) override {
        inner_->save(shard, session);
    }
    void erase(ShardId shard) override { inner_->erase(shard); }

  private:
    RedisEventPublisher& publisher_;
    std::shared_ptr<SessionStore> inner_;
};

std::optional<std::uint64_t> RedisEventPublisher::published_seq(std::uint32_t shard_id,
                                                                const std::string& session_id) {
    RedisReply mark =
        redis_.command({"HGET", redis_.key("events:published"), std::to_string(shard_id)});
    std::string_view text = mark.text;
    auto space = text.rfind(' ');
    std::uint64_t seq = 0;
    if (mark.kind != RedisReply::Kind::text || space == std::string_view::npos ||
        text.substr(0, space) != session_id ||
        std::from_chars(text.data() + space + 1, text.data() + text.size(), seq).ec !=
            std::errc()) {
        return std::nullopt;
    }
    return seq;
}

std::shared_ptr<SessionStore> RedisEventPublisher::session_store(
    std::shared_ptr<SessionStore> inner) {
    return std::make_shared<Store>(*this, std::move(inner));
}

PublisherStats RedisEventPublisher::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void RedisEventPublisher::work() {
    Batch batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return closing_ || !queue_.empty(); });
            if (closing_) {
                return;
            }
            while (!queue_.empty() && batch.events.size() < config_.batch_events &&
                   (batch.events.empty() ||
                    batch.bytes + queue_.front().data.size() <= config_.batch_bytes)) {
                batch.bytes += queue_.front().data.size();
                batch.events.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            in_flight_ = batch.events.size();
        }
        send(batch);  // returns once Redis has taken it, or when closing
        {
            std::lock_guard lock(mutex_);
            stats_.buffered_bytes -= batch.bytes;
            stats_.buffered_events -= batch.events.size();
            in_flight_ = 0;
            if (waiting_logged_ && stats_.buffered_bytes <= config_.buffer_bytes / 2) {
                waiting_logged_ = false;
                warn("redis takes events again; the shards read on");
            }
        }
        changed_.notify_all();
        batch.events.clear();
        batch.bytes = 0;
    }
}

void RedisEventPublisher::send(Batch& batch) {
    std::vector<std::string> streams;
    std::vector<std::string> indexes;  // each event's stream, as an index into KEYS
    for (const auto& event : batch.events) {
        auto at = std::find(streams.begin(), streams.end(), event.stream);
        if (at == streams.end()) {
            streams.push_back(event.stream);
            at = streams.end() - 1;
        }
        indexes.push_back(std::to_string(at - streams.begin() + 2));
    }
    std::string marks = redis_.key("events:published");
    std::string keys = std::to_string(streams.size() + 1);
    std::string max_length = std::to_string(config_.streams.max_length);
    std::vector<std::string_view> command{"EVAL", publish_script, keys, marks};
    command.insert(command.end(), streams.begin(), streams.end());
    command.push_back(max_length);
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
        const auto& e = batch.events[i];
        command.insert(command.end(), {indexes[i], e.shard, e.session, e.seq, e.name, e.data});
    }
    bool failing = false;
    for (;;) {
        std::string why;
        try {
            RedisReply reply = redis_.command(command);
            if (reply.kind == RedisReply::Kind::array && reply.elements.size() == 2) {
                std::lock_guard lock(mutex_);
                stats_.published += static_cast<std::uint64_t>(reply.elements[0].integer);
                stats_.skipped += static_cast<std::uint64_t>(reply.elements[1].integer);
                ++stats_.batches;
                if (failing) {
                    warn("redis is back");
                }
                return;
            }
            why = "redis answered " + reply.text;
        } catch (const std::exception& e) {
            why = e.what();
        }
        std::unique_lock lock(mutex_);
        ++stats_.failures;
        if (!failing) {
            failing = true;
            warn(why + "; " + std::to_string(stats_.buffered_events) +
                 " events wait, retrying every " + std::to_string(config_.retry_delay.count()) +
                 " ms");
        }
        if (changed_.wait_for(lock, config_.retry_delay, [&] { return closing_; })) {
            return;
        }
    }
}

}  // namespace gatewire
