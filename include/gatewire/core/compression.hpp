/// @file
/// Transport compression modes a gateway connection can negotiate.
#pragma once

#include "gatewire/core/export.hpp"

#include <optional>
#include <string_view>

namespace gatewire {

enum class Compression { none, zlib_stream, zstd_stream };

/// The query-string spelling: "none", "zlib-stream", "zstd-stream".
GATEWIRE_API std::string_view to_string(Compression c) noexcept;
GATEWIRE_API std::optional<Compression> parse_compression(std::string_view text) noexcept;

}  // namespace gatewire
