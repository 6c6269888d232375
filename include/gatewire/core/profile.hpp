/// @file
/// A gateway dialect as data: Discord and Fluxer differ in values, not code paths.
#pragma once

#include "gatewire/core/export.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatewire/core/close_code.hpp"
#include "gatewire/core/compression.hpp"
#include "gatewire/core/rate_limit.hpp"

namespace gatewire {

struct GATEWIRE_API Profile {
    std::string name;  ///< "discord" or "fluxer"
    int api_version;
    std::string default_url;
    std::vector<Compression> compressions;  ///< what the server offers
    Compression default_compression;
    /// Fluxer's `stream=1`: the client compresses what it sends with one zstd stream.
    bool compresses_client_messages_with_zstd;
    bool names_no_compression;    ///< Fluxer wants `compress=none`; Discord wants no parameter
    bool uses_intents;            ///< Discord requires `intents` in Identify
    bool has_resume_gateway_url;  ///< READY carries the URL to resume on (Discord)
    /// Op 9 false: Fluxer keeps the socket open for a new Identify; Discord wants a new socket.
    bool invalid_session_keeps_socket;
    std::vector<CloseRule> close_rules;
    RateLimit command_limit;
    std::size_t heartbeat_reserve;  ///< commands of the window kept for heartbeats
    std::optional<RateLimit> presence_limit;
    std::size_t max_command_bytes;
    /// The command opcodes the server accepts besides heartbeat, identify and resume.
    std::vector<int> command_opcodes;
    /// Identifies allowed per window from one address (Fluxer: 300 per 60 s
    /// per IP); Discord counts buckets and a daily budget instead.
    std::optional<RateLimit> identify_limit;
    /// Resumes count against `identify_limit` as well (Fluxer).
    bool identify_limit_counts_resumes = false;
    /// Past its identify budget the server holds an Identify or Resume without
    /// an answer (Fluxer): no READY or RESUMED within this long is taken as the
    /// budget being spent, and the next try waits for a new window.
    std::optional<std::chrono::milliseconds> unanswered_identify_after{};
    /// Member requests (op 8) the server works on at once; more are queued
    /// here, since the server would drop them (Fluxer: one). Empty: no limit.
    std::optional<std::size_t> member_request_concurrency{};

    bool offers(Compression c) const noexcept;
    bool accepts_command(int opcode) const noexcept;
    /// The rule for a close code; unknown codes resume (only listed codes are fatal).
    CloseRule close_rule(std::uint16_t code) const noexcept;
    /// The full connection URL for a base URL: scheme, host, optional port and path,
    /// with the query built here (an existing query on `base` is replaced).
    std::string gateway_url(std::string_view base, Compression compression) const;
};

namespace profiles {
GATEWIRE_API const Profile& discord();
GATEWIRE_API const Profile& fluxer();
/// A copy of the profile of this name ("discord", "fluxer"), or none.
GATEWIRE_API std::optional<Profile> find(std::string_view name);
}  // namespace profiles

}  // namespace gatewire
