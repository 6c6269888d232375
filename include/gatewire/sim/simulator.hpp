/// @file
/// gatewire-sim as a library: a real WebSocket server on loopback that plays
/// the server side of a gateway profile, with faults on demand. Tests, the demo
/// and bot authors run their clients against it offline.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gatewire/core/export.hpp"
#include "gatewire/core/profile.hpp"

namespace gatewire::sim {

/// Where real servers differ from each other, as data: what each one does
/// that a client must cope with. docs/conformance.md cites the server code
/// behind every value.
struct ServerBehaviour {
    /// The `s` of RESUMED.
    enum class ResumedSeq {
        none,     ///< null
        client,   ///< the seq the client resumed from (older Fluxer)
        current,  ///< the server's seq after the replay (Fluxer)
    };
    ResumedSeq resumed_seq = ResumedSeq::none;
    /// A resumed session switches to the new socket before its replay goes
    /// out, so the next live event overtakes the replay (Fluxer).
    bool live_before_replay = false;
    /// How long the replay waits for that live event before it goes anyway.
    std::chrono::milliseconds replay_waits_for_live{200};
    /// Events never kept for replay (Fluxer: GUILD_MEMBERS_CHUNK).
    std::vector<std::string> not_replayed{};
    std::size_t replay_max_event_bytes = 0;  ///< larger events are not kept (0: any)
    std::size_t replay_max_bytes = 0;        ///< the replay buffer's bytes (0: any)
    /// A heartbeat's seq drops replay entries up to it (Fluxer).
    bool heartbeat_acknowledges = false;
    /// Close 4007 when a Resume asks for a seq below the last acknowledged one.
    bool resume_below_ack_closes = false;
    /// Close 4007 when a heartbeat's seq is below the last one (older Fluxer).
    bool heartbeat_below_ack_closes = false;
    /// How a Resume with the wrong token is answered: a close code, or 0 for op 9.
    std::uint16_t wrong_token_resume_close = 0;
    /// Member requests worked on at once; 0: any. Past it, one more waits
    /// (a newer one replaces it) and the rest are dropped without a reply.
    std::size_t member_requests_at_once = 0;
    /// How long the server works on one member request.
    std::chrono::milliseconds member_request_time{0};
    /// Identifies and resumes per address in fixed windows; past it neither
    /// gets any answer (Fluxer: 300 a minute).
    std::optional<RateLimit> identify_budget{};
    /// Close 4009 after interval × this without a heartbeat.
    double heartbeat_timeout_factor = 1.5;
    /// Ask for a heartbeat (op 1) after interval × 0.9 without one, and again
    /// at every check (interval / 3) while waiting.
    bool request_heartbeats = false;
    /// A bot's READY has `guilds: []`; unavailable GUILD_CREATE stubs follow.
    bool guild_stubs_after_ready = false;
    bool upper_case_session_id = false;
    /// A client payload larger than this closes 4002 (0: the profile's cap).
    std::size_t max_payload_bytes = 0;
    /// Presence updates (op 3) beyond this are dropped without a word.
    std::optional<RateLimit> presence_limit{};

    /// Discord as documented (../shared/reference).
    static ServerBehaviour discord();
    /// Fluxer's gateway as production runs it.
    static ServerBehaviour fluxer();
    /// Fluxer's gateway before its 2026 rework (RESUMED at the client's seq,
    /// 4007 on a heartbeat below the last one).
    static ServerBehaviour fluxer_legacy();
    /// The one for a profile: discord() or fluxer().
    static ServerBehaviour for_profile(const Profile& profile);
};

struct SimConfig {
    Profile profile = profiles::discord();
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  ///< 0: any free port
    /// SO_RCVBUF of the listening socket, so of every connection (0: the
    /// system's). Small, a server that stops reading soon stalls the client's writes.
    std::size_t receive_buffer_bytes = 0;
    std::string token = "sim-token";  ///< the only token accepted; empty: any
    std::chrono::milliseconds heartbeat_interval{41250};
    /// Close 4009 when the client sent no heartbeat for interval × this.
    /// Empty: the behaviour's (Discord 1.5, Fluxer 45 s / 41.25 s).
    std::optional<double> heartbeat_timeout_factor{};
    /// Ask for a heartbeat (op 1) after interval × 0.9 without one. Empty: the behaviour's.
    std::optional<bool> request_heartbeats{};
    std::size_t replay_capacity = 4096;
    std::size_t guilds = 3;  ///< unavailable guild stubs in READY
    /// Commands per window before close 4008 (default: the profile's limit).
    std::size_t command_limit = 0;
    /// Member requests (op 8) are answered from a roster of this many members
    /// per guild (ids from 5000000000000000000, names member-0, member-1, …),
    /// in chunks of member_chunk_size members carrying the request's nonce.
    std::size_t members_per_guild = 5;
    std::size_t member_chunk_size = 1000;

    /// Sharding as this gateway sees the bot. `GET /gateway/bot` (also under
    /// /api/v10) answers with these; guild events go to the shard
    /// (guild_id >> 22) % count serves, the others to shard 0.
    std::uint32_t shards = 1;           ///< the recommended count
    std::uint32_t max_concurrency = 1;  ///< identify buckets
    /// An Identify for fewer shards is closed with 4011 (sharding required).
    std::uint32_t min_shards = 1;
    /// A bucket's next Identify sooner than this gets op 9 (0: any time).
    std::chrono::milliseconds identify_spacing{0};
    /// Empty: ServerBehaviour::for_profile(profile).
    std::optional<ServerBehaviour> behaviour{};
    std::uint32_t session_start_total = 1000;
    std::uint32_t session_start_remaining = 1000;  ///< counted down by each Identify
    std::chrono::milliseconds session_start_reset_after{std::chrono::hours(24)};
};

/// Faults and server requests, applied to every open connection.
struct Fault {
    enum class Kind {
        reconnect,               ///< op 7, then close 4000 (Fluxer) or wait for the client's close
        invalid_session,         ///< op 9 with `flag` as d
        close,                   ///< close with `code`
        withhold_acks,           ///< stop answering heartbeats (flag: true = withhold)
        stall,                   ///< send nothing at all for `duration`
        reset,                   ///< abrupt TCP reset, no close frame
        split_next,              ///< the next message goes out in `count` WebSocket messages
        corrupt_next,            ///< the next message's compressed bytes are damaged
        heartbeat_request,       ///< op 1 from the server
        unknown_opcode,          ///< a payload with opcode `code`
        garbage,                 ///< a message that is not JSON (sent through the compressor)
        withhold_member_chunks,  ///< answer member requests with their first chunk only (flag)
        swap_next,  ///< the next two dispatches leave in swapped order (Spacebar's zstd-stream)
        hold_identifies,  ///< the next `count` Identifies or Resumes get no answer, as past a
                          ///< budget
        stop_reading,     ///< read nothing (not even a Close) for `duration`, after the message
                          ///< being read
    };
    Kind kind;
    std::uint16_t code = 0;
    bool flag = true;
    std::size_t count = 2;
    std::chrono::milliseconds duration{0};
};

/// One accepted Identify: the shard it named and when it came.
struct IdentifyRecord {
    std::uint32_t shard_id = 0;
    std::uint32_t shard_count = 1;
    std::chrono::steady_clock::time_point at;
};

struct SimStats {
    std::uint64_t connections = 0;
    std::uint64_t open_connections = 0;
    std::uint64_t identifies = 0;
    std::uint64_t resumes = 0;         ///< successful
    std::uint64_t failed_resumes = 0;  ///< answered with op 9
    std::uint64_t heartbeats = 0;
    std::uint64_t dispatched = 0;  ///< events created (each has a seq)
    std::uint64_t replayed = 0;
    std::uint64_t commands = 0;             ///< ops other than 1, 2, 6
    std::uint64_t ready_sessions = 0;       ///< open connections with a live session
    std::uint64_t rejected_identifies = 0;  ///< too soon for their bucket: op 9
    std::uint64_t resume_requests = 0;      ///< Resumes received, answered or not
    std::uint64_t unanswered = 0;           ///< Identifies and Resumes held past the budget
    std::uint64_t dropped_member_requests = 0;
    std::uint64_t dropped_presences = 0;
    std::uint64_t heartbeat_requests = 0;    ///< op 1 sent by the server
    std::uint64_t last_heartbeat_seq = 0;    ///< the seq of the last heartbeat received
    std::vector<std::string> http_requests;  ///< targets of plain HTTP requests
    std::vector<std::uint16_t> client_close_codes;
    std::vector<std::uint16_t> server_close_codes;
    std::vector<std::string> hosts;              ///< Host header of each connection
    std::vector<std::string> targets;            ///< request target of each connection
    std::vector<std::string> commands_received;  ///< raw JSON of each command
    std::vector<IdentifyRecord> identify_log;    ///< every accepted Identify, in order
    std::string last_identify;                   ///< with the token replaced by "<token>"
};

class GATEWIRE_API Simulator {
  public:
    explicit Simulator(SimConfig config);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    /// Starts listening and serving on a thread of its own.
    void start();
    void stop();
    std::uint16_t port() const;
    std::string url() const;       ///< ws://127.0.0.1:PORT
    std::string http_url() const;  ///< http://127.0.0.1:PORT, for GET /gateway/bot

    /// A new event for every session; buffered for replay, sent to open ones.
    void dispatch(std::string type, std::string data_json);
    /// A dispatch whose payload is `bytes` long.
    void dispatch_oversized(std::size_t bytes);
    void fault(Fault fault);

    SimStats stats() const;
    /// Polls `predicate` until it holds or `timeout` passes.
    bool wait_until(const std::function<bool(const SimStats&)>& predicate,
                    std::chrono::milliseconds timeout) const;

    /// Plays JSON lines (dispatches and {"sim": …} directives) in order on the
    /// server's thread; see docs/simulator.md. `done` runs when it ends.
    void play(std::vector<std::string> lines, std::function<void(bool ok)> done = {});

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// The built-in scenario behind `gatewire-sim --scenario demo`: READY's guilds,
/// a few hundred messages with reactions and typing, a server-requested
/// reconnect with events missed meanwhile, and the resume that replays them.
GATEWIRE_API std::vector<std::string> demo_script(std::size_t messages = 300);

}  // namespace gatewire::sim
