/// @file
/// Turns the bytes of WebSocket messages into whole JSON messages for the
/// negotiated compression, with a bound on each message's size.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "gatewire/core/compression.hpp"
#include "gatewire/detail/zlib_stream_decoder.hpp"
#include "gatewire/detail/zstd_stream_decoder.hpp"

namespace gatewire {

class GATEWIRE_API MessageDecoder {
  public:
    MessageDecoder(Compression compression, std::size_t max_message_bytes);

    /// `bytes` is part of one WebSocket message; `message_end` is true on its last part.
    /// `bytes_to_come`: more bytes of the message known to follow (a hint, to
    /// size buffers once; never trusted past the message bound).
    DecodeStatus feed(std::span<const std::uint8_t> bytes, bool message_end,
                      std::size_t bytes_to_come = 0);
    std::string& message() noexcept;
    /// More than one message arrived in one piece: feed({}, false) yields the next.
    bool has_pending() const noexcept;
    void reset();
    Compression compression() const noexcept { return compression_; }

  private:
    /// Uncompressed: the WebSocket message is the JSON message.
    struct Plain {
        std::size_t max_bytes;
        std::string message;
        bool skipping = false;
        bool complete = false;  ///< message holds a finished message, cleared on the next feed
    };
    Compression compression_;
    std::variant<Plain, ZlibStreamDecoder, ZstdStreamDecoder> impl_;
};

}  // namespace gatewire
