/// @file
/// Decoding a dispatch's `d` into its event struct, and encoding a struct back
/// to JSON from its own fields. Unknown fields are ignored. Decoding bends
/// where servers differ: a field of the wrong type or shape is left empty and
/// reported as a warning with its path, and the event is still delivered;
/// numeric strings are read where integers are due, integers where snowflakes
/// are. An object without its `id` is reported too. With `strict`, any of
/// these fails the event instead.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gatewire/events/all.hpp"
#include "gatewire/events/raw_event.hpp"

namespace gatewire {

struct GATEWIRE_API DecodeError {
    std::string event;      ///< "MESSAGE_CREATE"
    std::uint64_t seq = 0;  ///< 0 when decoded outside a session
    std::string path;       ///< "mentions[2].id"; empty for the payload itself
    std::string message;    ///< "expected a string, got a number"
    /// Only that field was lost: the event was decoded and delivered without it.
    bool warning = false;

    /// "MESSAGE_CREATE (seq 12) at mentions[2].id: expected a string, got a number"
    std::string to_string() const;
};

struct DecodeOptions {
    /// Any field that cannot be read fails the whole event (no warnings).
    bool strict = false;
    /// What one event may allocate while decoding (its lists, maps and long
    /// strings), as a multiple of its JSON's size, but at least
    /// `min_budget_bytes`. Past it the event fails to decode, with an error
    /// naming the field (the raw event is still delivered). The largest real
    /// payload in the tests (a 2.8 MB GUILD_CREATE) takes 5 times its size; a
    /// payload of empty objects can take 600. 0: no budget.
    std::size_t max_expansion = 32;
    std::size_t min_budget_bytes = 1 << 20;
};

/// `d` as JSON text. Returns false and fills `error` (when given) when the
/// event could not be decoded; `out` is then partly filled and should not be
/// used. Fields left empty are added to `warnings` (when given).
template <Event E>
GATEWIRE_API bool decode(std::string_view d_json, E& out, DecodeError* error = nullptr,
                         const DecodeOptions& options = {},
                         std::vector<DecodeError>* warnings = nullptr);

/// The event's own `d`, without copying: the shard's buffers keep the padding
/// the parser needs.
template <Event E>
GATEWIRE_API bool decode(const RawEvent& event, E& out, DecodeError* error = nullptr,
                         const DecodeOptions& options = {},
                         std::vector<DecodeError>* warnings = nullptr);

/// Compact JSON built from the struct's fields: absent optionals are left out,
/// Nullable nulls are written as null, secrets as "[redacted]".
template <Event E>
GATEWIRE_API std::string encode_json(const E& event);

/// The same, for any event by its runtime type: decodes `d` and re-encodes it.
GATEWIRE_API bool decode_to_json(EventType type, std::string_view d_json, std::string& out,
                                 DecodeError* error = nullptr, const DecodeOptions& options = {},
                                 std::vector<DecodeError>* warnings = nullptr);

}  // namespace gatewire
