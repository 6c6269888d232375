// WebSocket framing (RFC 6455): the server's frames read whole and byte by
// byte, every violation refused, the client's frames masked, the handshake's
// key and answer as the RFC's own examples give them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "gatewire/detail/websocket_frames.hpp"

namespace websocket_frame_tests {

using namespace gatewire;
using Kind = WebSocketPiece::Kind;
using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::initializer_list<int> values) {
    Bytes out;
    for (int v : values) {
        out.push_back(static_cast<std::uint8_t>(v));
    }
    return out;
}

Bytes server_frame(int first_byte, const std::string& payload) {
    Bytes out{static_cast<std::uint8_t>(first_byte)};
    std::size_t size = payload.size();
    if (size < 126) {
        out.push_back(static_cast<std::uint8_t>(size));
    } else if (size <= 0xFFFF) {
        out.push_back(126);
        out.push_back(static_cast<std::uint8_t>(size >> 8));
        out.push_back(static_cast<std::uint8_t>(size));
    } else {
        out.push_back(127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(size) >> shift));
        }
    }
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

std::string text(std::span<const std::uint8_t> bytes) {
    return {bytes.begin(), bytes.end()};
}

struct Read {
    std::vector<std::string> messages;  // data joined up to each message's end
    std::vector<std::string> pings;
    std::vector<std::optional<std::uint16_t>> closes;
    std::string problem;
    std::size_t pieces = 0;
};

// Feeds `wire` in slices of `step` bytes, keeping what the reader leaves, as
// the connection does between reads.
Read read_all(const Bytes& wire, std::size_t step) {
    WebSocketFrameReader reader;
    Read read;
    std::string message;
    Bytes pending;
    for (std::size_t at = 0; at < wire.size() && read.problem.empty(); at += step) {
        auto end = wire.begin() + static_cast<std::ptrdiff_t>(std::min(wire.size(), at + step));
        pending.insert(pending.end(), wire.begin() + static_cast<std::ptrdiff_t>(at), end);
        std::size_t used = 0;
        for (;;) {
            WebSocketPiece piece =
                reader.next(std::span<const std::uint8_t>(pending).subspan(used));
            if (piece.kind == Kind::need_more) {
                break;
            }
            used += piece.used;
            ++read.pieces;
            if (piece.kind == Kind::data) {
                message += text(piece.payload);
                if (piece.message_end) {
                    read.messages.push_back(message);
                    message.clear();
                }
            } else if (piece.kind == Kind::ping) {
                read.pings.push_back(text(piece.payload));
            } else if (piece.kind == Kind::close) {
                read.closes.push_back(piece.close_code);
            } else if (piece.kind == Kind::violation) {
                read.problem = std::string(piece.problem);
                break;
            }
        }
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(used));
    }
    return read;
}

Bytes join(std::initializer_list<Bytes> frames) {
    Bytes out;
    for (const Bytes& f : frames) {
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

TEST_CASE("the server's frames are read alike whole and byte by byte") {
    std::string big(70000, 'g');
    std::string medium(300, 'm');
    Bytes wire = join({
        bytes_of({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}),    // RFC 6455 5.7: unmasked "Hello"
        bytes_of({0x01, 0x03, 'H', 'e', 'l'}),              // a fragmented "Hello"...
        bytes_of({0x89, 0x05, 'H', 'e', 'l', 'l', 'o'}),    // ...a ping between its frames...
        bytes_of({0x80, 0x02, 'l', 'o'}),                   // ...and its end
        server_frame(0x82, medium),                         // 16-bit length
        server_frame(0x82, big),                            // 64-bit length
        server_frame(0x81, ""),                             // an empty message
        bytes_of({0x88, 0x05, 0x03, 0xE8, 'b', 'y', 'e'}),  // close 1000 "bye"
    });
    for (std::size_t step : {wire.size(), std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
        INFO("slices of " << step);
        Read read = read_all(wire, step);
        CHECK(read.problem.empty());
        REQUIRE(read.messages.size() == 5);
        CHECK(read.messages[0] == "Hello");
        CHECK(read.messages[1] == "Hello");
        CHECK(read.messages[2] == medium);
        CHECK(read.messages[3] == big);
        CHECK(read.messages[4].empty());
        CHECK(read.pings == std::vector<std::string>{"Hello"});
        REQUIRE(read.closes.size() == 1);
        CHECK(read.closes[0] == 1000);
    }
}

TEST_CASE("a data frame is handed on as its bytes arrive, never held whole") {
    std::string big(100000, 'x');
    Bytes wire = server_frame(0x82, big);
    WebSocketFrameReader reader;
    // The header and the first 10 bytes of payload.
    auto first = reader.next(std::span<const std::uint8_t>(wire).first(10 + 10));
    CHECK(first.kind == Kind::data);
    CHECK(first.used == 20);
    CHECK(first.payload.size() == 10);
    CHECK(first.frame_left == big.size() - 10);  // as the header announced
    CHECK_FALSE(first.message_end);
    CHECK(reader.inside_message());
    auto rest = reader.next(std::span<const std::uint8_t>(wire).subspan(20));
    CHECK(rest.payload.size() == big.size() - 10);
    CHECK(rest.frame_left == 0);
    CHECK(rest.message_end);
    CHECK_FALSE(reader.inside_message());
}

TEST_CASE("a close frame's code and reason, or none") {
    WebSocketFrameReader reader;
    Bytes empty = bytes_of({0x88, 0x00});
    auto none = reader.next(empty);
    CHECK(none.kind == Kind::close);
    CHECK_FALSE(none.close_code);
    Bytes coded = bytes_of({0x88, 0x04, 0x0F, 0xA4, 'n', 'o'});  // 4004
    auto code = WebSocketFrameReader{}.next(coded);
    CHECK(code.close_code == 4004);
    CHECK(code.close_reason == "no");
}

TEST_CASE("every violation of the framing is refused, and the reader stays refused") {
    struct Case {
        const char* what;
        Bytes wire;
    };
    std::vector<Case> cases = {
        {"masked", bytes_of({0x81, 0x81, 1, 2, 3, 4, 'x'})},
        {"reserved bit", bytes_of({0xC1, 0x01, 'x'})},
        {"data opcode 3", bytes_of({0x83, 0x00})},
        {"control opcode 0xB", bytes_of({0x8B, 0x00})},
        {"fragmented ping", bytes_of({0x09, 0x00})},
        {"control of 126", join({bytes_of({0x89, 126, 0x00, 126}), Bytes(126, 'p')})},
        {"continuation first", bytes_of({0x80, 0x01, 'x'})},
        {"new message inside one", bytes_of({0x01, 0x01, 'a', 0x81, 0x01, 'b'})},
        {"16-bit length under 126", join({bytes_of({0x82, 126, 0x00, 100}), Bytes(100, 'x')})},
        {"64-bit length under 65536", bytes_of({0x82, 127, 0, 0, 0, 0, 0, 0, 0x03, 0xE8})},
        {"64-bit length with its top bit", bytes_of({0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1})},
        {"close of one byte", bytes_of({0x88, 0x01, 0x03})},
        {"close 1005", bytes_of({0x88, 0x02, 0x03, 0xED})},
        {"close 999", bytes_of({0x88, 0x02, 0x03, 0xE7})},
        {"close 5000", bytes_of({0x88, 0x02, 0x13, 0x88})},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Read read = read_all(c.wire, c.wire.size());
        CHECK_FALSE(read.problem.empty());
        CHECK(read_all(c.wire, 1).problem == read.problem);
    }
    WebSocketFrameReader reader;
    Bytes masked = bytes_of({0x81, 0x81, 1, 2, 3, 4, 'x'});
    CHECK(reader.next(masked).kind == Kind::violation);
    Bytes fine = bytes_of({0x81, 0x01, 'x'});
    CHECK(reader.next(fine).kind == Kind::violation);
}

TEST_CASE("a client frame is masked, with the shortest length") {
    // RFC 6455 5.7: "Hello" masked with 37 fa 21 3d.
    Bytes out;
    std::string hello = "Hello";
    append_client_frame(out, WebSocketOpcode::text,
                        {reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()},
                        {0x37, 0xfa, 0x21, 0x3d});
    CHECK(out == bytes_of({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    for (std::size_t size : {0, 125, 126, 65535, 65536}) {
        Bytes frame;
        Bytes payload(size, 0xAB);
        append_client_frame(frame, WebSocketOpcode::binary, payload, {1, 2, 3, 4});
        std::size_t header = size < 126 ? 2 : size <= 0xFFFF ? 4 : 10;
        INFO(size);
        REQUIRE(frame.size() == header + 4 + size);
        CHECK(frame[0] == 0x82);
        CHECK((frame[1] & 0x80) != 0);
        for (std::size_t i = 0; i < size; ++i) {
            if ((frame[header + 4 + i] ^ frame[header + (i & 3)]) != 0xAB) {
                FAIL("byte " << i << " not masked with the key");
            }
        }
    }
}

TEST_CASE("a close payload fits 125 bytes and never cuts a character") {
    auto plain = websocket_close_payload(4000, "reconnect");
    CHECK(plain ==
          join({bytes_of({0x0F, 0xA0}), Bytes{'r', 'e', 'c', 'o', 'n', 'n', 'e', 'c', 't'}}));
    std::string long_reason(122, 'a');
    long_reason += "\xC3\xA9\xC3\xA9";  // é é: the first one straddles byte 123
    auto cut = websocket_close_payload(1000, long_reason);
    CHECK(cut.size() == 2 + 122);
    CHECK(websocket_close_payload(1000, std::string(300, 'b')).size() == 125);
}

TEST_CASE("the handshake's key and the answer it expects, as RFC 6455 gives them") {
    std::string nonce = "the sample nonce";
    std::array<std::uint8_t, 16> bytes{};
    std::copy(nonce.begin(), nonce.end(), bytes.begin());
    CHECK(websocket_key(bytes) == "dGhlIHNhbXBsZSBub25jZQ==");
    CHECK(websocket_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

}  // namespace websocket_frame_tests
