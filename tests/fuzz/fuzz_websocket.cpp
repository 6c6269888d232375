// The server's WebSocket frames, as the connection reads them: the input is
// the byte stream, read once whole and once in slices the input chooses (a
// read may end anywhere, inside a header or a control frame). Both readings
// must agree on every message, ping, close and violation; no piece may take
// more bytes than it was given, or hand on more payload than the frame holds.
#include <optional>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "gatewire/detail/websocket_frames.hpp"

using namespace gatewire;
using namespace gatewire::fuzz;

namespace {

struct Reading {
    std::vector<std::string> seen;  // "m:" message, "p:" ping, "o" pong, "c:" close, "!" violation
    bool broken = false;
};

void take(WebSocketPiece& piece, std::string& message, Reading& reading) {
    using Kind = WebSocketPiece::Kind;
    switch (piece.kind) {
        case Kind::data:
            message += text_of(piece.payload);
            if (piece.message_end) {
                reading.seen.push_back("m:" + message);
                message.clear();
            }
            break;
        case Kind::ping:
            FUZZ_CHECK(piece.payload.size() <= 125);
            reading.seen.push_back("p:" + std::string(text_of(piece.payload)));
            break;
        case Kind::pong:
            reading.seen.emplace_back("o");
            break;
        case Kind::close:
            reading.seen.push_back("c:" + std::to_string(piece.close_code.value_or(0)) + ":" +
                                   std::string(piece.close_reason));
            break;
        case Kind::violation:
            FUZZ_CHECK(!piece.problem.empty());
            reading.seen.emplace_back("!");
            reading.broken = true;
            break;
        case Kind::need_more:
            break;
    }
}

Reading read(Bytes wire, Choices* slices) {
    WebSocketFrameReader reader;
    Reading reading;
    std::string message;
    std::vector<std::uint8_t> pending;
    std::size_t at = 0;
    while (at < wire.size() && !reading.broken) {
        std::size_t step = slices ? 1 + slices->below(300) : wire.size();
        std::size_t end = std::min(wire.size(), at + step);
        pending.insert(pending.end(), wire.begin() + static_cast<std::ptrdiff_t>(at),
                       wire.begin() + static_cast<std::ptrdiff_t>(end));
        at = end;
        std::size_t used = 0;
        while (!reading.broken) {
            Bytes left = Bytes(pending).subspan(used);
            WebSocketPiece piece = reader.next(left);
            FUZZ_CHECK(piece.used <= left.size());
            if (piece.kind == WebSocketPiece::Kind::need_more) {
                FUZZ_CHECK(piece.used == 0);
                break;
            }
            FUZZ_CHECK(piece.used > 0 || piece.kind == WebSocketPiece::Kind::violation);
            FUZZ_CHECK(piece.payload.size() <= piece.used);
            take(piece, message, reading);
            used += piece.used;
        }
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(used));
        // What is kept between reads is a header or a control frame at most.
        FUZZ_CHECK(reading.broken || pending.size() <= 2 + 125);
    }
    return reading;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes wire(data, size);
    Reading whole = read(wire, nullptr);
    Choices choices(wire);
    Reading sliced = read(wire, &choices);
    if (tracing()) {
        std::fprintf(stderr, "whole: %zu pieces%s; sliced: %zu%s\n", whole.seen.size(),
                     whole.broken ? " then broken" : "", sliced.seen.size(),
                     sliced.broken ? " then broken" : "");
    }
    // A violation found whole may be found sliced only once its bytes are in.
    FUZZ_CHECK(whole.broken == sliced.broken);
    FUZZ_CHECK(whole.seen == sliced.seen);
    return 0;
}
