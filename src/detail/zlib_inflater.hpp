// Inflates a zlib stream (RFC 1950 around RFC 1951) that arrives as flushed
// pieces, as Discord's zlib-stream sends it: every piece ends on a block
// boundary (a sync flush), so a piece is decoded whole, in one pass, with no
// state kept inside a block. Later pieces refer back into the 32 KiB of output
// before them, so that history stays in the buffer in front of each piece.
//
// Written for small pieces: a sync-flushed gateway message is a few hundred
// bytes, often with Huffman tables of its own, so starting a call and
// building tables must be cheap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace gatewire::detail {

class ZlibInflater {
  public:
    /// Readable bytes a piece must have after its end (they are read, never used).
    static constexpr std::size_t input_padding = 16;

    enum class Result {
        complete,   ///< output() holds the piece
        too_large,  ///< the piece inflated to more than the limit; the stream stays in step
        corrupt,    ///< not valid zlib data: the stream cannot go on
    };

    explicit ZlibInflater(std::size_t max_output);
    ~ZlibInflater();
    ZlibInflater(ZlibInflater&&) noexcept;
    ZlibInflater& operator=(ZlibInflater&&) noexcept;

    /// Inflates one whole piece, followed in memory by input_padding readable bytes.
    Result inflate(std::span<const std::uint8_t> piece);
    /// What the last complete inflate() produced; valid until the next call.
    std::string_view output() const noexcept;
    std::size_t max_output() const noexcept;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace gatewire::detail
