/// @file
/// The gateway protocol as a state machine with no I/O and no clock.
///
/// The owner feeds it what happened (connected, bytes arrived, socket closed,
/// time passed) and carries out the actions it asks for (connect, send, close,
/// deliver an event, finish). Time is an input, so every rule is testable with
/// a manual clock.
#pragma once

#include "gatewire/core/export.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "gatewire/core/clock.hpp"
#include "gatewire/core/compression.hpp"
#include "gatewire/core/intents.hpp"
#include "gatewire/core/profile.hpp"
#include "gatewire/core/secret.hpp"
#include "gatewire/core/shard_id.hpp"
#include "gatewire/events/raw_event.hpp"
#include "gatewire/protocol/backoff.hpp"
#include "gatewire/protocol/commands.hpp"
#include "gatewire/protocol/resumable_session.hpp"
#include "gatewire/protocol/shard_state.hpp"

namespace gatewire {

/// Which seq heartbeats and resumes carry. A heartbeat's seq acknowledges
/// events: a server may drop them from its replay buffer (Fluxer does), so
/// the session acknowledges only what a resume could still ask for.
enum class Acknowledge {
    /// Events delivered to the owner (poll() gave them out).
    delivered,
    /// Events the owner reported handled through Session::handled(): a process
    /// that restarts from its session store loses nothing. Shards use this.
    handled,
};

/// What a session is built from. The Session constructor checks it and throws
/// std::invalid_argument for what could only fail later at the server: intents
/// on a profile without them, a presence the profile cannot send, extra
/// Identify fields that are not a JSON object.
struct SessionConfig {
    Profile profile = profiles::discord();  ///< profiles::discord(), profiles::fluxer() or your own
    Secret token;                           ///< never logged, never printed
    std::string url;                        ///< base URL; empty: the profile's default
    std::optional<Compression> compression;  ///< empty: the profile's default
    Intents intents;                         ///< Discord only; Fluxer has none
    std::optional<ShardId> shard;
    /// The presence Identify starts with; empty: the server's default (online).
    std::optional<commands::UpdatePresence> presence;
    /// Extra Identify fields as a JSON object, an escape hatch for what the
    /// struct does not name; merged last, so a field here wins.
    std::string identify_extra_json;
    std::size_t max_message_bytes = 64 * 1024 * 1024;
    /// Commands waiting for READY or the rate limits, in bytes; past it
    /// send_command() refuses with errc::queue_full.
    std::size_t max_queued_command_bytes = 256 * 1024;
    /// Allow ws:// to a host other than loopback (the token then crosses the
    /// network in clear), for the configured URL and a server's resume URL.
    bool allow_insecure = false;
    Backoff backoff;
    std::chrono::milliseconds hello_timeout{20000};
    std::chrono::milliseconds ready_timeout{60000};
    std::optional<ResumableSession> resume;  ///< a saved session to resume first
    Acknowledge acknowledge = Acknowledge::delivered;
    std::function<double()> random;  ///< [0, 1); default: a seeded engine
    /// A new session's Identify goes out at a slot its owner reserves (a
    /// Cluster's IdentifyQueue): the session asks with action::ReserveSlot
    /// and goes on at on_slot(). It connects at most `identify_lead` before
    /// the slot, and once Hello has come and the slot is reached it claims
    /// the slot (ReserveSlot::claims) and sends Identify when the queue says
    /// go, so identifies leave the queue's spacing apart whatever a connect
    /// or a timer took. False: Identify at once.
    bool identify_slots = false;
    std::chrono::milliseconds identify_lead{5000};
    /// On a profile whose identify budget counts resumes too (Fluxer), a
    /// resume asks for a slot as well (ReserveSlot::resume) and connects at
    /// it. False: the session keeps that budget itself.
    bool resume_slots = false;
};

namespace action {
/// Open a new connection to `url` (the previous one has been closed).
struct Connect {
    std::string url;
};
/// Send one WebSocket message.
struct Send {
    std::string bytes;
    bool binary = false;
    int op = 0;
};
/// Close the current connection with this code; on_closed() follows.
struct Close {
    std::uint16_t code;
    std::string reason;
};
struct Deliver {
    RawEvent event;
};
struct StateChange {
    ShardState state;
    std::string detail;
};
/// Something went wrong that the session survives (logged, given to error listeners).
struct Report {
    std::error_code error;
    std::string detail;
};
/// The session is over: no error when stopped by its owner, else a fatal close code.
struct Finish {
    std::error_code error;
};
/// Reserve a slot (SessionConfig::identify_slots, resume_slots) and answer
/// with Session::on_slot(), from the owner's own thread, whenever it is known.
struct ReserveSlot {
    bool resume = false;
    /// The identify slot reserved earlier, now reached on an open
    /// connection: answer `now` to send the Identify, or a later time to be
    /// asked again then (the bucket's last identify left later than planned).
    std::optional<TimePoint> claims;
};
}  // namespace action

using Action =
    std::variant<action::Connect, action::Send, action::Close, action::Deliver, action::StateChange,
                 action::Report, action::Finish, action::ReserveSlot>;

struct SessionStats {
    std::uint64_t connects = 0;
    std::uint64_t identifies = 0;
    std::uint64_t resumes = 0;
    std::uint64_t heartbeats = 0;
    std::uint64_t dispatches = 0;
    std::uint64_t duplicates_dropped = 0;
    /// Seqs of the session that never arrived and were given up on (not
    /// replayed by the server, or too far behind the newest).
    std::uint64_t seqs_missed = 0;
    /// Dispatches read while the session had none (after op 9, before READY).
    std::uint64_t stale_dropped = 0;
};

class GATEWIRE_API Session {
  public:
    explicit Session(SessionConfig config);
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;

    /// Inputs.
    void start(TimePoint now);
    void on_connected(TimePoint now);
    void on_connect_failed(std::error_code error, TimePoint now);
    /// Bytes of one WebSocket message; `message_end` on its last part.
    /// `bytes_to_come`: more of the message the transport knows will follow
    /// (its frame header announced them), so the message is sized once.
    void on_message(std::span<const std::uint8_t> bytes, bool message_end, TimePoint now,
                    std::size_t bytes_to_come = 0);
    /// The connection ended; `code` is absent when it ended without a close frame.
    void on_closed(std::optional<std::uint16_t> code, TimePoint now);
    void on_tick(TimePoint now);
    /// The answer to action::ReserveSlot: the time the identify (or resume)
    /// may go out at. Ignored when nothing was asked (e.g. after stop()).
    void on_slot(TimePoint slot, TimePoint now);
    /// Closing with `keep_resumable` leaves the session open on the server.
    void stop(TimePoint now, bool keep_resumable = false);
    /// While the owner cannot read (its event queue is full), missing ACKs prove nothing.
    void set_reading_paused(bool paused, TimePoint now);
    /// With Acknowledge::handled: every event of session `session_id` up to
    /// `resume_seq` (RawEvent::resume_seq) has been handled.
    void handled(std::string_view session_id, std::uint64_t resume_seq);
    /// Queue a command (op and `d` as JSON); sent when ready and the rate limits allow.
    std::error_code send_command(int op, std::string_view data_json, TimePoint now);

    /// Outputs.
    std::optional<Action> poll();
    std::optional<TimePoint> next_deadline() const;

    /// Inspection.
    ShardState state() const noexcept;
    std::optional<ResumableSession> resumable() const;
    /// resumable()'s session id and resume URL, without copying them (empty
    /// when there is no session): for a caller that checks on every event.
    std::string_view session_id() const noexcept;
    std::string_view resume_url() const noexcept;
    std::optional<std::chrono::microseconds> latency() const noexcept;
    std::optional<std::chrono::milliseconds> heartbeat_interval() const noexcept;
    const SessionStats& stats() const noexcept;
    std::size_t queued_commands() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewire
