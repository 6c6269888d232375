/// @file
/// Fluxer's client-to-server direction with `stream=1`: one zstd stream per
/// connection, each message flushed so the server can read it at once.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace gatewire {

class GATEWIRE_API ZstdStreamEncoder {
  public:
    explicit ZstdStreamEncoder(int level = 3);
    ~ZstdStreamEncoder();
    ZstdStreamEncoder(ZstdStreamEncoder&&) noexcept;
    ZstdStreamEncoder& operator=(ZstdStreamEncoder&&) noexcept;

    /// Compress one message; the result is one WebSocket binary message.
    std::string encode(std::string_view message);
    void reset();

  private:
    struct State;
    int level_;
    std::unique_ptr<State> state_;  // made by the first encode()
};

}  // namespace gatewire
