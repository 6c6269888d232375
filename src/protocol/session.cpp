#include "gatewire/protocol/session.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "gatewire/core/error.hpp"
#include "gatewire/core/url.hpp"
#include "gatewire/detail/envelope.hpp"
#include "gatewire/detail/message_decoder.hpp"
#include "gatewire/detail/rate_limiter.hpp"
#include "gatewire/detail/zstd_stream_encoder.hpp"
#include "protocol/command_queue.hpp"
#include "protocol/opcodes.hpp"
#include "protocol/payloads.hpp"
#include "protocol/ready_fields.hpp"
#include "protocol/seq_window.hpp"

namespace gatewire {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using json = nlohmann::json;
namespace op = detail::op;
using detail::heartbeat_payload;
using detail::identify_payload;
using detail::read_ready;
using detail::ReadyFields;
using detail::resume_payload;

// A client close code that keeps the session resumable (1000/1001 would end it).
constexpr std::uint16_t resumable_close_code = 4000;

std::string format_ms(milliseconds ms) {
    return std::to_string(ms.count()) + " ms";
}

}  // namespace

struct Session::Impl {
    enum class Phase {
        idle,
        waiting,         // before the next connect
        connecting,      // Connect emitted
        awaiting_hello,  // connected
        identifying,
        resuming,
        ready,
        closing,   // we asked to close; a reconnect plan follows
        stopping,  // we asked to close for good
        done,
    };

    // What to do once the socket we asked to close is closed.
    struct Plan {
        bool resume;
        milliseconds min_delay;
        std::string reason;
        // The server said when to come back (op 9's 1-5 s): no backoff on top.
        bool exact = false;
    };

    SessionConfig config;
    const Profile& profile;
    Compression compression;
    std::string base_url;
    MessageDecoder decoder;
    ZstdStreamEncoder encoder;
    bool encode_outgoing;
    std::mt19937_64 engine{std::random_device{}()};

    std::deque<Action> actions;
    Phase phase = Phase::idle;
    ShardState shown_state = ShardState::idle;

    std::string session_id;
    std::string resume_url;
    detail::SeqWindow window;       // which seqs of the session were delivered
    std::uint64_t handled_seq = 0;  // with Acknowledge::handled: what the owner finished
    // Dispatches belong to a session we hold or asked for; after an op 9 and
    // before the next Identify they are the old session's leftovers.
    bool accepting = true;
    bool reported_stale = false;

    std::optional<milliseconds> interval;
    bool heartbeating = false;
    TimePoint next_heartbeat{};
    bool ack_pending = false;
    bool skip_zombie_check = false;
    TimePoint last_heartbeat_sent{};
    std::optional<std::chrono::microseconds> latency;
    bool reading_paused = false;

    std::optional<TimePoint> reconnect_at;
    std::optional<TimePoint> hello_deadline;
    std::optional<TimePoint> ready_deadline;
    std::optional<TimePoint> identify_at;
    bool holds_identify_slot = false;  // reserved through config.identify_slot, not yet used
    bool holds_resume_slot = false;    // likewise for a resume, where resumes are budgeted
    std::optional<Plan> after_close;
    unsigned failures = 0;
    std::optional<TimePoint> ready_since;
    unsigned short_ready_streak = 0;  // connections in a row ready for less than stable_after
    // Identifies and resumes sent, when the profile budgets both per address
    // and no resume_slot shares the budget with other shards.
    std::optional<RateLimiter> attempt_limiter;

    detail::CommandQueue commands;
    SessionStats stats;

    explicit Impl(SessionConfig c)
        : config(std::move(c)),
          profile(*config.profile),
          compression(config.compression.value_or(profile.default_compression)),
          base_url(config.url.empty() ? profile.default_url : config.url),
          decoder(compression, config.max_message_bytes),
          encode_outgoing(compression == Compression::zstd_stream &&
                          profile.compresses_client_messages_with_zstd),
          commands(profile, config.max_queued_command_bytes) {
        if (config.resume) {
            session_id = config.resume->session_id;
            window.reset(config.resume->seq);
            handled_seq = config.resume->seq;
            resume_url = config.resume->resume_url;
        }
        if (profile.identify_limit && profile.identify_limit_counts_resumes) {
            attempt_limiter.emplace(*profile.identify_limit);
        }
        auto check_object = [](const std::string& text, const char* field) {
            if (!text.empty() && !json::parse(text, nullptr, false).is_object()) {
                throw std::invalid_argument(std::string("SessionConfig::") + field +
                                            " is not a JSON object");
            }
        };
        check_object(config.presence_json, "presence_json");
        check_object(config.identify_extra_json, "identify_extra_json");
    }

    double random() {
        if (config.random) {
            return std::clamp(config.random(), 0.0, 0.999999);
        }
        return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    }

    bool has_session() const { return !session_id.empty(); }

    void show(ShardState state, std::string detail) {
        shown_state = state;
        actions.emplace_back(action::StateChange{state, std::move(detail)});
    }

    void report(std::error_code error, std::string detail) {
        actions.emplace_back(action::Report{error, std::move(detail)});
    }

    void forget_session() {
        session_id.clear();
        resume_url.clear();
        window.reset();
        handled_seq = 0;
        accepting = false;
    }

    // The seq heartbeats and resumes carry: only what a resume could still ask
    // for, since a server may trim its replay buffer up to it.
    std::uint64_t acknowledged_seq() const {
        return config.acknowledge == Acknowledge::handled ? std::min(handled_seq, window.floor())
                                                          : window.floor();
    }

    // --- sending -------------------------------------------------------------

    void send_now(int opcode, const std::string& payload, TimePoint now) {
        commands.record_sent(opcode, now);
        if (encode_outgoing) {
            actions.emplace_back(action::Send{encoder.encode(payload), true, opcode});
        } else {
            actions.emplace_back(action::Send{payload, false, opcode});
        }
    }

    void send_heartbeat(TimePoint now) {
        std::uint64_t ack = acknowledged_seq();
        send_now(op::heartbeat, heartbeat_payload(ack), now);
        ++stats.heartbeats;
        ack_pending = true;
        last_heartbeat_sent = now;
    }

    void send_identify(TimePoint now) {
        // A new session: whatever the old one left (its id, its seqs) is gone.
        forget_session();
        accepting = true;
        reported_stale = false;
        count_attempt(now);
        send_now(op::identify, identify_payload(config, profile), now);
        ++stats.identifies;
        phase = Phase::identifying;
        ready_deadline = now + answer_timeout();
        show(ShardState::identifying, "identifying");
    }

    void send_resume(TimePoint now) {
        // Always a number: Fluxer refuses a Resume whose seq is null.
        accepting = true;
        count_attempt(now);
        send_now(op::resume, resume_payload(config.token, session_id, acknowledged_seq()), now);
        ++stats.resumes;
        phase = Phase::resuming;
        ready_deadline = now + answer_timeout();
        show(ShardState::resuming, "resuming session at seq " + std::to_string(acknowledged_seq()));
    }

    void count_attempt(TimePoint now) {
        if (attempt_limiter) {
            attempt_limiter->record(now);
        }
    }

    // No READY or RESUMED came: on a server that answers nothing past its
    // identify budget, that is the budget spent; say so and wait for a new window.
    void on_unanswered(TimePoint now) {
        bool resuming = phase == Phase::resuming;
        std::string what = resuming ? "Resume" : "Identify";
        milliseconds waited = answer_timeout();
        if (profile.unanswered_identify_after && profile.identify_limit) {
            milliseconds window_length = profile.identify_limit->per;
            report(
                errc::identify_rate_limited,
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

    milliseconds answer_timeout() const {
        milliseconds timeout = config.ready_timeout;
        if (profile.unanswered_identify_after) {
            timeout = std::min(timeout, *profile.unanswered_identify_after);
        }
        return timeout;
    }

    void flush_commands(TimePoint now) {
        if (phase != Phase::ready) {
            return;
        }
        commands.flush(
            now, [&](int opcode, const std::string& payload) { send_now(opcode, payload, now); });
    }

    std::optional<TimePoint> next_command_slot() const {
        if (phase != Phase::ready) {
            return std::nullopt;
        }
        return commands.next_slot();
    }

    // --- connection lifecycle ------------------------------------------------

    void stop_heartbeating() {
        heartbeating = false;
        ack_pending = false;
        hello_deadline.reset();
        ready_deadline.reset();
        identify_at.reset();
    }

    // Waits until `slot` when it is still ahead; true if so.
    bool wait_until_slot(TimePoint slot, TimePoint now, std::string_view what) {
        if (slot <= now) {
            return false;
        }
        phase = Phase::waiting;
        reconnect_at = slot;
        show(ShardState::reconnecting, "waiting " +
                                           format_ms(duration_cast<milliseconds>(slot - now)) +
                                           " for " + std::string(what));
        return true;
    }

    void connect(TimePoint now) {
        if (!has_session() && config.identify_slot && !holds_identify_slot) {
            // A new session: wait for this shard's identify slot before even
            // connecting, so no socket sits idle and no identify is refused.
            holds_identify_slot = true;
            if (wait_until_slot(config.identify_slot(now), now, "an identify slot")) {
                return;
            }
        }
        holds_identify_slot = false;  // this connection's identify uses it
        if (has_session() && profile.identify_limit_counts_resumes && !holds_resume_slot) {
            // This server counts resumes against the identify budget too.
            TimePoint slot = config.resume_slot ? config.resume_slot(now)
                             : attempt_limiter  ? attempt_limiter->next_slot()
                                                : now;
            holds_resume_slot = true;
            if (wait_until_slot(slot, now, "the identify budget (resumes count)")) {
                return;
            }
        } else if (!has_session() && !config.identify_slot && attempt_limiter &&
                   wait_until_slot(attempt_limiter->next_slot(), now, "the identify budget")) {
            return;
        }
        holds_resume_slot = false;
        reconnect_at.reset();
        phase = Phase::connecting;
        ++stats.connects;
        bool use_resume_url =
            has_session() && profile.has_resume_gateway_url && !resume_url.empty();
        std::string url = profile.gateway_url(use_resume_url ? resume_url : base_url, compression);
        if (url.empty()) {
            finish(errc::invalid_url, ShardState::failed, "invalid gateway URL");
            return;
        }
        show(ShardState::connecting, "connecting");
        actions.emplace_back(action::Connect{std::move(url)});
        (void)now;
    }

    // The socket is gone: wait (with backoff) and connect again.
    void wait_and_reconnect(Plan plan, TimePoint now) {
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
        milliseconds delay =
            plan.exact ? plan.min_delay
                       : std::max(plan.min_delay, config.backoff.delay(attempt, random()));
        ++failures;
        phase = Phase::waiting;
        reconnect_at = now + delay;
        show(ShardState::reconnecting, plan.reason + "; " +
                                           (has_session() ? "resuming" : "identifying") + " in " +
                                           format_ms(delay));
    }

    // Close the open socket, then reconnect as planned.
    void close_and_reconnect(Plan plan, TimePoint now) {
        stop_heartbeating();
        phase = Phase::closing;
        actions.emplace_back(action::Close{resumable_close_code, plan.reason});
        after_close = std::move(plan);
        (void)now;
    }

    void finish(std::error_code error, ShardState state, std::string detail) {
        stop_heartbeating();
        reconnect_at.reset();
        phase = Phase::done;
        show(state, std::move(detail));
        actions.emplace_back(action::Finish{error});
    }

    milliseconds invalid_session_wait() {
        return milliseconds{1000 + static_cast<long long>(random() * 4000)};
    }

    // --- incoming ------------------------------------------------------------

    void handle_message(std::string& message, TimePoint now) {
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
                close_and_reconnect({true, milliseconds{0}, "server asked to reconnect (op 7)"},
                                    now);
                break;
            case op::invalid_session:
                handle_invalid_session(envelope, now);
                break;
            case op::gateway_error:
                report(errc::invalid_payload,
                       "gateway error (op 12): " + std::string(envelope.data));
                break;
            default:
                report(errc::invalid_payload,
                       "ignored unknown opcode " + std::to_string(envelope.op));
                break;
        }
    }

    void handle_hello(const Envelope& envelope, TimePoint now) {
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
            send_identify(now);
        }
    }

    void handle_invalid_session(const Envelope& envelope, TimePoint now) {
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
            show(ShardState::identifying,
                 "invalid session; identifying again in " + format_ms(wait));
            return;
        }
        close_and_reconnect({false, wait, "invalid session", true}, now);
    }

    void handle_dispatch(const Envelope& envelope, std::string& message, TimePoint now) {
        bool is_ready = envelope.type == "READY";
        bool is_resumed = envelope.type == "RESUMED";
        // READY answers an Identify (a server may answer a Resume with a new
        // session too), RESUMED only a Resume. Anywhere else one would make a
        // session ready that the client never asked for, or deliver it twice.
        if ((is_ready &&
             ((phase != Phase::identifying && phase != Phase::resuming) || identify_at)) ||
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
        RawEvent event;
        event.shard_id = config.shard ? config.shard->id : 0;
        event.seq = envelope.seq.value_or(0);
        event.resume_seq = window.floor();
        event.name = std::string(envelope.type);
        event.data_offset = envelope.data.empty()
                                ? 0
                                : static_cast<std::size_t>(envelope.data.data() - message.data());
        event.data_size = envelope.data.size();
        event.message = std::move(message);
        actions.emplace_back(action::Deliver{std::move(event)});
    }

    void handle_ready(const Envelope& envelope, const std::string& message, TimePoint now) {
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

    void become_ready(TimePoint now, std::string detail) {
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
};

Session::Session(SessionConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

void Session::start(TimePoint now) {
    if (impl_->phase != Impl::Phase::idle) {
        return;
    }
    if (!impl_->profile.offers(impl_->compression)) {
        impl_->finish(errc::unsupported_compression, ShardState::failed,
                      std::string(impl_->profile.name) + " does not offer " +
                          std::string(to_string(impl_->compression)));
        return;
    }
    if (auto url = Url::parse(impl_->base_url);
        url && url->cleartext_to_remote() && !impl_->config.allow_insecure) {
        impl_->finish(errc::insecure_url, ShardState::failed,
                      "refusing cleartext " + url->scheme + ":// to " + url->host +
                          ": the token would cross the network unencrypted (allow_insecure)");
        return;
    }
    impl_->connect(now);
}

void Session::on_connected(TimePoint now) {
    Impl& s = *impl_;
    if (s.phase != Impl::Phase::connecting) {
        return;
    }
    s.decoder.reset();
    s.encoder.reset();
    s.phase = Impl::Phase::awaiting_hello;
    s.hello_deadline = now + s.config.hello_timeout;
}

void Session::on_connect_failed(std::error_code error, TimePoint now) {
    Impl& s = *impl_;
    if (s.phase == Impl::Phase::stopping) {
        s.finish({}, ShardState::stopped, "stopped");
        return;
    }
    if (s.phase != Impl::Phase::connecting) {
        return;
    }
    s.report(error, "connect failed: " + error.message());
    s.wait_and_reconnect(
        {s.has_session(), std::chrono::milliseconds{0}, "connect failed (" + error.message() + ")"},
        now);
}

void Session::on_message(std::span<const std::uint8_t> bytes, bool message_end, TimePoint now) {
    Impl& s = *impl_;
    using Phase = Impl::Phase;
    if (s.phase == Phase::idle || s.phase == Phase::waiting || s.phase == Phase::connecting ||
        s.phase == Phase::done) {
        return;
    }
    DecodeStatus status = s.decoder.feed(bytes, message_end);
    for (;;) {
        switch (status) {
            case DecodeStatus::incomplete:
                return;
            case DecodeStatus::complete:
                s.handle_message(s.decoder.message(), now);
                break;
            case DecodeStatus::too_large:
                s.report(errc::message_too_large, "skipped a message larger than " +
                                                      std::to_string(s.config.max_message_bytes) +
                                                      " bytes");
                break;
            case DecodeStatus::corrupt:
                if (s.phase == Phase::closing || s.phase == Phase::stopping) {
                    return;
                }
                s.report(errc::decompression_failed, "corrupt compressed stream; reconnecting");
                s.close_and_reconnect(
                    {s.has_session(), std::chrono::milliseconds{0}, "corrupt compressed stream"},
                    now);
                return;
        }
        if (!s.decoder.has_pending() || s.phase == Phase::done) {
            return;
        }
        status = s.decoder.feed({}, false);
    }
}

void Session::on_closed(std::optional<std::uint16_t> code, TimePoint now) {
    Impl& s = *impl_;
    using Phase = Impl::Phase;
    switch (s.phase) {
        case Phase::idle:
        case Phase::waiting:
        case Phase::done:
            return;
        case Phase::stopping:
            s.finish({}, ShardState::stopped, "stopped");
            return;
        case Phase::closing: {
            Impl::Plan plan = std::move(*s.after_close);
            s.after_close.reset();
            s.wait_and_reconnect(std::move(plan), now);
            return;
        }
        default:
            break;
    }
    if (!code) {
        s.wait_and_reconnect({s.has_session(), std::chrono::milliseconds{0}, "connection lost"},
                             now);
        return;
    }
    CloseRule rule = s.profile.close_rule(*code);
    std::string reason = "closed by the server with " + std::to_string(*code);
    if (!rule.name.empty()) {
        reason += " (" + std::string(rule.name) + ")";
    }
    switch (rule.action) {
        case CloseAction::fatal:
            s.forget_session();
            s.finish(make_close_error(*code), ShardState::failed,
                     reason + ": " + std::string(rule.meaning));
            return;
        case CloseAction::identify:
            s.wait_and_reconnect({false, std::chrono::milliseconds{0}, reason}, now);
            return;
        case CloseAction::resume: {
            // 4008: we were rate limited; never come straight back.
            std::chrono::milliseconds at_least =
                *code == 4008 ? s.config.backoff.initial : std::chrono::milliseconds{0};
            s.wait_and_reconnect({s.has_session(), at_least, reason}, now);
            return;
        }
    }
}

void Session::on_tick(TimePoint now) {
    Impl& s = *impl_;
    using Phase = Impl::Phase;
    if (s.phase == Phase::waiting && s.reconnect_at && now >= *s.reconnect_at) {
        s.connect(now);
        return;
    }
    if (s.hello_deadline && now >= *s.hello_deadline) {
        s.close_and_reconnect({s.has_session(), std::chrono::milliseconds{0},
                               "no Hello within " + format_ms(s.config.hello_timeout)},
                              now);
        return;
    }
    if (s.ready_deadline && now >= *s.ready_deadline) {
        s.on_unanswered(now);
        return;
    }
    if (s.identify_at && now >= *s.identify_at) {
        s.identify_at.reset();
        s.send_identify(now);
    }
    if (s.heartbeating && now >= s.next_heartbeat) {
        if (s.ack_pending && !s.reading_paused && !s.skip_zombie_check) {
            s.close_and_reconnect({s.has_session(), std::chrono::milliseconds{0},
                                   "no heartbeat ACK since the last heartbeat (zombie connection)"},
                                  now);
            return;
        }
        s.skip_zombie_check = false;
        s.send_heartbeat(now);
        s.next_heartbeat += *s.interval;
        if (s.next_heartbeat <= now) {
            s.next_heartbeat = now + *s.interval;
        }
    }
    s.flush_commands(now);
}

void Session::stop(TimePoint now, bool keep_resumable) {
    Impl& s = *impl_;
    using Phase = Impl::Phase;
    switch (s.phase) {
        case Phase::idle:
        case Phase::waiting:
            s.finish({}, ShardState::stopped, "stopped");
            return;
        case Phase::done:
        case Phase::stopping:
            return;
        case Phase::closing:
            s.phase = Phase::stopping;
            s.after_close.reset();
            s.show(ShardState::stopping, "stopping");
            return;
        default:
            break;
    }
    s.stop_heartbeating();
    s.phase = Phase::stopping;
    if (!keep_resumable) {
        // Ended for good; what is still read is delivered, once each.
        s.session_id.clear();
        s.resume_url.clear();
    }
    s.show(ShardState::stopping, "stopping");
    s.actions.emplace_back(
        action::Close{keep_resumable ? resumable_close_code : std::uint16_t{1000}, "stopping"});
    (void)now;
}

void Session::set_reading_paused(bool paused, TimePoint now) {
    Impl& s = *impl_;
    if (s.reading_paused && !paused) {
        // ACKs that arrived while we could not read are still in the socket.
        s.skip_zombie_check = true;
    }
    s.reading_paused = paused;
    (void)now;
}

std::error_code Session::send_command(int opcode, std::string_view data_json, TimePoint now) {
    Impl& s = *impl_;
    if (s.phase == Impl::Phase::done || s.phase == Impl::Phase::stopping) {
        return errc::not_connected;
    }
    if (auto error = s.commands.push(opcode, data_json)) {
        return error;
    }
    if (opcode == op::presence_update) {
        // The presence the user set outlives this connection: a later
        // identify (a new session) starts with it, not the configured one.
        s.config.presence_json.assign(data_json);
    }
    s.flush_commands(now);
    return {};
}

std::optional<Action> Session::poll() {
    if (impl_->actions.empty()) {
        return std::nullopt;
    }
    Action next = std::move(impl_->actions.front());
    impl_->actions.pop_front();
    return next;
}

std::optional<TimePoint> Session::next_deadline() const {
    const Impl& s = *impl_;
    std::optional<TimePoint> earliest;
    auto consider = [&](std::optional<TimePoint> t) {
        if (t && (!earliest || *t < *earliest)) {
            earliest = t;
        }
    };
    consider(s.reconnect_at);
    consider(s.hello_deadline);
    consider(s.ready_deadline);
    consider(s.identify_at);
    if (s.heartbeating) {
        consider(s.next_heartbeat);
    }
    consider(s.next_command_slot());
    return earliest;
}

ShardState Session::state() const noexcept {
    return impl_->shown_state;
}

std::optional<ResumableSession> Session::resumable() const {
    const Impl& s = *impl_;
    if (!s.has_session()) {
        return std::nullopt;
    }
    return ResumableSession{s.session_id, s.acknowledged_seq(), s.resume_url};
}

void Session::handled(std::string_view session_id, std::uint64_t resume_seq) {
    Impl& s = *impl_;
    if (session_id == s.session_id && !session_id.empty()) {
        s.handled_seq = std::max(s.handled_seq, resume_seq);
    }
}

std::optional<std::chrono::microseconds> Session::latency() const noexcept {
    return impl_->latency;
}

std::optional<std::chrono::milliseconds> Session::heartbeat_interval() const noexcept {
    return impl_->interval;
}

const SessionStats& Session::stats() const noexcept {
    return impl_->stats;
}

std::size_t Session::queued_commands() const noexcept {
    return impl_->commands.size();
}

}  // namespace gatewire
