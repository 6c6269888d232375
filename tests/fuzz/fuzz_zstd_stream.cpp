// zstd-stream: arbitrary bytes as a stream, and messages compressed by a real
// zstd stream with several messages to a flush. Invariants: every message
// comes out whole and in order, or is refused as too large at its place; no
// message and no buffer outgrows the bound; draining a flush ends.
#include <algorithm>

#include "fuzz_check.hpp"
#include "gatewire/detail/zstd_stream_decoder.hpp"
#include "gatewire/detail/zstd_stream_encoder.hpp"

using namespace gatewire;
using namespace gatewire::fuzz;

namespace {

constexpr std::size_t bound = 64 * 1024;

struct Outcome {
    std::vector<DecodeStatus> statuses;
    std::vector<std::string> messages;
};

void drain(ZstdStreamDecoder& decoder, Bytes frame, std::size_t fed, Outcome& out) {
    DecodeStatus status = decoder.feed(frame);
    // A flush holds at most as many messages as it has decoded bytes; more
    // turns would mean the drain does not end.
    for (std::size_t turns = 0;; ++turns) {
        FUZZ_CHECK(turns < 1000000);
        // The bound, one decompression chunk and the compressed input.
        FUZZ_CHECK(decoder.buffered_bytes() <= 2 * bound + 256 * 1024 + 2 * fed);
        out.statuses.push_back(status);
        if (status == DecodeStatus::complete) {
            FUZZ_CHECK(decoder.message().size() <= bound);
            out.messages.push_back(decoder.message());
        }
        if (status == DecodeStatus::corrupt) {
            FUZZ_CHECK(!decoder.has_pending());
            return;
        }
        if (!decoder.has_pending()) {
            return;
        }
        status = decoder.feed({});
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes input{data, size};
    {
        ZstdStreamDecoder decoder(bound);
        Outcome out;
        std::size_t fed = 0;
        for (Bytes piece : split_after(input, "\xff\xfe")) {
            fed += piece.size();
            drain(decoder, piece, fed, out);
        }
    }
    if (size == 0) {
        return 0;
    }
    // Messages are JSON strings (the boundary is found from the JSON); a '\n'
    // ends a message, a '\t' ends a flush. A message of 'x's may be made large.
    std::vector<std::vector<std::string>> flushes(1);
    std::vector<std::string> sent;
    std::string text;
    auto end_message = [&] {
        std::string message = "[\"" + text + "\"]";
        if (!text.empty() && text[0] == 'x') {
            message =
                "[\"" + std::string(std::min<std::size_t>(text.size(), 64) * 4096, 'x') + "\"]";
        }
        flushes.back().push_back(message);
        sent.push_back(message);
        text.clear();
    };
    for (std::uint8_t b : input.subspan(1)) {
        if (b == '\n') {
            end_message();
        } else if (b == '\t') {
            end_message();
            flushes.emplace_back();
        } else if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
            text += static_cast<char>(b);
        }
    }
    end_message();
    ZstdStreamEncoder encoder(1 + data[0] % 5);
    ZstdStreamDecoder decoder(bound);
    Outcome out;
    std::size_t fed = 0;
    Choices choose(input);
    for (const auto& flush : flushes) {
        std::string joined;
        for (const auto& message : flush) {
            joined += message;
        }
        std::string frame = encoder.encode(joined);
        Bytes bytes{reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()};
        std::size_t cut = choose.below(bytes.size() + 1);  // a WebSocket message in two parts
        fed += bytes.size();
        drain(decoder, bytes.first(cut), fed, out);
        drain(decoder, bytes.subspan(cut), fed, out);
    }
    std::vector<std::string> expected;
    std::size_t refused = 0;
    for (const auto& message : sent) {
        if (message.size() > bound) {
            ++refused;
        } else {
            expected.push_back(message);
        }
    }
    FUZZ_CHECK(out.messages == expected);
    FUZZ_CHECK(static_cast<std::size_t>(std::count(out.statuses.begin(), out.statuses.end(),
                                                   DecodeStatus::too_large)) == refused);
    return 0;
}
