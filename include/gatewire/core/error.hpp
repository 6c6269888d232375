/// @file
/// Errors gatewire reports that are not gateway close codes.
#pragma once

#include "gatewire/core/export.hpp"

#include <string>
#include <system_error>

namespace gatewire {

enum class errc {
    decompression_failed = 1,  ///< the compressed stream is corrupt; the connection is replaced
    message_too_large,         ///< a message exceeded the configured bound and was skipped
    invalid_payload,           ///< a message was not a JSON gateway envelope
    command_too_large,         ///< an outgoing command exceeded the gateway's byte cap; not sent
    not_connected,             ///< a command was sent while the shard is stopped or failed
    invalid_url,               ///< a gateway URL could not be parsed
    unsupported_compression,   ///< the profile does not offer that compression
    connect_timeout,           ///< TCP/TLS/WebSocket setup did not finish in time
    stopped,                   ///< the shard was stopped by its owner
    unsupported_command,       ///< the profile's gateway does not take this command
    invalid_command,           ///< a command breaks the gateway's rules (a limit, a nonce's size)
    request_timed_out,         ///< not every reply to a request arrived before its deadline
    store_unavailable,         ///< a shared identify queue or session store did not answer
    http_status,               ///< an HTTP request was answered with an error status
    invalid_response,          ///< an HTTP answer was not the JSON expected
    identify_rate_limited,     ///< Identify or Resume went unanswered: the budget is spent
    events_missed,             ///< seqs of the session never arrived (not replayed by the server)
    stale_dispatch,            ///< a dispatch of a session already given up was dropped
    decode_warning,            ///< a field was unreadable and left empty; the event went on
    insecure_url,              ///< cleartext ws:// or http:// to a host not on loopback, refused
    queue_full,                ///< a bounded queue is full; what was offered was refused
    session_owned_opcode,  ///< Identify, Resume and Heartbeat are the session's to send; refused
    wait_timed_out,        ///< no event the waiter wanted came before its timeout
};

GATEWIRE_API const std::error_category& gateway_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), gateway_category()};
}

}  // namespace gatewire

namespace std {
template <>
struct is_error_code_enum<gatewire::errc> : true_type {};
}  // namespace std
