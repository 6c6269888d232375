/// @file
/// zstd-stream: one zstd stream per connection with a flush after each message
/// (standalone frames per message decode too). Message boundaries come from the
/// JSON itself, so a message split across WebSocket messages is reassembled.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "gatewire/detail/decode_status.hpp"
#include "gatewire/detail/json_boundary.hpp"

namespace gatewire {

/// Every message is bounded by `max_message_bytes`, whether it is decoded from
/// the stream or from bytes decoded past the previous message's end, and the
/// decoder holds at most one message, one decompression chunk (128 KiB) and
/// the compressed bytes of one WebSocket message.
class GATEWIRE_API ZstdStreamDecoder {
  public:
    explicit ZstdStreamDecoder(std::size_t max_message_bytes);
    ~ZstdStreamDecoder();
    ZstdStreamDecoder(ZstdStreamDecoder&&) noexcept;
    ZstdStreamDecoder& operator=(ZstdStreamDecoder&&) noexcept;

    DecodeStatus feed(std::span<const std::uint8_t> bytes);
    std::string& message() noexcept { return message_; }
    /// Bytes past the last message are waiting: feed({}) may complete another.
    bool has_pending() const noexcept;
    /// What the decoder holds now, in bytes (buffers' capacity).
    std::size_t buffered_bytes() const noexcept;
    void reset();

  private:
    struct State;
    // Decodes from `data` until a message ends; `consumed` says how far it read.
    DecodeStatus decode(const std::uint8_t* data, std::size_t size, std::size_t& consumed);
    DecodeStatus finish(std::size_t end);
    void keep_carry(std::string_view rest);
    std::unique_ptr<State> state_;
    std::string message_;
};

}  // namespace gatewire
