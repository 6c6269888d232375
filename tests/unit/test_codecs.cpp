#include <zlib.h>
#include <zstd.h>

#include <array>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "../support/fixtures.hpp"
#include "../support/zlib_reference.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/detail/envelope.hpp"
#include "gatewire/detail/json_boundary.hpp"
#include "gatewire/detail/message_decoder.hpp"
#include "gatewire/detail/zstd_stream_decoder.hpp"
#include "gatewire/detail/zstd_stream_encoder.hpp"

namespace codecs_tests {

using namespace gatewire;
using gatewire::test::base64_decode;
using gatewire::test::deflate_sync;
using gatewire::test::fixtures_dir;
using gatewire::test::reference_inflate;
using json = nlohmann::json;

namespace {

// Gateway-like text: JSON fragments that repeat within and across messages,
// runs, and bytes that do not compress.
std::string sample_text(std::mt19937& random, std::size_t size) {
    static const std::array<std::string_view, 10> pieces{
        R"({"id":")",
        R"(","guild_id":")",
        R"("content":"hello there",)",
        "1234567890123456789",
        R"("author":{"username":"someone","avatar":null},)",
        "true",
        "false",
        "}",
        "]",
        ","};
    std::string text;
    int kind = static_cast<int>(random() % 3);
    while (text.size() < size) {
        if (kind == 0) {
            text += pieces[random() % pieces.size()];
        } else if (kind == 1) {
            text.append(random() % 400, static_cast<char>('a' + random() % 3));
        } else {
            text += static_cast<char>(random() % 256);
        }
    }
    text.resize(size);
    return text;
}

}  // namespace

TEST_CASE("zlib-stream inflates every kind of deflate block as zlib does") {
    // Stored, fixed and dynamic blocks, every strategy, window sizes, long
    // and short messages that refer back into earlier ones, and messages
    // bigger than the decoder's usual buffer.
    std::mt19937 random(20261124);
    const std::array<int, 5> strategies{Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
                                        Z_FIXED};
    for (int level : {0, 1, 6, 9}) {
        for (int strategy : strategies) {
            int window_bits = 9 + static_cast<int>(random() % 7);
            z_stream stream{};
            REQUIRE(deflateInit2(&stream, level, Z_DEFLATED, window_bits, 8, strategy) == Z_OK);
            MessageDecoder decoder(Compression::zlib_stream, 4 << 20);
            for (int m = 0; m < 12; ++m) {
                std::size_t size = m == 5 ? 300 * 1024 : random() % 4000;
                std::string text = sample_text(random, size);
                auto piece = deflate_sync(stream, text);
                INFO("level " << level << ", strategy " << strategy << ", message " << m);
                REQUIRE(decoder.feed(piece, true) == DecodeStatus::complete);
                REQUIRE(decoder.message() == text);
                CHECK(decoder.message().capacity() >= text.size() + message_padding);
            }
            deflateEnd(&stream);
        }
    }
}

TEST_CASE("zlib-stream decoders on one thread share nothing a message depends on") {
    // The dynamic blocks' tables are one set per thread; each message builds
    // its own. Streams of different texts and strategies, their messages
    // taken in turn (and the first decoder's twice in a row), must each come
    // out as zlib writes them, on this thread and on another at once.
    // Catch's assertions are for one thread: each run returns its first
    // mismatch, checked on this one.
    auto run = [](std::uint32_t seed) -> std::string {
        std::mt19937 random(seed);
        constexpr int streams = 4;
        std::array<z_stream, streams> deflaters{};
        std::vector<MessageDecoder> decoders;
        for (int i = 0; i < streams; ++i) {
            int strategy = i % 2 == 0 ? Z_DEFAULT_STRATEGY : Z_FILTERED;
            if (deflateInit2(&deflaters[i], 6, Z_DEFLATED, 15, 8, strategy) != Z_OK) {
                return "deflateInit2 failed";
            }
            decoders.emplace_back(Compression::zlib_stream, 1 << 20);
        }
        std::string failure;
        for (int round = 0; round < 40 && failure.empty(); ++round) {
            for (int i : {0, 0, 1, 2, 3}) {
                std::string text = sample_text(random, 200 + random() % 6000);
                auto piece = deflate_sync(deflaters[i], text);
                if (decoders[i].feed(piece, true) != DecodeStatus::complete ||
                    decoders[i].message() != text) {
                    failure = "seed " + std::to_string(seed) + ", round " + std::to_string(round) +
                              ", stream " + std::to_string(i);
                    break;
                }
            }
        }
        for (auto& stream : deflaters) {
            deflateEnd(&stream);
        }
        return failure;
    };
    std::string other_failure;
    std::thread other([&] { other_failure = run(7); });
    std::string failure = run(20261203);
    other.join();
    CHECK(failure == "");
    CHECK(other_failure == "");
}

TEST_CASE("zlib-stream refuses corrupted data where zlib would, and never reads past it") {
    // Flipped bits in otherwise valid streams. Whenever the decoder accepts a
    // message, zlib accepts it with the same bytes; once it refuses, the
    // stream stays refused. ASan watches every read.
    std::mt19937 random(7);
    int refused = 0;
    for (int round = 0; round < 300; ++round) {
        z_stream deflater{};
        deflateInit(&deflater, static_cast<int>(random() % 10));
        std::vector<std::vector<std::uint8_t>> pieces;
        for (int m = 0; m < 6; ++m) {
            pieces.push_back(deflate_sync(deflater, sample_text(random, random() % 3000)));
        }
        deflateEnd(&deflater);
        auto& damaged = pieces[random() % pieces.size()];
        for (int flips = 1 + static_cast<int>(random() % 3); flips > 0; --flips) {
            damaged[random() % (damaged.size() - 4)] ^=
                static_cast<std::uint8_t>(1u << (random() % 8));
        }
        z_stream reference{};
        inflateInit(&reference);
        inflateValidate(&reference, 0);  // neither checks the trailer a live stream never sends
        MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
        for (const auto& piece : pieces) {
            std::string expected;
            bool zlib_accepts = reference_inflate(reference, piece, expected);
            auto status = decoder.feed(piece, true);
            if (status != DecodeStatus::complete) {
                REQUIRE(status == DecodeStatus::corrupt);
                ++refused;
                CHECK(decoder.feed(pieces.front(), true) == DecodeStatus::corrupt);
                break;
            }
            REQUIRE(zlib_accepts);
            REQUIRE(decoder.message() == expected);
        }
        inflateEnd(&reference);
    }
    CHECK(refused > 50);  // the damage was seen, not decoded around
}

TEST_CASE("zlib-stream refuses a message cut short, and one that refers before the stream") {
    z_stream stream{};
    deflateInit(&stream, Z_DEFAULT_COMPRESSION);
    std::string text = R"({"op":0,"t":"MESSAGE_CREATE","d":{"content":"hello hello hello"}})";
    auto whole = deflate_sync(stream, text);
    deflateEnd(&stream);
    SECTION("cut inside its last block, the flush suffix put back on") {
        std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + whole.size() / 2);
        cut.insert(cut.end(), {0x00, 0x00, 0xFF, 0xFF});
        MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
        CHECK(decoder.feed(cut, true) == DecodeStatus::corrupt);
    }
    SECTION("matches into a preset dictionary the stream never had") {
        std::string dictionary = "hello hello hello MESSAGE_CREATE content";
        z_stream with_dictionary{};
        deflateInit(&with_dictionary, Z_DEFAULT_COMPRESSION);
        deflateSetDictionary(&with_dictionary, reinterpret_cast<const Bytef*>(dictionary.data()),
                             static_cast<uInt>(dictionary.size()));
        auto piece = deflate_sync(with_dictionary, text);
        deflateEnd(&with_dictionary);
        MessageDecoder as_sent(Compression::zlib_stream, 1 << 20);
        CHECK(as_sent.feed(piece, true) == DecodeStatus::corrupt);  // a dictionary is asked for
        // The same blocks under a plain header: the distances reach before the start.
        std::vector<std::uint8_t> relabelled{0x78, 0x9C};
        relabelled.insert(relabelled.end(), piece.begin() + 6, piece.end());
        MessageDecoder decoder(Compression::zlib_stream, 1 << 20);
        CHECK(decoder.feed(relabelled, true) == DecodeStatus::corrupt);
    }
}

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

TEST_CASE("zstd stream encoder: reset, moved or never used, its next message starts a stream") {
    // The compression context is made by the first message, so an encoder
    // reset (a new connection) or moved from before it has sent anything
    // still writes a stream a fresh decoder reads.
    auto decodes_fresh = [](ZstdStreamEncoder& encoder, const std::string& message) {
        MessageDecoder decoder(Compression::zstd_stream, 1 << 20);
        auto bytes = test::bytes_of(encoder.encode(message));
        return decoder.feed(bytes, true) == DecodeStatus::complete && decoder.message() == message;
    };
    ZstdStreamEncoder encoder;
    encoder.reset();
    CHECK(decodes_fresh(encoder, R"({"op":1,"d":null})"));
    encoder.reset();
    CHECK(decodes_fresh(encoder, R"({"op":1,"d":2})"));
    ZstdStreamEncoder moved = std::move(encoder);
    CHECK(decodes_fresh(encoder, R"({"op":1,"d":3})"));  // NOLINT(bugprone-use-after-move)
    ZstdStreamEncoder unused;
    ZstdStreamEncoder taken = std::move(unused);
    CHECK(decodes_fresh(taken, R"({"op":1,"d":4})"));
}

TEST_CASE("zstd-stream hands each message on in a buffer about its size, padded") {
    // The session moves each message out with its buffer; a small event in a
    // fixed 16 KiB buffer cost a 16 KiB fill and held 16 KiB in the queue.
    ZstdStreamEncoder encoder;
    MessageDecoder decoder(Compression::zstd_stream, 1 << 20);
    auto small = [](int i) {
        return R"({"op":0,"s":)" + std::to_string(i) + R"(,"t":"X","d":")" + std::string(600, 'a') +
               R"("})";
    };
    const std::string big = R"({"op":0,"s":9,"t":"X","d":")" + std::string(100000, 'b') + R"("})";
    const std::vector<std::string> messages = {small(1), small(2), big, small(3), small(4)};
    for (std::size_t i = 0; i < messages.size(); ++i) {
        INFO("message " << i);
        REQUIRE(decoder.feed(test::bytes_of(encoder.encode(messages[i])), true) ==
                DecodeStatus::complete);
        std::string taken = std::move(decoder.message());
        CHECK(taken == messages[i]);
        CHECK(taken.capacity() >= taken.size() + message_padding);
        if (i == 1 || i == 4) {
            CHECK(taken.capacity() <= 4096);
        }
    }
}

TEST_CASE(
    "zstd-stream: after a large message the next large one grows in one step, and a "
    "smaller one leaves in a buffer about its size") {
    ZstdStreamEncoder encoder;
    MessageDecoder decoder(Compression::zstd_stream, 8 << 20);
    auto message = [](std::size_t n, char c) {
        return R"({"op":0,"s":1,"t":"X","d":")" + std::string(n, c) + R"("})";
    };
    auto take = [&](const std::string& text) {
        REQUIRE(decoder.feed(test::bytes_of(encoder.encode(text)), true) == DecodeStatus::complete);
        std::string taken = std::move(decoder.message());
        REQUIRE(taken == text);
        CHECK(taken.capacity() >= taken.size() + message_padding);
        return taken;
    };
    take(message(2'000'000, 'a'));
    // Sized for the last large message at once: nothing much past it.
    std::string second = take(message(1'900'000, 'b'));
    CHECK(second.capacity() <= 2'000'000 + 64 * 1024);
    // Smaller, past the first chunk: not handed on in a 2 MB buffer.
    std::string third = take(message(100'000, 'c'));
    CHECK(third.capacity() <= 4 * 100'000);
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

// The frame header announces a message's length: the buffer is sized once,
// not doubled (each step a copy and fresh pages), and a length past the bound
// is not believed.
TEST_CASE("an uncompressed message is sized once for the length its frame announced") {
    std::string text = R"({"op":0,"d":")" + std::string(300000, 'x') + R"("})";
    auto bytes = test::bytes_of(text);
    std::span<const std::uint8_t> all(bytes);
    MessageDecoder decoder(Compression::none, 1024 * 1024);
    REQUIRE(decoder.feed(all.first(1000), false, text.size() - 1000) == DecodeStatus::incomplete);
    const char* buffer = decoder.message().data();
    CHECK(decoder.message().capacity() >= text.size() + message_padding);
    for (std::size_t at = 1000; at < text.size(); at += 4096) {
        std::size_t n = std::min<std::size_t>(4096, text.size() - at);
        bool end = at + n == text.size();
        REQUIRE(decoder.feed(all.subspan(at, n), end, text.size() - at - n) ==
                (end ? DecodeStatus::complete : DecodeStatus::incomplete));
    }
    CHECK(decoder.message() == text);
    CHECK(decoder.message().data() == buffer);  // never moved: sized once

    // A message in many small frames, each announcing its own rest: the
    // buffer still grows by doubling, not once per frame.
    MessageDecoder fragmented(Compression::none, 1024 * 1024);
    std::size_t moves = 0;
    const char* last = nullptr;
    for (std::size_t at = 0; at < text.size(); at += 100) {
        std::size_t n = std::min<std::size_t>(100, text.size() - at);
        std::size_t half = n / 2;
        REQUIRE(fragmented.feed(all.subspan(at, half), false, n - half) ==
                DecodeStatus::incomplete);
        bool end = at + n == text.size();
        REQUIRE(fragmented.feed(all.subspan(at + half, n - half), end) ==
                (end ? DecodeStatus::complete : DecodeStatus::incomplete));
        if (fragmented.message().data() != last) {
            ++moves;
            last = fragmented.message().data();
        }
    }
    CHECK(fragmented.message() == text);
    CHECK(moves < 40);  // 3 000 frames

    MessageDecoder bounded(Compression::none, 4096);
    REQUIRE(bounded.feed(test::bytes_of(R"({"op":)"), false, std::size_t{1} << 40) ==
            DecodeStatus::incomplete);
    CHECK(bounded.message().capacity() < 4096);  // past the bound: not believed
    REQUIRE(bounded.feed(test::bytes_of("11}"), true) == DecodeStatus::complete);
    CHECK(bounded.message() == R"({"op":11})");
}

TEST_CASE("zlib-stream: runs of large and small messages with announced lengths, as sent") {
    std::mt19937 random(5);
    z_stream stream{};
    deflateInit(&stream, Z_DEFAULT_COMPRESSION);
    MessageDecoder decoder(Compression::zlib_stream, 8 * 1024 * 1024);
    // Large ones in a row (the inflater keeps its buffer), then small, then
    // large again; one with a length far past the bound announced.
    for (std::size_t size : {600000, 900000, 700000, 300, 120, 2000000, 50}) {
        std::string text = sample_text(random, size);
        auto compressed = deflate_sync(stream, text);
        std::span<const std::uint8_t> all(compressed);
        std::size_t first = std::min<std::size_t>(compressed.size(), 4096);
        std::size_t announced = size == 120 ? std::size_t{1} << 40 : compressed.size() - first;
        DecodeStatus status = decoder.feed(all.first(first), first == compressed.size(), announced);
        for (std::size_t at = first; at < compressed.size(); at += 65536) {
            std::size_t n = std::min<std::size_t>(65536, compressed.size() - at);
            status = decoder.feed(all.subspan(at, n), at + n == compressed.size(),
                                  compressed.size() - at - n);
        }
        REQUIRE(status == DecodeStatus::complete);
        CHECK(decoder.message() == text);
    }
    deflateEnd(&stream);
}

// Found by the zlib_stream fuzz target once it fed messages in two parts: a
// read that stopped right after 00 00 FF FF inside a message was taken for
// its end, and half a message was inflated.
TEST_CASE("zlib-stream: 00 00 FF FF ends a message only where a WebSocket message ends") {
    z_stream stream{};
    deflateInit(&stream, Z_DEFAULT_COMPRESSION);
    // A sender may flush inside a message: the first part ends in the suffix.
    auto head = deflate_sync(stream, R"({"op":0,"s":1,"t":"X",)");
    auto tail = deflate_sync(stream, R"("d":{"a":1}})");
    deflateEnd(&stream);
    REQUIRE(head.size() >= 4);
    REQUIRE(head[head.size() - 1] == 0xFF);
    MessageDecoder decoder(Compression::zlib_stream, 1024);
    CHECK(decoder.feed(head, false, tail.size()) == DecodeStatus::incomplete);
    REQUIRE(decoder.feed(tail, true) == DecodeStatus::complete);
    CHECK(decoder.message() == R"({"op":0,"s":1,"t":"X","d":{"a":1}})");
}

TEST_CASE("zlib-stream: a message in many small frames that announce their rest comes out whole") {
    std::mt19937 random(9);
    z_stream stream{};
    deflateInit(&stream, Z_DEFAULT_COMPRESSION);
    std::string text = sample_text(random, 400000);
    auto compressed = deflate_sync(stream, text);
    deflateEnd(&stream);
    std::span<const std::uint8_t> all(compressed);
    MessageDecoder decoder(Compression::zlib_stream, 1024 * 1024);
    DecodeStatus status = DecodeStatus::incomplete;
    for (std::size_t at = 0; at < compressed.size(); at += 64) {
        std::size_t n = std::min<std::size_t>(64, compressed.size() - at);
        std::size_t half = n / 2;
        REQUIRE(decoder.feed(all.subspan(at, half), false, n - half) == DecodeStatus::incomplete);
        status = decoder.feed(all.subspan(at + half, n - half), at + n == compressed.size());
    }
    REQUIRE(status == DecodeStatus::complete);
    CHECK(decoder.message() == text);
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

namespace {
// The boundary rule a byte at a time, as plainly as it can be written: the
// reference the block-skipping scanner must agree with.
struct ByteBoundary {
    std::int64_t depth = 0;
    bool in_string = false, escaped = false, in_scalar = false;
    std::size_t scan(std::string_view bytes) {
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            char c = bytes[i];
            if (in_string) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    in_string = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                continue;
            }
            if (in_scalar && depth == 0 && (c == '"' || c == '{' || c == '[')) {
                in_scalar = false;
                return i;
            }
            if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth <= 0) {
                    depth = 0;
                    return i + 1;
                }
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                if (in_scalar && depth == 0) {
                    in_scalar = false;
                    return i;
                }
            } else if (depth == 0) {
                in_scalar = true;
            }
        }
        return JsonBoundary::npos;
    }
};

// Where each document of `stream` ends, fed in pieces of the given sizes
// (cycled), scanning on from each end as the zstd-stream decoder does.
template <class Scanner>
std::vector<std::size_t> boundaries(std::string_view stream, const std::vector<std::size_t>& cuts) {
    std::vector<std::size_t> ends;
    Scanner scanner;
    std::size_t at = 0, fed = 0, cut = 0;
    while (fed < stream.size()) {
        std::size_t n = std::min(cuts[cut++ % cuts.size()], stream.size() - fed);
        std::size_t end = scanner.scan(stream.substr(fed, n));
        if (end == JsonBoundary::npos) {
            fed += n;
            continue;
        }
        at = fed + end;
        ends.push_back(at);
        scanner = Scanner{};
        fed = at;
    }
    return ends;
}
}  // namespace

TEST_CASE("JSON boundary: skipping a block at a time agrees with a byte at a time") {
    std::mt19937 random(20261207);
    // Every character that matters, then none of the escapes (whole blocks
    // take the quick path), mostly text, and brackets and quotes alone.
    const std::array<std::string, 4> alphabets{"{}[]\"\\\\a1 :,\n", "{}[]\"a1 :,",
                                               "{}[]\"\\abcdefghijklmnopqrstuvwxyz0123456789",
                                               "{}[]\""};
    std::string big = test::read_file(fixtures_dir() / "discord/serenity/guild_create_1.json");
    for (int round = 0; round < 800; ++round) {
        std::string stream;
        std::size_t length = random() % 600;
        const std::string& alphabet = alphabets[round % alphabets.size()];
        for (std::size_t i = 0; i < length; ++i) {
            stream += alphabet[random() % alphabet.size()];
        }
        if (round % 50 == 0) {
            stream = big + " " + stream + big.substr(0, big.size() / 2);  // long runs of text
        }
        std::vector<std::size_t> cuts;
        for (int i = 0; i < 8; ++i) {
            cuts.push_back(1 + random() % (round % 3 == 0 ? 7 : 100));
        }
        INFO("round " << round);
        REQUIRE(boundaries<JsonBoundary>(stream, cuts) == boundaries<ByteBoundary>(stream, cuts));
    }
    // The big event whole, and cut just after a backslash inside a string.
    JsonBoundary whole;
    CHECK(whole.scan(big) == big.find_last_of('}') + 1);
    JsonBoundary cut;
    CHECK(cut.scan(R"({"a":"x\)") == JsonBoundary::npos);
    CHECK(cut.scan(R"("}"})") == 4);
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

namespace {

struct Drained {
    std::vector<DecodeStatus> statuses;
    std::vector<std::string> messages;  // of the complete ones
    std::size_t most_buffered = 0;
};

// Feeds one WebSocket message and takes out everything it holds, as the
// session does.
Drained drain(ZstdStreamDecoder& decoder, const std::string& frame) {
    Drained out;
    DecodeStatus status = decoder.feed(test::bytes_of(frame));
    for (;;) {
        out.most_buffered = std::max(out.most_buffered, decoder.buffered_bytes());
        out.statuses.push_back(status);
        if (status == DecodeStatus::complete) {
            out.messages.push_back(decoder.message());
        }
        if (status == DecodeStatus::corrupt || !decoder.has_pending()) {
            return out;
        }
        status = decoder.feed({});
    }
}

}  // namespace

TEST_CASE("zstd-stream: forty messages in one flush all come out, and the stream goes on") {
    ZstdStreamEncoder encoder;
    ZstdStreamDecoder decoder(1 << 20);
    std::string batch;
    for (int i = 0; i < 40; ++i) {
        batch += R"({"op":11})";
    }
    Drained out = drain(decoder, encoder.encode(batch));
    CHECK(out.messages.size() == 40);
    CHECK(std::count(out.statuses.begin(), out.statuses.end(), DecodeStatus::corrupt) == 0);
    Drained next = drain(decoder, encoder.encode(R"({"op":1,"d":7})"));
    REQUIRE(next.messages.size() == 1);
    CHECK(next.messages[0] == R"({"op":1,"d":7})");
}

TEST_CASE("zstd-stream: a message decoded past the previous one's end is held to the bound") {
    ZstdStreamEncoder encoder;
    ZstdStreamDecoder decoder(1000);
    std::string big = R"({"op":0,"d":")" + std::string(5000, 'x') + R"("})";
    Drained out = drain(decoder, encoder.encode(R"({"op":11})" + big + R"({"op":1,"d":2})"));
    CHECK(out.statuses == std::vector<DecodeStatus>{DecodeStatus::complete, DecodeStatus::too_large,
                                                    DecodeStatus::complete});
    CHECK(out.messages == std::vector<std::string>{R"({"op":11})", R"({"op":1,"d":2})"});
}

TEST_CASE(
    "zstd-stream: a small frame that inflates far past the bound never makes a large buffer") {
    // 32 MiB of one letter compresses to a few kilobytes.
    std::string huge = R"({"op":0,"d":")" + std::string(32u << 20, 'a') + R"("})";
    constexpr std::size_t bound = 1 << 20;
    // Far below what the stream inflates to: the bound, one chunk, slack.
    constexpr std::size_t most = 2 * bound + (512 << 10);

    SECTION("after a small message in the same flush") {
        ZstdStreamEncoder encoder;
        ZstdStreamDecoder decoder(bound);
        std::string frame = encoder.encode(R"({"op":11})" + huge + R"({"op":1,"d":3})");
        CHECK(frame.size() < 64 * 1024);
        Drained out = drain(decoder, frame);
        CHECK(std::count(out.statuses.begin(), out.statuses.end(), DecodeStatus::too_large) == 1);
        CHECK(out.messages == std::vector<std::string>{R"({"op":11})", R"({"op":1,"d":3})"});
        CHECK(out.most_buffered < most);
    }
    SECTION("as the first message, split over WebSocket messages") {
        ZstdStreamEncoder encoder;
        ZstdStreamDecoder decoder(bound);
        std::string frame = encoder.encode(huge + R"({"op":11})");
        std::size_t half = frame.size() / 2;
        Drained first = drain(decoder, frame.substr(0, half));
        Drained second = drain(decoder, frame.substr(half));
        CHECK(std::count(first.statuses.begin(), first.statuses.end(), DecodeStatus::complete) ==
              0);
        CHECK(std::count(second.statuses.begin(), second.statuses.end(), DecodeStatus::too_large) ==
              1);
        CHECK(second.messages == std::vector<std::string>{R"({"op":11})"});
        CHECK(std::max(first.most_buffered, second.most_buffered) < most);
    }
}

}  // namespace codecs_tests
