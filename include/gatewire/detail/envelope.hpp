/// @file
/// The gateway envelope {op, d, s, t}, read without decoding `d`.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace gatewire {

struct Envelope {
    int op = -1;
    std::optional<std::uint64_t> seq;  ///< `s`, on dispatches
    std::string_view type;             ///< `t`, on dispatches; empty otherwise
    std::string_view data;             ///< `d` as raw JSON text; empty when absent
};

/// Reads op, s and t and locates d in `message`, which must have
/// message_padding bytes of spare capacity. Views point into `message`.
GATEWIRE_API std::error_code peek_envelope(const std::string& message, Envelope& out);

}  // namespace gatewire
