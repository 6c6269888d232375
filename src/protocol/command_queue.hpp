// The owner's commands waiting to be sent, and the send limits every message
// of the connection counts against (heartbeats, Identify and Resume too).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "gatewire/core/clock.hpp"
#include "gatewire/core/profile.hpp"
#include "gatewire/detail/rate_limiter.hpp"
#include "protocol/opcodes.hpp"

namespace gatewire::detail {

class CommandQueue {
  public:
    CommandQueue(const Profile& profile, std::size_t max_queued_bytes);

    // Wraps data_json as {"op":N,"d":…} and queues it; or says why not
    // (too large for the server, not JSON, the queue's bytes full).
    std::error_code push(int opcode, std::string_view data_json);

    // Hands on, through send(op, payload), what the limits allow at `now`,
    // keeping the profile's heartbeat reserve free.
    template <class Send>
    void flush(TimePoint now, Send&& send) {
        while (!commands_.empty()) {
            const Command& next = commands_.front();
            if (!limiter_.allows(now, profile_.heartbeat_reserve) ||
                (next.op == op::presence_update && presence_limiter_ &&
                 !presence_limiter_->allows(now))) {
                return;
            }
            Command taken = std::move(commands_.front());
            commands_.pop_front();
            queued_bytes_ -= taken.payload.size();
            send(taken.op, taken.payload);
        }
    }

    // Every message sent on the connection counts against the limits.
    void record_sent(int opcode, TimePoint now);

    // When the first waiting command may go; empty when none waits.
    std::optional<TimePoint> next_slot() const;
    std::size_t size() const noexcept { return commands_.size(); }

  private:
    struct Command {
        int op;
        std::string payload;
    };
    const Profile& profile_;
    std::size_t max_queued_bytes_;
    std::deque<Command> commands_;
    std::size_t queued_bytes_ = 0;
    RateLimiter limiter_;
    std::optional<RateLimiter> presence_limiter_;
};

}  // namespace gatewire::detail
