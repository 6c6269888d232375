// zlib itself, as the reference gatewire's zlib-stream decoder is held to:
// compressing a message with a flush, and reading a piece of a stream.
#pragma once

#include <zlib.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gatewire::test {

// One message as a server writes it: compressed, then flushed (00 00 FF FF).
inline std::vector<std::uint8_t> deflate_sync(z_stream& stream, std::string_view text) {
    std::vector<std::uint8_t> out(text.size() + 1024);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream.avail_in = static_cast<uInt>(text.size());
    std::size_t written = 0;
    do {
        if (out.size() - written < 64) {
            out.resize(out.size() * 2);
        }
        stream.next_out = out.data() + written;
        stream.avail_out = static_cast<uInt>(out.size() - written);
        deflate(&stream, Z_SYNC_FLUSH);
        written = out.size() - stream.avail_out;
    } while (stream.avail_out == 0);
    out.resize(written);
    return out;
}

// zlib's reading of one piece, one context for the stream. False where zlib
// finds the data corrupt, and where the piece does not end at a block's end
// on a byte boundary: a flushed message always does, and gatewire decodes a
// message whole, so it refuses what zlib would wait on for more bits. `out`
// stops growing once past `limit`.
inline bool reference_inflate(z_stream& stream, std::span<const std::uint8_t> piece,
                              std::string& out,
                              std::size_t limit = std::numeric_limits<std::size_t>::max()) {
    out.clear();
    bool at_boundary = false;
    stream.next_in = const_cast<Bytef*>(piece.data());
    stream.avail_in = static_cast<uInt>(piece.size());
    std::array<char, 16 * 1024> chunk;
    while (stream.avail_in > 0) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
        stream.avail_out = static_cast<uInt>(chunk.size());
        int rc = inflate(&stream, Z_SYNC_FLUSH);
        out.append(chunk.data(), chunk.size() - stream.avail_out);
        if (out.size() > limit) {
            return true;  // past the limit: its bytes no longer matter
        }
        // 128: just after a block's end; the low bits: bits left unused.
        at_boundary =
            rc == Z_STREAM_END || ((stream.data_type & 128) != 0 && (stream.data_type & 7) == 0);
        if (rc == Z_STREAM_END) {
            inflateReset(&stream);
        } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && stream.avail_out < chunk.size())) {
            return false;
        }
    }
    return at_boundary;
}

}  // namespace gatewire::test
