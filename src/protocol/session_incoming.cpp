// What the server sends: each message decoded, Hello, Invalid Session,
// dispatches in seq order, READY and RESUMED.
#include "protocol/session_impl.hpp"

#include <nlohmann/json.hpp>

#include "gatewire/core/error.hpp"
#include "protocol/ready_fields.hpp"

namespace gatewire {

namespace op = detail::op;
using std::chrono::duration_cast;

namespace {

using json = nlohmann::json;

}  // namespace

using detail::read_ready;
using detail::ReadyFields;

void Session::Impl::handle_message(std::string& message, TimePoint now) {
    Envelope envelope;
    if (auto error = peek_envelope(message, envelope)) {
        report(error, "dropped a message that is not a gateway payload (" +
                          std::to_string(message.size()) + " bytes)");
        return;
    }
    if (phase == Phase::closing || phase == Phase::stopping) {
        if (envelope.op == op::dispatch) {
            handle_dispatch(envelope, message, now);  // still ours: deliver it
        }
        return;
    }
    switch (envelope.op) {
        case op::dispatch:
            handle_dispatch(envelope, message, now);
            break;
        case op::heartbeat:
            // Requests that keep coming sooner than the interval restart the
            // schedule each time, so they must not hide a missing ACK.
            if (interval && ack_pending && now - unacked_since >= *interval && ack_overdue()) {
                close_as_zombie(now,
                                "no heartbeat ACK for " +
                                    format_ms(duration_cast<milliseconds>(now - unacked_since)) +
                                    " while the server asks for heartbeats (zombie connection)");
                break;
            }
            // Answer at once; restarting the schedule keeps a request that lands just
            // before our own heartbeat from looking like a missed ACK.
            send_heartbeat(now);
            if (interval) {
                next_heartbeat = now + *interval;
            }
            break;
        case op::heartbeat_ack:
            if (ack_pending) {
                latency = std::chrono::duration_cast<std::chrono::microseconds>(
                    now - last_heartbeat_sent);
            }
            ack_pending = false;
            break;
        case op::hello:
            handle_hello(envelope, now);
            break;
        case op::reconnect:
            close_and_reconnect({true, milliseconds{0}, "server asked to reconnect (op 7)"}, now);
            break;
        case op::invalid_session:
            handle_invalid_session(envelope, now);
            break;
        case op::gateway_error:
            report(errc::invalid_payload, "gateway error (op 12): " + std::string(envelope.data));
            break;
        default:
            report(errc::invalid_payload, "ignored unknown opcode " + std::to_string(envelope.op));
            break;
    }
}

void Session::Impl::handle_hello(const Envelope& envelope, TimePoint now) {
    json d = json::parse(envelope.data, nullptr, false);
    milliseconds every{41250};
    // Past a day is no interval a server means, and deadlines computed
    // from one near the type's range would overflow.
    constexpr std::uint64_t longest = 24 * 3600 * 1000;
    if (d.is_object() && d.contains("heartbeat_interval") &&
        d["heartbeat_interval"].is_number_unsigned() && d["heartbeat_interval"] > 0 &&
        d["heartbeat_interval"].get<std::uint64_t>() <= longest) {
        every = milliseconds{d["heartbeat_interval"].get<std::int64_t>()};
    } else {
        report(errc::invalid_payload,
               "Hello without a valid heartbeat_interval (1 ms to 1 day); using 41250 ms");
    }
    interval = every;
    hello_deadline.reset();
    heartbeating = true;
    ack_pending = false;
    next_heartbeat = now + duration_cast<milliseconds>(every * random());
    if (phase != Phase::awaiting_hello) {
        return;  // a repeated Hello only re-arms the heartbeat
    }
    if (has_session()) {
        send_resume(now);
    } else {
        identify_when_allowed(now);
    }
}

void Session::Impl::identify_when_allowed(TimePoint now) {
    if (!config.identify_slots) {
        send_identify(now);
        return;
    }
    phase = Phase::identifying;
    ready_deadline.reset();
    identify_at.reset();
    identify_at_slot = false;
    if (awaiting_slot) {
        return;  // the answer comes to this connection
    }
    if (identify_slot) {
        // At the slot (at once if it has passed) the queue is asked to go.
        identify_at = std::max(*identify_slot, now);
        identify_at_slot = true;
        if (*identify_slot > now) {
            show(ShardState::identifying,
                 "identifying at its slot in " +
                     format_ms(duration_cast<milliseconds>(*identify_slot - now)));
        }
        return;
    }
    // No slot yet: Fluxer's op 9 on an open socket, or a slot used up.
    ask_for_slot(SlotAsk::identify, std::nullopt, "an identify slot");
    show(ShardState::identifying, "waiting for an identify slot");
}

void Session::Impl::handle_invalid_session(const Envelope& envelope, TimePoint now) {
    bool resumable = envelope.data == "true";
    milliseconds wait = invalid_session_wait();
    if (resumable && has_session()) {
        close_and_reconnect({true, wait, "invalid session (resumable)", true}, now);
        return;
    }
    forget_session();
    if (profile.invalid_session_keeps_socket) {
        identify_at = now + wait;
        ready_deadline.reset();
        phase = Phase::identifying;
        show(ShardState::identifying, "invalid session; identifying again in " + format_ms(wait));
        return;
    }
    close_and_reconnect({false, wait, "invalid session", true}, now);
}

void Session::Impl::handle_dispatch(const Envelope& envelope, std::string& message, TimePoint now) {
    bool is_ready = envelope.type == "READY";
    bool is_resumed = envelope.type == "RESUMED";
    // READY answers an Identify (a server may answer a Resume with a new
    // session too), RESUMED only a Resume. Anywhere else one would make a
    // session ready that the client never asked for, or deliver it twice.
    if ((is_ready && ((phase != Phase::identifying && phase != Phase::resuming) || identify_at ||
                      awaiting_slot)) ||
        (is_resumed && phase != Phase::resuming)) {
        report(errc::invalid_payload,
               "ignored " + std::string(envelope.type) + " that answers nothing sent");
        return;
    }
    if (is_ready) {
        window.reset();  // a new session: its seqs start again
        handled_seq = 0;
        accepting = true;
    } else if (!accepting) {
        ++stats.stale_dropped;
        if (!reported_stale) {
            reported_stale = true;
            report(errc::stale_dispatch,
                   "dropped " + std::string(envelope.type) +
                       " of the session the server invalidated; a new one is coming");
        }
        return;
    }
    if (envelope.seq) {
        if (is_resumed) {
            // Its seq is the server's at the resume (or the client's own):
            // every event up to it was replayed or will never be. It ends
            // the resume, and never moves the seq back.
            if (std::uint64_t missed = window.advance_to(*envelope.seq)) {
                stats.seqs_missed += missed;
                report(errc::events_missed,
                       std::to_string(missed) + " events up to seq " +
                           std::to_string(*envelope.seq) +
                           " were not replayed (the server keeps no replay of some events)");
            }
        } else if (is_ready) {
            // READY opens the session: nothing comes before its seq.
            window.reset(*envelope.seq);
        } else {
            std::uint64_t given_up = 0;
            bool fresh = window.insert(*envelope.seq, given_up);
            if (given_up != 0) {
                stats.seqs_missed += given_up;
                report(errc::events_missed,
                       std::to_string(given_up) + " events below seq " +
                           std::to_string(*envelope.seq - detail::SeqWindow::span) +
                           " never arrived");
            }
            if (!fresh) {
                ++stats.duplicates_dropped;  // already delivered in this session
                return;
            }
        }
    }
    ++stats.dispatches;
    if (envelope.type == "READY") {
        handle_ready(envelope, message, now);
    } else if (envelope.type == "RESUMED") {
        become_ready(now, "resumed");
    }
    // Built where it waits: every move of an event moves its four strings.
    RawEvent& event =
        std::get<action::Deliver>(actions.emplace_back(std::in_place_type<action::Deliver>)).event;
    event.shard_id = config.shard ? config.shard->id : 0;
    event.seq = envelope.seq.value_or(0);
    event.resume_seq = window.floor();
    event.name = std::string(envelope.type);
    event.data_offset =
        envelope.data.empty() ? 0 : static_cast<std::size_t>(envelope.data.data() - message.data());
    event.data_size = envelope.data.size();
    event.message = std::move(message);
}

void Session::Impl::handle_ready(const Envelope& envelope, const std::string& message,
                                 TimePoint now) {
    ReadyFields ready = read_ready(envelope, message, profile, config.allow_insecure);
    for (auto& [error, detail] : ready.problems) {
        report(error, std::move(detail));
    }
    if (ready.session_id) {
        session_id = std::move(*ready.session_id);
    }
    if (ready.resume_url) {
        resume_url = std::move(*ready.resume_url);
    }
    become_ready(now, "identified, session ready");
}

void Session::Impl::become_ready(TimePoint now, std::string detail) {
    if (phase == Phase::closing || phase == Phase::stopping) {
        return;  // arrived after we decided to close: it changes nothing
    }
    phase = Phase::ready;
    ready_deadline.reset();
    ready_since = now;
    failures = 0;  // a healthy connection: the next reconnect starts afresh
    show(ShardState::ready, std::move(detail));
    flush_commands(now);
}

}  // namespace gatewire
