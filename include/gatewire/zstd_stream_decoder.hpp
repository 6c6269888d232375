/// @file
/// zstd-stream: one zstd stream per connection with a flush after each message
/// (standalone frames per message decode too). Message boundaries come from the
/// JSON itself, so a message split across WebSocket messages is reassembled.
#pragma once

#include "gatewire/export.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "gatewire/decode_status.hpp"
#include "gatewire/json_boundary.hpp"

namespace gatewire {

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
    void reset();

  private:
    struct State;
    std::unique_ptr<State> state_;
    std::string message_;
};

}  // namespace gatewire
