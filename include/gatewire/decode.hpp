/// @file
/// Decoding a dispatch's `d` into its event struct, and encoding a struct back
/// to JSON from its own fields. Unknown fields are ignored; a field of the
/// wrong type fails the event with the field's path, never the session.
#pragma once

#include "gatewire/export.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include "gatewire/events.hpp"
#include "gatewire/raw_event.hpp"

namespace gatewire {

struct GATEWIRE_API DecodeError {
    std::string event;      ///< "MESSAGE_CREATE"
    std::uint64_t seq = 0;  ///< 0 when decoded outside a session
    std::string path;       ///< "mentions[2].id"; empty for the payload itself
    std::string message;    ///< "expected a string, got a number"

    /// "MESSAGE_CREATE (seq 12) at mentions[2].id: expected a string, got a number"
    std::string to_string() const;
};

/// `d` as JSON text. Returns false and fills `error` (when given) on failure;
/// `out` is then partly filled and should not be used.
template <Event E>
GATEWIRE_API bool decode(std::string_view d_json, E& out, DecodeError* error = nullptr);

/// The event's own `d`, without copying: the shard's buffers keep the padding
/// the parser needs.
template <Event E>
GATEWIRE_API bool decode(const RawEvent& event, E& out, DecodeError* error = nullptr);

/// Compact JSON built from the struct's fields: absent optionals are left out,
/// Nullable nulls are written as null, secrets as "[redacted]".
template <Event E>
GATEWIRE_API std::string encode_json(const E& event);

/// The same, for any event by its runtime type: decodes `d` and re-encodes it.
GATEWIRE_API bool decode_to_json(EventType type, std::string_view d_json, std::string& out,
                                 DecodeError* error = nullptr);

}  // namespace gatewire
