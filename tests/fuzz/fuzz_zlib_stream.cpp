// zlib-stream against zlib itself. The input is taken twice: as a compressed
// stream cut at each 00 00 FF FF (arbitrary bytes), and as messages that zlib
// compresses with a flush each, then a few bits flipped. Whatever gatewire's
// inflater makes of a message, zlib must make the same; a message zlib reads
// within the bound, gatewire must read too.
#include <zlib.h>

#include <array>

#include "../support/zlib_reference.hpp"
#include "fuzz_check.hpp"
#include "gatewire/detail/zlib_stream_decoder.hpp"

using namespace gatewire;
using namespace gatewire::fuzz;

namespace {

constexpr std::size_t bound = 256 * 1024;

void compare(const std::vector<Bytes>& pieces) {
    z_stream reference{};
    inflateInit(&reference);
    inflateValidate(&reference, 0);  // a live stream never sends its trailer
    ZlibStreamDecoder decoder(bound);
    for (Bytes piece : pieces) {
        std::string expected;
        bool zlib_reads = test::reference_inflate(reference, piece, expected, 2 * bound);
        // In two parts, the first with the rest announced as a frame header
        // would: the decoder sizes its buffer from that.
        std::size_t half = piece.size() / 2;
        DecodeStatus status = decoder.feed(piece.first(half), false, piece.size() - half);
        if (status != DecodeStatus::corrupt) {
            FUZZ_CHECK(status == DecodeStatus::incomplete);  // not a WebSocket message's end
            status = decoder.feed(piece.subspan(half));
        }
        if (tracing()) {
            std::fprintf(stderr, "piece of %zu: status %d, zlib %s %zu bytes\n", piece.size(),
                         static_cast<int>(status), zlib_reads ? "reads" : "refuses",
                         expected.size());
        }
        bool whole = piece.size() >= 4 && piece[piece.size() - 4] == 0 &&
                     piece[piece.size() - 3] == 0 && piece[piece.size() - 2] == 0xFF &&
                     piece[piece.size() - 1] == 0xFF;
        if (!whole) {
            FUZZ_CHECK(status == DecodeStatus::incomplete || status == DecodeStatus::corrupt);
            break;  // the last piece: zlib's output so far is not a message
        }
        if (status == DecodeStatus::corrupt) {
            FUZZ_CHECK(decoder.feed(piece) == DecodeStatus::corrupt);  // stays refused
            FUZZ_CHECK(!zlib_reads || expected.size() > bound);
            break;
        }
        FUZZ_CHECK(zlib_reads);
        if (status == DecodeStatus::too_large) {
            FUZZ_CHECK(expected.size() > bound);
            break;  // zlib's copy of the stream is no longer in step with ours
        }
        FUZZ_CHECK(status == DecodeStatus::complete);
        FUZZ_CHECK(decoder.message() == expected);
        FUZZ_CHECK(decoder.message().capacity() >= decoder.message().size() + message_padding);
    }
    inflateEnd(&reference);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes input{data, size};
    compare(split_after(input, std::string_view("\0\0\xFF\xFF", 4)));

    if (size == 0) {
        return 0;
    }
    Choices choose(input);
    z_stream deflater{};
    int level = data[0] % 10;
    int window_bits = 9 + data[0] / 10 % 7;
    int strategy = data[0] / 70 % 5;  // default, filtered, huffman only, RLE, fixed
    if (deflateInit2(&deflater, level, Z_DEFLATED, window_bits, 8, strategy) != Z_OK) {
        return 0;
    }
    std::vector<std::vector<std::uint8_t>> written;
    for (Bytes message : split_after(input.subspan(1), "\n")) {
        written.push_back(test::deflate_sync(deflater, text_of(message)));
    }
    deflateEnd(&deflater);
    std::size_t flips = choose.below(4);
    for (std::size_t i = 0; i < flips && !written.empty(); ++i) {
        auto& piece = written[choose.below(written.size())];
        if (piece.size() > 4) {
            piece[choose.below(piece.size() - 4)] ^=
                static_cast<std::uint8_t>(1u << choose.below(8));
        }
    }
    std::vector<Bytes> pieces(written.begin(), written.end());
    compare(pieces);
    return 0;
}
