#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "../support/fixtures.hpp"
#include "gatewire/envelope.hpp"
#include "gatewire/error.hpp"
#include "gatewire/json_boundary.hpp"
#include "gatewire/message_decoder.hpp"
#include "gatewire/zstd_stream_encoder.hpp"

using namespace gatewire;
using gatewire::test::base64_decode;
using gatewire::test::fixtures_dir;
using json = nlohmann::json;

namespace {

std::vector<std::uint8_t> deflate_sync(z_stream& stream, const std::string& text) {
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

}  // namespace

TEST_CASE("zlib-stream decodes a real Discord HELLO frame") {
    auto frame =
        test::bytes_of(test::read_file(fixtures_dir() / "discord/frames/hello.zlib-stream.bin"));
    REQUIRE(frame.size() == 111);
    MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
    REQUIRE(decoder.feed(frame, true) == DecodeStatus::complete);
    json hello = json::parse(decoder.message());
    CHECK(hello["op"] == 10);
    CHECK(hello["d"]["heartbeat_interval"].get<int>() > 0);
}

TEST_CASE("zlib-stream buffers a message split at any byte until the 00 00 FF FF suffix") {
    auto frame =
        test::bytes_of(test::read_file(fixtures_dir() / "discord/frames/hello.zlib-stream.bin"));
    MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
    for (std::size_t i = 0; i + 1 < frame.size(); ++i) {
        REQUIRE(decoder.feed({frame.data() + i, 1}, true) == DecodeStatus::incomplete);
    }
    REQUIRE(decoder.feed({frame.data() + frame.size() - 1, 1}, true) == DecodeStatus::complete);
    CHECK(json::parse(decoder.message())["op"] == 10);
}

TEST_CASE("zlib-stream keeps one context across the frames of a real connection") {
    auto frames = json::parse(test::read_file(fixtures_dir() / "spacebar/zlib_stream_frames.json"));
    auto expected =
        json::parse(test::read_file(fixtures_dir() / "spacebar/zlib_stream_decoded.json"));
    REQUIRE(frames.size() == expected.size());
    MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        auto bytes = base64_decode(frames[i].get<std::string>());
        REQUIRE(decoder.feed(bytes, true) == DecodeStatus::complete);
        CHECK(json::parse(decoder.message()) == expected[i]);
        Envelope envelope;
        REQUIRE_FALSE(peek_envelope(decoder.message(), envelope));
        CHECK(envelope.op == expected[i]["op"].get<int>());
    }
}

TEST_CASE("zlib-stream reports corrupt data and recovers after reset") {
    MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
    // 32 bytes that are not deflate data, then the flush suffix.
    std::vector<std::uint8_t> garbage(36, 0xFF);
    garbage[32] = 0x00;
    garbage[33] = 0x00;
    CHECK(decoder.feed(garbage, true) == DecodeStatus::corrupt);
    CHECK(decoder.feed(garbage, true) == DecodeStatus::corrupt);
    decoder.reset();
    auto frame =
        test::bytes_of(test::read_file(fixtures_dir() / "discord/frames/hello.zlib-stream.bin"));
    CHECK(decoder.feed(frame, true) == DecodeStatus::complete);
}

TEST_CASE("zlib-stream refuses a decompression bomb and stays in step with the stream") {
    z_stream stream{};
    deflateInit(&stream, Z_BEST_COMPRESSION);
    std::string bomb = "{\"op\":0,\"d\":\"" + std::string(16 * 1024 * 1024, 'a') + "\"}";
    auto compressed_bomb = deflate_sync(stream, bomb);
    auto next = deflate_sync(stream, R"({"op":11,"d":null})");
    deflateEnd(&stream);
    CHECK(compressed_bomb.size() < 64 * 1024);  // tiny on the wire, 16 MiB inflated

    MessageDecoder decoder(Compression::zlib_stream, 1024 * 1024);
    CHECK(decoder.feed(compressed_bomb, true) == DecodeStatus::too_large);
    CHECK(decoder.message().capacity() < 2 * 1024 * 1024);  // memory stayed bounded
    REQUIRE(decoder.feed(next, true) == DecodeStatus::complete);
    CHECK(json::parse(decoder.message())["op"] == 11);
}

TEST_CASE("zlib-stream goes on when the server ends one zlib stream and starts another") {
    // The trailer's checksum is not computed (a connected stream never ends),
    // but an ended stream must still be stepped over, trailer and all.
    std::string first = R"({"op":11,"d":null})";
    std::string second = R"({"op":1,"d":7})";
    std::vector<std::uint8_t> bytes(256);
    z_stream stream{};
    deflateInit(&stream, Z_DEFAULT_COMPRESSION);
    stream.next_in = reinterpret_cast<Bytef*>(first.data());
    stream.avail_in = static_cast<uInt>(first.size());
    stream.next_out = bytes.data();
    stream.avail_out = static_cast<uInt>(bytes.size());
    REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
    bytes.resize(bytes.size() - stream.avail_out);
    deflateEnd(&stream);
    deflateInit(&stream, Z_DEFAULT_COMPRESSION);
    auto next = deflate_sync(stream, second);
    deflateEnd(&stream);
    bytes.insert(bytes.end(), next.begin(), next.end());

    MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
    REQUIRE(decoder.feed(bytes, true) == DecodeStatus::complete);
    CHECK(decoder.message() == first + second);
}

TEST_CASE("zstd-stream decodes a real Discord HELLO from an open stream") {
    auto frame =
        test::bytes_of(test::read_file(fixtures_dir() / "discord/frames/hello.zstd-stream.bin"));
    REQUIRE(frame.size() == 117);
    MessageDecoder decoder(Compression::zstd_stream, 1 << 20);
    REQUIRE(decoder.feed(frame, true) == DecodeStatus::complete);
    CHECK(json::parse(decoder.message())["op"] == 10);
}

TEST_CASE("zstd-stream decodes the frames of a real connection in order") {
    auto frames = json::parse(test::read_file(fixtures_dir() / "spacebar/json_zstd_frames.json"));
    MessageDecoder decoder(Compression::zstd_stream, 1 << 20);
    std::vector<int> ops;
    for (const auto& frame : frames) {
        auto bytes = base64_decode(frame.get<std::string>());
        REQUIRE(decoder.feed(bytes, true) == DecodeStatus::complete);
        ops.push_back(json::parse(decoder.message())["op"].get<int>());
    }
    REQUIRE(ops.size() == frames.size());
    CHECK(ops.front() == 10);
}

TEST_CASE("zstd stream encoder and decoder round-trip flushed messages, split or whole") {
    ZstdStreamEncoder encoder;
    MessageDecoder decoder(Compression::zstd_stream, 1 << 20);
    for (int i = 0; i < 20; ++i) {
        std::string message = R"({"op":0,"s":)" + std::to_string(i) +
                              R"(,"t":"X","d":{"text":"a \"quoted\" } brace"}})";
        auto bytes = test::bytes_of(encoder.encode(message));
        if (i % 2 == 0) {
            REQUIRE(decoder.feed(bytes, true) == DecodeStatus::complete);
        } else {
            std::size_t half = bytes.size() / 2;
            REQUIRE(decoder.feed({bytes.data(), half}, true) == DecodeStatus::incomplete);
            REQUIRE(decoder.feed({bytes.data() + half, bytes.size() - half}, true) ==
                    DecodeStatus::complete);
        }
        CHECK(decoder.message() == message);
    }
}

TEST_CASE("zstd-stream refuses a message over the bound, then decodes the next one") {
    ZstdStreamEncoder encoder;
    MessageDecoder decoder(Compression::zstd_stream, 64 * 1024);
    std::string big = R"({"op":0,"d":")" + std::string(1024 * 1024, 'b') + R"("})";
    CHECK(decoder.feed(test::bytes_of(encoder.encode(big)), true) == DecodeStatus::too_large);
    CHECK(decoder.feed(test::bytes_of(encoder.encode(R"({"op":11})")), true) ==
          DecodeStatus::complete);
    CHECK(decoder.message() == R"({"op":11})");
}

TEST_CASE("zstd-stream reports corrupt bytes") {
    MessageDecoder decoder(Compression::zstd_stream, 1 << 20);
    std::vector<std::uint8_t> garbage(64, 0xFF);
    CHECK(decoder.feed(garbage, true) == DecodeStatus::corrupt);
}

TEST_CASE("zstd-stream refuses a stream that asks for a window over 8 MiB") {
    auto compress = [](int window_log) {
        ZSTD_CCtx* ctx = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, 3);
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_windowLog, window_log);
        std::string text = R"({"op":11})";
        std::vector<std::uint8_t> out(1024);
        ZSTD_inBuffer in{text.data(), text.size(), 0};
        ZSTD_outBuffer ob{out.data(), out.size(), 0};
        ZSTD_compressStream2(ctx, &ob, &in, ZSTD_e_flush);
        out.resize(ob.pos);
        ZSTD_freeCCtx(ctx);
        return out;
    };
    MessageDecoder within(Compression::zstd_stream, 1 << 20);
    CHECK(within.feed(compress(23), true) == DecodeStatus::complete);
    MessageDecoder beyond(Compression::zstd_stream, 1 << 20);
    CHECK(beyond.feed(compress(27), true) == DecodeStatus::corrupt);
}

TEST_CASE("uncompressed messages are bounded too and may arrive in pieces") {
    MessageDecoder decoder(Compression::none, 16);
    CHECK(decoder.feed(test::bytes_of(R"({"op":)"), false) == DecodeStatus::incomplete);
    CHECK(decoder.feed(test::bytes_of("11}"), true) == DecodeStatus::complete);
    CHECK(decoder.message() == R"({"op":11})");
    CHECK(decoder.feed(test::bytes_of(std::string(40, ' ')), true) == DecodeStatus::too_large);
    CHECK(decoder.feed(test::bytes_of(R"({"op":1})"), true) == DecodeStatus::complete);
}

TEST_CASE("JSON boundary ignores brackets inside strings and escapes") {
    JsonBoundary boundary;
    std::string doc = R"({"a":"}\"]","b":[1,{"c":"\\"}]} tail)";
    std::size_t end = boundary.scan(doc);
    CHECK(end == doc.find(" tail"));
    JsonBoundary pieces;
    CHECK(pieces.scan(R"({"a":"})") == JsonBoundary::npos);
    CHECK(pieces.scan(R"(x"})") == 3);
}

TEST_CASE("the envelope peek reads op, s and t in any order and finds d raw") {
    std::string message =
        R"({"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"id":"18446744073709551615","n":[1,2]}})";
    message.reserve(message.size() + message_padding);
    Envelope envelope;
    REQUIRE_FALSE(peek_envelope(message, envelope));
    CHECK(envelope.op == 0);
    CHECK(envelope.seq == 42u);
    CHECK(envelope.type == "MESSAGE_CREATE");
    CHECK(envelope.data == R"({"id":"18446744073709551615","n":[1,2]})");

    std::string ack = R"({"op":11,"d":{},"s":null,"t":null})";  // Spacebar's ACK shape
    ack.reserve(ack.size() + message_padding);
    REQUIRE_FALSE(peek_envelope(ack, envelope));
    CHECK(envelope.op == 11);
    CHECK_FALSE(envelope.seq);
    CHECK(envelope.type.empty());

    std::string bad = "not json at all";
    bad.reserve(bad.size() + message_padding);
    CHECK(peek_envelope(bad, envelope) == errc::invalid_payload);
    std::string no_op = R"({"d":1})";
    no_op.reserve(no_op.size() + message_padding);
    CHECK(peek_envelope(no_op, envelope) == errc::invalid_payload);
}

TEST_CASE("the envelope peek reads the usual layout from its ends and every other one in full") {
    auto peek = [](std::string message) {
        message.reserve(message.size() + message_padding);
        Envelope envelope;
        REQUIRE_FALSE(peek_envelope(message, envelope));
        return std::tuple(envelope.op, envelope.seq, std::string(envelope.type),
                          std::string(envelope.data));
    };
    using Peeked = std::tuple<int, std::optional<std::uint64_t>, std::string, std::string>;
    // Discord's order, with spacing a server might add.
    CHECK(peek(" {\"t\" : \"READY\", \"s\":1,\"op\":0,\"d\": {\"v\":10} } \n") ==
          Peeked{0, 1u, "READY", R"({"v":10})"});
    CHECK(peek(R"({"op":0,"s":7,"t":"SESSIONS_REPLACE","d":[{"a":"}"}]})") ==
          Peeked{0, 7u, "SESSIONS_REPLACE", R"([{"a":"}"}])"});
    CHECK(peek(R"({"t":null,"s":null,"op":11,"d":{}})") == Peeked{11, std::nullopt, "", "{}"});
    CHECK(peek("{\"op\":0,\"s\":9,\"t\":\"READY\",\"d\":{}}\n") == Peeked{0, 9u, "READY", "{}"});
    CHECK(peek(R"({"op":0,"s":2,"t":"A","d":{"b":[1]},"c":{}})") ==
          Peeked{0, 2u, "A", R"({"b":[1]},"c":{})"});  // the surplus fails the decode, not the peek
    // Layouts the short path leaves to the full parser.
    CHECK(peek(R"({"t":null,"s":null,"op":1,"d":null})") == Peeked{1, std::nullopt, "", "null"});
    CHECK(peek(R"({"op":0,"d":{"x":[1]},"s":3,"t":"TYPING_START"})") ==
          Peeked{0, 3u, "TYPING_START", R"({"x":[1]})"});
    CHECK(peek(R"({"op":0,"s":3,"extra":true,"t":"A","d":{}})") == Peeked{0, 3u, "A", "{}"});
    CHECK(peek(R"({"op":0,"s":18446744073709551615,"t":"A","d":{}})") ==
          Peeked{0, 18446744073709551615u, "A", "{}"});

    std::string escaped = R"({"op":0,"s":1,"t":"A\u0042","d":{}})";
    escaped.reserve(escaped.size() + message_padding);
    Envelope envelope;
    CHECK(peek_envelope(escaped, envelope) == errc::invalid_payload);  // names never need escapes
    std::string cut = R"({"op":0,"s":1,"t":"A","d":{"a":1})";
    cut.reserve(cut.size() + message_padding);
    CHECK(peek_envelope(cut, envelope) == errc::invalid_payload);
}

TEST_CASE("zstd-stream: two messages in one piece come out one after the other, at once") {
    ZstdStreamEncoder encoder;
    MessageDecoder decoder(Compression::zstd_stream, 1 << 20);
    auto bytes = test::bytes_of(encoder.encode(R"({"op":11}{"op":1,"d":5})"));
    REQUIRE(decoder.feed(bytes, true) == DecodeStatus::complete);
    CHECK(decoder.message() == R"({"op":11})");
    REQUIRE(decoder.has_pending());
    REQUIRE(decoder.feed({}, false) == DecodeStatus::complete);
    CHECK(decoder.message() == R"({"op":1,"d":5})");
    CHECK_FALSE(decoder.has_pending());
}
