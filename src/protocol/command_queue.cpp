#include "protocol/command_queue.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "gatewire/core/error.hpp"

namespace gatewire::detail {

CommandQueue::CommandQueue(const Profile& profile, std::size_t max_queued_bytes)
    : profile_(profile), max_queued_bytes_(max_queued_bytes), limiter_(profile.command_limit) {
    if (profile.presence_limit) {
        presence_limiter_.emplace(*profile.presence_limit);
    }
}

std::error_code CommandQueue::push(int opcode, std::string_view data_json) {
    std::string payload = "{\"op\":" + std::to_string(opcode) + ",\"d\":";
    payload.append(data_json);
    payload += '}';
    if (payload.size() > profile_.max_command_bytes) {
        return errc::command_too_large;
    }
    if (!nlohmann::json::accept(data_json)) {
        return errc::invalid_command;  // the server would close the connection on it
    }
    if (queued_bytes_ + payload.size() > max_queued_bytes_) {
        return errc::queue_full;
    }
    queued_bytes_ += payload.size();
    commands_.push_back({opcode, std::move(payload)});
    return {};
}

void CommandQueue::record_sent(int opcode, TimePoint now) {
    limiter_.record(now);
    if (opcode == op::presence_update && presence_limiter_) {
        presence_limiter_->record(now);
    }
}

std::optional<TimePoint> CommandQueue::next_slot() const {
    if (commands_.empty()) {
        return std::nullopt;
    }
    TimePoint slot = limiter_.next_slot(profile_.heartbeat_reserve);
    if (commands_.front().op == op::presence_update && presence_limiter_) {
        slot = std::max(slot, presence_limiter_->next_slot());
    }
    return slot;
}

}  // namespace gatewire::detail
