/// @file
/// Discord's zlib-stream: one inflate context for the whole connection; a
/// message ends where the compressed bytes end in 00 00 FF FF, possibly after
/// several WebSocket messages.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "gatewire/detail/decode_status.hpp"

namespace gatewire {

class GATEWIRE_API ZlibStreamDecoder {
  public:
    explicit ZlibStreamDecoder(std::size_t max_message_bytes);
    ~ZlibStreamDecoder();
    ZlibStreamDecoder(ZlibStreamDecoder&&) noexcept;
    ZlibStreamDecoder& operator=(ZlibStreamDecoder&&) noexcept;

    /// `bytes` is part of a WebSocket message, its last part when
    /// `message_end`: a message ends where a WebSocket message ends in
    /// 00 00 FF FF, never where a read happened to stop after those bytes.
    /// `bytes_to_come`: compressed bytes known to follow (a hint for the buffer's size).
    DecodeStatus feed(std::span<const std::uint8_t> bytes, bool message_end = true,
                      std::size_t bytes_to_come = 0);
    /// The last complete message, with message_padding spare capacity.
    std::string& message() noexcept { return message_; }
    /// Forget the stream: for a new connection.
    void reset();

  private:
    struct State;
    std::unique_ptr<State> state_;
    std::string message_;
};

}  // namespace gatewire
