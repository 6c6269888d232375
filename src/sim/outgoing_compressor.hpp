// What the simulator sends, compressed as the connection asked.
#pragma once

#include <zlib.h>
#include <zstd.h>

#include <string>

#include "gatewire/core/compression.hpp"

namespace gatewire::sim::detail {

// One outgoing compressed stream per connection.
class OutgoingCompressor {
  public:
    explicit OutgoingCompressor(Compression c);
    ~OutgoingCompressor() {
        if (compression_ == Compression::zlib_stream) {
            deflateEnd(&zlib_);
        }
        ZSTD_freeCCtx(zstd_);
    }
    OutgoingCompressor(const OutgoingCompressor&) = delete;
    OutgoingCompressor& operator=(const OutgoingCompressor&) = delete;

    std::string compress(const std::string& text);

  private:
    Compression compression_;
    z_stream zlib_{};
    ZSTD_CCtx* zstd_ = nullptr;
};

}  // namespace gatewire::sim::detail
