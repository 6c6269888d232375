#include "gatewire/redis/event_worker.hpp"

#include <unistd.h>

#include <thread>

#include <spdlog/spdlog.h>

#include "gatewire/core/error.hpp"
#include "gatewire/core/log.hpp"
#include "gatewire/redis/event_stream.hpp"

namespace gatewire {

namespace {

std::string default_consumer() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) {
        host[0] = '\0';
    }
    return std::string(host) + "-" + std::to_string(::getpid());
}

RedisOptions with_room_for_blocking(RedisOptions options, std::chrono::milliseconds block) {
    options.timeout += block;  // a blocking read answers only after `block`
    return options;
}

bool is_error(const RedisReply& reply, std::string_view code) {
    return reply.kind == RedisReply::Kind::error && reply.text.substr(0, code.size()) == code;
}

}  // namespace

RedisEventWorker::RedisEventWorker(RedisOptions options, EventWorkerConfig config)
    : config_(std::move(config)),
      redis_(with_room_for_blocking(std::move(options), config_.block)) {
    if (config_.consumer.empty()) {
        config_.consumer = default_consumer();
    }
    dispatcher_.set_decode_options(config_.decode);
    batch_text_ = std::to_string(config_.batch);
    block_text_ = std::to_string(config_.block.count());
}

RedisEventWorker::~RedisEventWorker() {
    dispatcher_.close();
}

WorkerStats RedisEventWorker::stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
}

void RedisEventWorker::report(std::error_code error, const std::string& detail) {
    if (auto log = logger()) {
        log->warn("redis worker {}: {}", config_.consumer, detail);
    }
    if (on_error_) {
        on_error_(error, detail);
    }
}

void RedisEventWorker::report_malformed(const std::string& detail) {
    {
        std::lock_guard lock(stats_mutex_);
        ++stats_.malformed;
    }
    report(errc::invalid_payload, detail);
}

void RedisEventWorker::run() {
    bool ready = false;  // groups exist and our own pending entries are handled
    while (!stopping_) {
        try {
            if (!ready) {
                create_groups();
                read_own_pending();
                ready = true;
            }
            if (std::chrono::steady_clock::now() >= next_claim_) {
                claim_abandoned();
                next_claim_ = std::chrono::steady_clock::now() +
                              std::max(config_.claim_idle / 4, std::chrono::milliseconds(50));
            }
            read(">", true);  // what no worker of the group has had
        } catch (const std::exception& e) {
            // Redis is gone or was restarted empty: make the groups again when it is back.
            ready = false;
            {
                std::lock_guard lock(stats_mutex_);
                ++stats_.failures;
            }
            report(errc::store_unavailable, e.what());
            std::this_thread::sleep_for(config_.retry_delay);
        }
    }
}

void RedisEventWorker::create_groups() {
    for (const auto& stream : config_.streams) {
        // From the stream's start: a group made after the gateway started
        // still gets everything the stream keeps.
        RedisReply reply =
            redis_.command({"XGROUP", "CREATE", stream, config_.group, "0", "MKSTREAM"});
        if (reply.kind == RedisReply::Kind::error && !is_error(reply, "BUSYGROUP")) {
            throw std::system_error(errc::store_unavailable, "XGROUP CREATE: " + reply.text);
        }
    }
}

bool RedisEventWorker::read(std::string_view from, bool block) {
    std::vector<std::string_view> command{"XREADGROUP",     "GROUP", config_.group,
                                          config_.consumer, "COUNT", batch_text_};
    if (block) {
        command.insert(command.end(), {"BLOCK", block_text_});
    }
    command.push_back("STREAMS");
    command.insert(command.end(), config_.streams.begin(), config_.streams.end());
    command.insert(command.end(), config_.streams.size(), from);
    RedisReply reply = redis_.command(command);
    if (reply.kind == RedisReply::Kind::error) {
        throw std::system_error(errc::store_unavailable, "XREADGROUP: " + reply.text);
    }
    bool any = false;
    for (const auto& stream : reply.elements) {
        if (stream.elements.size() == 2) {
            any |= handle_entries(stream.elements[0].text, stream.elements[1], false);
        }
    }
    return any;
}

void RedisEventWorker::read_own_pending() {
    // What this consumer read before (a restart, a broken connection) and
    // did not acknowledge, oldest first: id 0 reads the pending entries.
    while (!stopping_ && read("0", false)) {
    }
}

void RedisEventWorker::claim_abandoned() {
    std::string idle = std::to_string(config_.claim_idle.count());
    std::string count = std::to_string(config_.batch);
    for (const auto& stream : config_.streams) {
        std::string cursor = "0-0";
        do {
            RedisReply reply = redis_.command({"XAUTOCLAIM", stream, config_.group,
                                               config_.consumer, idle, cursor, "COUNT", count});
            if (is_error(reply, "NOGROUP")) {
                throw std::system_error(errc::store_unavailable, "XAUTOCLAIM: " + reply.text);
            }
            if (reply.kind != RedisReply::Kind::array || reply.elements.size() < 2) {
                break;
            }
            cursor = reply.elements[0].text;
            handle_entries(stream, reply.elements[1], true);
            if (reply.elements.size() > 2 && !reply.elements[2].elements.empty()) {
                // Pending entries the stream trimmed before anyone handled them.
                std::size_t lost = reply.elements[2].elements.size();
                {
                    std::lock_guard lock(stats_mutex_);
                    stats_.trimmed += lost;
                }
                report(errc::events_missed, std::to_string(lost) + " pending entries of " + stream +
                                                " were trimmed (MAXLEN) before they were handled");
            }
        } while (cursor != "0-0" && !stopping_);
    }
}

bool RedisEventWorker::handle_entries(const std::string& stream, const RedisReply& entries,
                                      bool claimed) {
    for (const auto& entry : entries.elements) {
        handle(stream, entry, claimed);
    }
    return !entries.elements.empty();
}

bool RedisEventWorker::seen_before(const RawEvent& event) {
    if (config_.dedup_window == 0) {
        return false;
    }
    std::string key =
        std::to_string(event.shard_id) + ' ' + event.session_id + ' ' + std::to_string(event.seq);
    if (!seen_.insert(key).second) {
        return true;
    }
    seen_order_.push_back(std::move(key));
    if (seen_order_.size() > config_.dedup_window) {
        seen_.erase(seen_order_.front());
        seen_order_.pop_front();
    }
    return false;
}

void RedisEventWorker::handle(const std::string& stream, const RedisReply& entry, bool claimed) {
    if (entry.kind != RedisReply::Kind::array || entry.elements.size() != 2 ||
        entry.elements[0].kind != RedisReply::Kind::text) {
        // No id to acknowledge it by: it stays pending, and is said once here.
        report_malformed("an entry of " + stream + " without an id and fields");
        return;
    }
    const std::string& id = entry.elements[0].text;
    const RedisReply& fields = entry.elements[1];
    if (fields.kind != RedisReply::Kind::array) {
        // A pending entry the stream has trimmed since: it cannot be handled.
        {
            std::lock_guard lock(stats_mutex_);
            ++stats_.trimmed;
        }
        report(errc::events_missed,
               "entry " + id + " of " + stream + " was trimmed (MAXLEN) before it was handled");
        redis_.send({"XACK", stream, config_.group, id});
        return;
    }
    std::string problem;
    std::optional<RawEvent> parsed = parse_stream_entry(fields, problem);
    if (!parsed) {
        // Not what a publisher writes: reported and acknowledged, as it
        // would fail the same way on every worker.
        report_malformed("entry " + id + " of " + stream + ": " + problem);
        redis_.send({"XACK", stream, config_.group, id});
        return;
    }
    RawEvent& event = *parsed;
    if (claimed) {
        std::lock_guard lock(stats_mutex_);
        ++stats_.claimed;
    }
    if (seen_before(event)) {
        std::lock_guard lock(stats_mutex_);
        ++stats_.duplicates;
    } else {
        try {
            dispatcher_.dispatch(event);
        } catch (const std::exception& e) {
            // Acknowledged all the same: an entry that fails every time would
            // otherwise come back for ever.
            report(errc::invalid_payload, "a handler of " + event.name + " (seq " +
                                              std::to_string(event.seq) + ") threw: " + e.what());
        }
        std::lock_guard lock(stats_mutex_);
        ++stats_.handled;
    }
    // At once, not with the next read: a worker killed now leaves only the
    // entry it was handling to be handled again.
    redis_.send({"XACK", stream, config_.group, id});
}

}  // namespace gatewire
