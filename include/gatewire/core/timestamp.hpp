/// @file
/// Points in time as std::chrono values, read from ISO 8601 text or Unix numbers.
#pragma once

#include "gatewire/core/export.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatewire {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// "2021-06-01T12:30:45.123456+00:00", "…Z", with or without fraction and
/// offset; nullopt for anything else.
GATEWIRE_API std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;

/// A Unix time number as the gateways send it: seconds (Discord's TYPING_START)
/// or milliseconds (Fluxer's). Values from year 0 to 5000 in seconds are read
/// as seconds, all others as milliseconds; the two ranges do not overlap for
/// any real date. nullopt when the milliseconds do not fit a Timestamp.
GATEWIRE_API std::optional<Timestamp> timestamp_from_unix(std::int64_t number) noexcept;

/// Whether `t` lies in years 0000-9999 (UTC), the range the text form carries
/// and parse_timestamp reads back.
GATEWIRE_API bool has_text_form(Timestamp t) noexcept;

/// ISO 8601 in UTC with microseconds: "2021-06-01T12:30:45.123456+00:00".
/// Only for a `t` that has_text_form(); others are clamped to that range.
GATEWIRE_API std::string format_timestamp(Timestamp t);

/// `t` as Unix milliseconds (rounded towards the past).
GATEWIRE_API std::int64_t unix_milliseconds(Timestamp t) noexcept;

}  // namespace gatewire
