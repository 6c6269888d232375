// What the session sends: heartbeats, Identify, Resume and the commands
// waiting for READY and the rate limits.
#include "protocol/session_impl.hpp"

#include "gatewire/core/error.hpp"
#include "protocol/payloads.hpp"

namespace gatewire {

namespace op = detail::op;

using detail::heartbeat_payload;
using detail::identify_payload;
using detail::resume_payload;

void Session::Impl::send_now(int opcode, const std::string& payload, TimePoint now) {
    commands.record_sent(opcode, now);
    if (encode_outgoing) {
        actions.emplace_back(action::Send{encoder.encode(payload), true, opcode});
    } else {
        actions.emplace_back(action::Send{payload, false, opcode});
    }
}

void Session::Impl::send_heartbeat(TimePoint now) {
    std::uint64_t ack = acknowledged_seq();
    send_now(op::heartbeat, heartbeat_payload(ack), now);
    ++stats.heartbeats;
    if (!ack_pending) {
        unacked_since = now;
    }
    ack_pending = true;
    last_heartbeat_sent = now;
}

bool Session::Impl::ack_overdue() const {
    if (!ack_pending || reading_paused || skip_zombie_check) {
        return false;
    }
    return !(inside_message && last_bytes_at >= last_heartbeat_sent);
}

void Session::Impl::close_as_zombie(TimePoint now, std::string why) {
    close_and_reconnect({has_session(), milliseconds{0}, std::move(why)}, now);
}

void Session::Impl::send_identify(TimePoint now) {
    // A new session: whatever the old one left (its id, its seqs) is gone.
    forget_session();
    identify_slot.reset();  // used
    accepting = true;
    reported_stale = false;
    count_attempt(now);
    send_now(op::identify, identify_payload(config, profile, presence_json), now);
    ++stats.identifies;
    phase = Phase::identifying;
    ready_deadline = now + answer_timeout();
    show(ShardState::identifying, "identifying");
}

void Session::Impl::send_resume(TimePoint now) {
    // Always a number: Fluxer refuses a Resume whose seq is null.
    accepting = true;
    count_attempt(now);
    send_now(op::resume, resume_payload(config.token, session_id, acknowledged_seq()), now);
    ++stats.resumes;
    phase = Phase::resuming;
    ready_deadline = now + answer_timeout();
    show(ShardState::resuming, "resuming session at seq " + std::to_string(acknowledged_seq()));
}

void Session::Impl::count_attempt(TimePoint now) {
    if (attempt_limiter) {
        attempt_limiter->record(now);
    }
}

void Session::Impl::on_unanswered(TimePoint now) {
    bool resuming = phase == Phase::resuming;
    std::string what = resuming ? "Resume" : "Identify";
    milliseconds waited = answer_timeout();
    if (profile.unanswered_identify_after && profile.identify_limit) {
        milliseconds window_length = profile.identify_limit->per;
        report(errc::identify_rate_limited,
               "no answer to " + what + " within " + format_ms(waited) + ": " + profile.name +
                   " holds an Identify or Resume without a word once this address has used its " +
                   std::to_string(profile.identify_limit->count) + " per " +
                   format_ms(window_length) + "; trying again in " + format_ms(window_length));
        close_and_reconnect(
            {has_session(), window_length, "no answer to " + what + " (identify budget spent)"},
            now);
        return;
    }
    close_and_reconnect(
        {has_session(), milliseconds{0},
         std::string(resuming ? "no RESUMED" : "no READY") + " within " + format_ms(waited)},
        now);
}

Session::Impl::milliseconds Session::Impl::answer_timeout() const {
    milliseconds timeout = config.ready_timeout;
    if (profile.unanswered_identify_after) {
        timeout = std::min(timeout, *profile.unanswered_identify_after);
    }
    return timeout;
}

void Session::Impl::flush_commands(TimePoint now) {
    if (phase != Phase::ready) {
        return;
    }
    commands.flush(now,
                   [&](int opcode, const std::string& payload) { send_now(opcode, payload, now); });
}

std::optional<TimePoint> Session::Impl::next_command_slot() const {
    if (phase != Phase::ready) {
        return std::nullopt;
    }
    return commands.next_slot();
}

}  // namespace gatewire
