// The session's public side: the inputs an owner feeds and the actions it
// polls; the state machine's parts are in session_*.cpp beside it.
#include "protocol/session_impl.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "gatewire/core/error.hpp"
#include "gatewire/core/url.hpp"

namespace gatewire {

namespace op = detail::op;

namespace {

using json = nlohmann::json;

}  // namespace

Session::Impl::Impl(SessionConfig c)
    : config(std::move(c)),
      profile(config.profile),
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
    if (!profile.uses_intents && !config.intents.empty()) {
        throw std::invalid_argument("SessionConfig::intents: the " + profile.name +
                                    " gateway has no intents; leave them empty");
    }
    if (config.presence) {
        if (std::error_code error = commands::encode(*config.presence, profile, presence_json)) {
            throw std::invalid_argument("SessionConfig::presence: " + error.message() +
                                        " for the " + profile.name + " gateway");
        }
    }
    if (!config.identify_extra_json.empty() &&
        !json::parse(config.identify_extra_json, nullptr, false).is_object()) {
        throw std::invalid_argument("SessionConfig::identify_extra_json is not a JSON object");
    }
}

double Session::Impl::random() {
    if (config.random) {
        return std::clamp(config.random(), 0.0, 0.999999);
    }
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

void Session::Impl::show(ShardState state, std::string detail) {
    shown_state = state;
    actions.emplace_back(action::StateChange{state, std::move(detail)});
}

void Session::Impl::report(std::error_code error, std::string detail) {
    actions.emplace_back(action::Report{error, std::move(detail)});
}

void Session::Impl::forget_session() {
    session_id.clear();
    resume_url.clear();
    window.reset();
    handled_seq = 0;
    accepting = false;
}

std::uint64_t Session::Impl::acknowledged_seq() const {
    return config.acknowledge == Acknowledge::handled ? std::min(handled_seq, window.floor())
                                                      : window.floor();
}

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
    s.inside_message = false;
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

void Session::on_message(std::span<const std::uint8_t> bytes, bool message_end, TimePoint now,
                         std::size_t bytes_to_come) {
    Impl& s = *impl_;
    using Phase = Impl::Phase;
    if (s.phase == Phase::idle || s.phase == Phase::waiting || s.phase == Phase::connecting ||
        s.phase == Phase::done) {
        return;
    }
    s.last_bytes_at = now;
    s.inside_message = !message_end;
    DecodeStatus status = s.decoder.feed(bytes, message_end, bytes_to_come);
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
                               "no Hello within " + Impl::format_ms(s.config.hello_timeout)},
                              now);
        return;
    }
    if (s.ready_deadline && now >= *s.ready_deadline) {
        s.on_unanswered(now);
        return;
    }
    if (s.identify_at && now >= *s.identify_at) {
        bool at_slot = s.identify_at_slot;
        s.identify_at.reset();
        s.identify_at_slot = false;
        if (at_slot) {
            s.ask_for_slot(Impl::SlotAsk::claim, s.identify_slot, "its identify slot");
        } else {
            s.identify_when_allowed(now);  // after op 9's wait: through the queue too
        }
    }
    if (s.heartbeating && now >= s.next_heartbeat) {
        if (s.ack_overdue()) {
            s.close_as_zombie(now, "no heartbeat ACK since the last heartbeat (zombie connection)");
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

void Session::on_slot(TimePoint slot, TimePoint now) {
    Impl& s = *impl_;
    using Phase = Impl::Phase;
    using Ask = Impl::SlotAsk;
    if (!s.awaiting_slot || s.phase == Phase::done) {
        return;
    }
    Ask asked = *s.awaiting_slot;
    s.awaiting_slot.reset();
    bool waiting_for_it = s.phase == Phase::waiting && !s.reconnect_at;
    // On the open connection, before its Identify went out.
    bool connected = s.phase == Phase::identifying && !s.identify_at && !s.ready_deadline;
    switch (asked) {
        case Ask::resume:
            s.holds_resume_slot = true;
            if (waiting_for_it &&
                !s.wait_until_slot(slot, now, "the identify budget (resumes count)")) {
                s.connect(now);
            }
            return;
        case Ask::identify:
            s.identify_slot = slot;
            if (waiting_for_it) {
                s.connect(now);  // it was waiting for this answer to connect
            } else if (connected) {
                s.identify_at = std::max(slot, now);
                s.identify_at_slot = true;
            }
            return;
        case Ask::claim:
            if (waiting_for_it) {
                s.connect(now);  // the connection went while the queue was asked
            } else if (connected && slot <= now) {
                s.send_identify(now);
            } else if (connected) {
                s.identify_at = slot;  // the bucket's last identify left late: ask again then
                s.identify_at_slot = true;
            }
            return;
    }
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
    s.actions.emplace_back(action::Close{
        keep_resumable ? Impl::resumable_close_code : std::uint16_t{1000}, "stopping"});
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
    if (op::owned_by_session(opcode)) {
        return errc::session_owned_opcode;
    }
    if (s.phase == Impl::Phase::done || s.phase == Impl::Phase::stopping) {
        return errc::not_connected;
    }
    if (auto error = s.commands.push(opcode, data_json)) {
        return error;
    }
    if (opcode == op::presence_update) {
        // The presence the user set outlives this connection: a later
        // identify (a new session) starts with it, not the configured one.
        s.presence_json.assign(data_json);
    }
    s.flush_commands(now);
    return {};
}

std::optional<Action> Session::poll() {
    if (impl_->actions.empty()) {
        return std::nullopt;
    }
    std::optional<Action> next(std::in_place, std::move(impl_->actions.front()));
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

std::string_view Session::session_id() const noexcept {
    return impl_->session_id;
}

std::string_view Session::resume_url() const noexcept {
    return impl_->has_session() ? std::string_view(impl_->resume_url) : std::string_view();
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
