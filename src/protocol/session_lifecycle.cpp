// The connection's lifecycle: connecting (after the identify slot), waiting
// with backoff, closing and reconnecting as planned, finishing.
#include "protocol/session_impl.hpp"

#include <algorithm>

#include "gatewire/core/error.hpp"

namespace gatewire {

using std::chrono::duration_cast;

void Session::Impl::stop_heartbeating() {
    heartbeating = false;
    ack_pending = false;
    hello_deadline.reset();
    ready_deadline.reset();
    identify_at.reset();
    identify_at_slot = false;
}

bool Session::Impl::wait_until_slot(TimePoint slot, TimePoint now, std::string_view what) {
    if (slot <= now) {
        return false;
    }
    phase = Phase::waiting;
    reconnect_at = slot;
    show(ShardState::reconnecting, "waiting " + format_ms(duration_cast<milliseconds>(slot - now)) +
                                       " for " + std::string(what));
    return true;
}

void Session::Impl::ask_for_slot(SlotAsk kind, std::optional<TimePoint> claims,
                                 std::string_view what) {
    awaiting_slot = kind;
    actions.emplace_back(action::ReserveSlot{kind == SlotAsk::resume, claims});
    if (phase == Phase::waiting) {
        show(ShardState::reconnecting, "waiting for " + std::string(what));
    }
}

void Session::Impl::connect(TimePoint now) {
    if (awaiting_slot) {
        phase = Phase::waiting;  // the answer connects
        reconnect_at.reset();
        return;
    }
    if (!has_session() && config.identify_slots) {
        // A new session: connect shortly before its identify slot, so no
        // socket idles long; the Identify itself waits for the slot.
        if (!identify_slot) {
            phase = Phase::waiting;
            reconnect_at.reset();
            ask_for_slot(SlotAsk::identify, std::nullopt, "an identify slot");
            return;
        }
        if (wait_until_slot(*identify_slot - config.identify_lead, now, "an identify slot")) {
            return;
        }
    }
    if (has_session() && profile.identify_limit_counts_resumes && !holds_resume_slot) {
        // This server counts resumes against the identify budget too.
        if (config.resume_slots) {
            phase = Phase::waiting;
            reconnect_at.reset();
            ask_for_slot(SlotAsk::resume, std::nullopt, "the identify budget (resumes count)");
            return;
        }
        TimePoint slot = attempt_limiter ? attempt_limiter->next_slot() : now;
        holds_resume_slot = true;
        if (wait_until_slot(slot, now, "the identify budget (resumes count)")) {
            return;
        }
    } else if (!has_session() && !config.identify_slots && attempt_limiter &&
               wait_until_slot(attempt_limiter->next_slot(), now, "the identify budget")) {
        return;
    }
    holds_resume_slot = false;
    reconnect_at.reset();
    phase = Phase::connecting;
    ++stats.connects;
    bool use_resume_url = has_session() && profile.has_resume_gateway_url && !resume_url.empty();
    std::string url = profile.gateway_url(use_resume_url ? resume_url : base_url, compression);
    if (url.empty()) {
        finish(errc::invalid_url, ShardState::failed, "invalid gateway URL");
        return;
    }
    show(ShardState::connecting, "connecting");
    actions.emplace_back(action::Connect{std::move(url)});
    (void)now;
}

void Session::Impl::wait_and_reconnect(Plan plan, TimePoint now) {
    stop_heartbeating();
    if (ready_since) {
        // READY or RESUMED reset `failures`; a server that drops every
        // session right after it still sees the delays grow.
        bool short_lived = now - *ready_since < config.backoff.stable_after;
        short_ready_streak = short_lived ? short_ready_streak + 1 : 0;
    }
    ready_since.reset();
    if (!plan.resume) {
        forget_session();
    }
    unsigned attempt = failures + (short_ready_streak > 0 ? short_ready_streak - 1 : 0);
    milliseconds delay = plan.exact
                             ? plan.min_delay
                             : std::max(plan.min_delay, config.backoff.delay(attempt, random()));
    ++failures;
    phase = Phase::waiting;
    reconnect_at = now + delay;
    show(ShardState::reconnecting, plan.reason + "; " +
                                       (has_session() ? "resuming" : "identifying") + " in " +
                                       format_ms(delay));
}

void Session::Impl::close_and_reconnect(Plan plan, TimePoint now) {
    stop_heartbeating();
    phase = Phase::closing;
    actions.emplace_back(action::Close{resumable_close_code, plan.reason});
    after_close = std::move(plan);
    (void)now;
}

void Session::Impl::finish(std::error_code error, ShardState state, std::string detail) {
    stop_heartbeating();
    reconnect_at.reset();
    phase = Phase::done;
    show(state, std::move(detail));
    actions.emplace_back(action::Finish{error});
}

Session::Impl::milliseconds Session::Impl::invalid_session_wait() {
    return milliseconds{1000 + static_cast<long long>(random() * 4000)};
}

}  // namespace gatewire
