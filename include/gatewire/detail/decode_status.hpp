/// @file
/// The outcome of feeding bytes to a stream decoder.
#pragma once

#include <cstddef>

namespace gatewire {

enum class DecodeStatus {
    incomplete,  ///< more bytes are needed to finish the current message
    complete,    ///< message() holds one whole message
    too_large,   ///< the message went past the bound; it was skipped, the stream stays usable
    corrupt,     ///< the stream is broken; only reset() recovers it
};

/// simdjson reads up to this many bytes past a message's end, so every decoded
/// message keeps this much spare capacity behind it.
inline constexpr std::size_t message_padding = 64;

}  // namespace gatewire
