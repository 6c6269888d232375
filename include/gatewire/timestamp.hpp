/// @file
/// Points in time as std::chrono values, read from ISO 8601 text or Unix numbers.
#pragma once

#include "gatewire/export.hpp"

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
/// or milliseconds (Fluxer's). Values past year 5000 in seconds are taken as
/// milliseconds; the two ranges do not overlap for any real date.
GATEWIRE_API Timestamp timestamp_from_unix(std::int64_t number) noexcept;

/// ISO 8601 in UTC with microseconds: "2021-06-01T12:30:45.123456+00:00".
GATEWIRE_API std::string format_timestamp(Timestamp t);

}  // namespace gatewire
