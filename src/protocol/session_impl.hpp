// The session's state, shared by the files that implement it: session.cpp
// (the public side), session_sending.cpp (heartbeats, Identify, Resume,
// commands), session_lifecycle.cpp (connecting, backoff, reconnect plans) and
// session_incoming.cpp (Hello, op 9, dispatches, READY).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "gatewire/detail/envelope.hpp"
#include "gatewire/detail/message_decoder.hpp"
#include "gatewire/detail/rate_limiter.hpp"
#include "gatewire/detail/zstd_stream_encoder.hpp"
#include "gatewire/protocol/session.hpp"
#include "protocol/command_queue.hpp"
#include "protocol/opcodes.hpp"
#include "protocol/seq_window.hpp"

namespace gatewire {

struct Session::Impl {
    using milliseconds = std::chrono::milliseconds;

    // A client close code that keeps the session resumable (1000/1001 would end it).
    static constexpr std::uint16_t resumable_close_code = 4000;

    static std::string format_ms(milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

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
    const Profile& profile;  // config's own
    // The presence of the next Identify: the configured one, then the last
    // the owner sent (op 3).
    std::string presence_json;
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
    TimePoint unacked_since{};  // the oldest heartbeat not yet acknowledged
    // Bytes of a message that has not ended yet: an ACK may sit behind it.
    bool inside_message = false;
    TimePoint last_bytes_at{};
    std::optional<std::chrono::microseconds> latency;
    bool reading_paused = false;

    std::optional<TimePoint> reconnect_at;
    std::optional<TimePoint> hello_deadline;
    std::optional<TimePoint> ready_deadline;
    // When an Identify goes out on the open connection: at its slot
    // (identify_at_slot), or after Fluxer's op 9 wait, when the slot is asked.
    std::optional<TimePoint> identify_at;
    bool identify_at_slot = false;
    // An identify slot reserved (config.identify_slots) and not yet used.
    std::optional<TimePoint> identify_slot;
    bool holds_resume_slot = false;  // likewise for a resume, where resumes are budgeted
    // A ReserveSlot is out, and what for.
    enum class SlotAsk { identify, resume, claim };
    std::optional<SlotAsk> awaiting_slot;
    std::optional<Plan> after_close;
    unsigned failures = 0;
    std::optional<TimePoint> ready_since;
    unsigned short_ready_streak = 0;  // connections in a row ready for less than stable_after
    // Identifies and resumes sent, when the profile budgets both per address
    // and no resume_slot shares the budget with other shards.
    std::optional<RateLimiter> attempt_limiter;

    detail::CommandQueue commands;
    SessionStats stats;

    explicit Impl(SessionConfig c);

    // session.cpp: small helpers.

    double random();

    bool has_session() const { return !session_id.empty(); }

    void show(ShardState state, std::string detail);
    void report(std::error_code error, std::string detail);
    void forget_session();

    // The seq heartbeats and resumes carry: only what a resume could still ask
    // for, since a server may trim its replay buffer up to it.
    std::uint64_t acknowledged_seq() const;
    // session_sending.cpp: what the session sends.
    void send_now(int opcode, const std::string& payload, TimePoint now);
    void send_heartbeat(TimePoint now);
    void send_identify(TimePoint now);
    // On the open connection, a new session: Identify at once, or at its
    // slot (asking for one first, or again when the connection came late).
    void identify_when_allowed(TimePoint now);
    void ask_for_slot(SlotAsk kind, std::optional<TimePoint> claims, std::string_view what);
    void send_resume(TimePoint now);
    void count_attempt(TimePoint now);
    // A heartbeat went unanswered and nothing excuses it: not a paused read
    // (the ACK may wait in the socket), not a message still arriving (it may
    // wait behind it).
    bool ack_overdue() const;
    void close_as_zombie(TimePoint now, std::string why);

    // No READY or RESUMED came: on a server that answers nothing past its
    // identify budget, that is the budget spent; say so and wait for a new window.
    void on_unanswered(TimePoint now);
    milliseconds answer_timeout() const;
    void flush_commands(TimePoint now);
    std::optional<TimePoint> next_command_slot() const;
    // session_lifecycle.cpp: connecting, waiting and reconnecting.
    void stop_heartbeating();

    // Waits until `slot` when it is still ahead; true if so.
    bool wait_until_slot(TimePoint slot, TimePoint now, std::string_view what);
    void connect(TimePoint now);

    // The socket is gone: wait (with backoff) and connect again.
    void wait_and_reconnect(Plan plan, TimePoint now);

    // Close the open socket, then reconnect as planned.
    void close_and_reconnect(Plan plan, TimePoint now);
    void finish(std::error_code error, ShardState state, std::string detail);
    milliseconds invalid_session_wait();
    // session_incoming.cpp: what the server sends.
    void handle_message(std::string& message, TimePoint now);
    void handle_hello(const Envelope& envelope, TimePoint now);
    void handle_invalid_session(const Envelope& envelope, TimePoint now);
    void handle_dispatch(const Envelope& envelope, std::string& message, TimePoint now);
    void handle_ready(const Envelope& envelope, const std::string& message, TimePoint now);
    void become_ready(TimePoint now, std::string detail);
};

}  // namespace gatewire
