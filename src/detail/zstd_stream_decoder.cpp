#include "gatewire/detail/zstd_stream_decoder.hpp"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

namespace gatewire {
namespace {
// A message's buffer starts at about the size of the message before it,
// within these bounds. It is zero-filled as it grows and handed on whole
// with its message: a fixed 16 KiB start cost a 16 KiB fill and allocation
// for every small event.
constexpr std::size_t smallest_chunk = 2 * 1024;
constexpr std::size_t first_chunk = 16 * 1024;
// The most one decompression call may write. Bytes decoded past a message's
// end wait in the carry, so this also bounds the carry.
constexpr std::size_t max_chunk = 128 * 1024;
constexpr std::size_t retained_capacity = 256 * 1024;
// The largest window a stream may ask for (8 MiB): zstd's default levels use
// at most that for streams, and without a cap a server could make every
// shard allocate 128 MiB. A stream that asks for more is reported corrupt.
constexpr int max_window_log = 23;

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::size_t start_chunk(std::size_t last_size) {
    return std::clamp(std::bit_ceil(last_size + message_padding + 1024), smallest_chunk,
                      first_chunk);
}
}  // namespace

// Decompression stops at the end of each message. What the stream holds
// beyond it stays compressed (`input`, at most the rest of one WebSocket
// message) instead of being inflated ahead, so a small frame cannot turn into
// a large buffer; only the tail of the last call's output (`carry`, at most
// one chunk) is kept decoded.
struct ZstdStreamDecoder::State {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    std::size_t max_bytes;
    std::size_t used = 0;             // bytes of the current message in message_
    std::size_t last_size = 0;        // of the message before
    std::size_t last_large_size = 0;  // of the last message past first_chunk
    bool skipping = false;
    bool broken = false;
    // zstd holds no output it has not handed out. Calling it again with no
    // input would make no progress, and libzstd fails the 16th such call.
    bool drained = true;
    JsonBoundary boundary;
    std::string carry;
    std::vector<std::uint8_t> input;

    explicit State(std::size_t max) : max_bytes(max) {
        ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, max_window_log);
    }
    ~State() { ZSTD_freeDCtx(ctx); }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
};

ZstdStreamDecoder::ZstdStreamDecoder(std::size_t max_message_bytes)
    : state_(std::make_unique<State>(max_message_bytes)) {}
ZstdStreamDecoder::~ZstdStreamDecoder() = default;
ZstdStreamDecoder::ZstdStreamDecoder(ZstdStreamDecoder&&) noexcept = default;
ZstdStreamDecoder& ZstdStreamDecoder::operator=(ZstdStreamDecoder&&) noexcept = default;

bool ZstdStreamDecoder::has_pending() const noexcept {
    const State& s = *state_;
    return !s.broken && (!s.carry.empty() || !s.input.empty() || !s.drained);
}

std::size_t ZstdStreamDecoder::buffered_bytes() const noexcept {
    const State& s = *state_;
    return message_.capacity() + s.carry.capacity() + s.input.capacity();
}

void ZstdStreamDecoder::reset() {
    std::size_t max = state_->max_bytes;
    state_ = std::make_unique<State>(max);
    std::string().swap(message_);
}

DecodeStatus ZstdStreamDecoder::feed(std::span<const std::uint8_t> bytes) {
    State& s = *state_;
    if (s.broken) {
        return DecodeStatus::corrupt;
    }
    const bool from_input = !s.input.empty();
    if (from_input) {
        s.input.insert(s.input.end(), bytes.begin(), bytes.end());
        bytes = s.input;
    }
    std::size_t consumed = 0;
    DecodeStatus status = decode(bytes.data(), bytes.size(), consumed);
    if (from_input) {
        s.input.erase(s.input.begin(), s.input.begin() + static_cast<std::ptrdiff_t>(consumed));
    } else {
        s.input.assign(bytes.begin() + static_cast<std::ptrdiff_t>(consumed), bytes.end());
    }
    if (s.input.empty() && s.input.capacity() > retained_capacity) {
        std::vector<std::uint8_t>().swap(s.input);
    }
    return status;
}

DecodeStatus ZstdStreamDecoder::decode(const std::uint8_t* data, std::size_t size,
                                       std::size_t& consumed) {
    ZSTD_inBuffer in{data, size, 0};
    struct Report {
        ZSTD_inBuffer& in;
        std::size_t& consumed;
        ~Report() { consumed = in.pos; }
    } report{in, consumed};
    State& s = *state_;
    if (s.used == 0 && !s.skipping) {
        if (message_.capacity() > retained_capacity) {
            std::string().swap(message_);
        }
        message_.clear();
        if (!s.carry.empty()) {
            // Bytes decoded past the end of the previous message start this one.
            message_.resize(std::max(start_chunk(s.last_size), s.carry.size() + message_padding));
            std::copy(s.carry.begin(), s.carry.end(), message_.begin());
            s.used = s.carry.size();
            s.carry.clear();
            if (std::size_t at = s.boundary.scan({message_.data(), s.used});
                at != JsonBoundary::npos) {
                return finish(at);
            }
            if (s.used > s.max_bytes) {
                s.skipping = true;
                std::string().swap(message_);
                s.used = 0;
            }
        }
    }
    std::array<char, 16 * 1024> scratch;
    while (!(in.pos == in.size && s.drained)) {
        char* out;
        std::size_t room;
        if (s.skipping) {
            out = scratch.data();
            room = scratch.size();
        } else {
            if (message_.size() < s.used + message_padding + 1024) {
                std::size_t grown = std::max(start_chunk(s.last_size), message_.size() * 2);
                if (message_.size() >= first_chunk) {
                    // A message past the first chunk is likely as large as the
                    // last large one (guild after guild): one step to that size,
                    // not a copy and a fill at every doubling.
                    grown = std::max(grown, s.last_large_size + message_padding + 1024);
                }
                message_.resize(grown);
            }
            out = message_.data() + s.used;
            room = std::min(max_chunk, message_.size() - s.used - message_padding);
        }
        ZSTD_outBuffer ob{out, room, 0};
        std::size_t rc = ZSTD_decompressStream(s.ctx, &ob, &in);
        if (ZSTD_isError(rc)) {
            s.broken = true;
            return DecodeStatus::corrupt;
        }
        s.drained = in.pos == in.size && ob.pos < ob.size;
        if (s.skipping) {
            std::size_t at = s.boundary.scan({scratch.data(), ob.pos});
            if (at != JsonBoundary::npos) {
                keep_carry({scratch.data() + at, ob.pos - at});
                s.skipping = false;
                s.boundary.reset();
                return DecodeStatus::too_large;
            }
            continue;
        }
        std::size_t before = s.used;
        s.used += ob.pos;
        if (std::size_t at = s.boundary.scan({message_.data() + before, ob.pos});
            at != JsonBoundary::npos) {
            return finish(before + at);
        }
        if (s.used > s.max_bytes) {
            // Keep decoding to stay in step with the stream, but drop the bytes.
            s.skipping = true;
            std::string().swap(message_);
            s.used = 0;
        }
    }
    return DecodeStatus::incomplete;
}

void ZstdStreamDecoder::keep_carry(std::string_view rest) {
    std::size_t start = 0;
    while (start < rest.size() && is_space(rest[start])) {
        ++start;
    }
    state_->carry.assign(rest.substr(start));
}

DecodeStatus ZstdStreamDecoder::finish(std::size_t end) {
    State& s = *state_;
    keep_carry({message_.data() + end, s.used - end});
    s.used = 0;
    s.boundary.reset();
    if (end > s.max_bytes) {
        std::string().swap(message_);
        return DecodeStatus::too_large;
    }
    message_.resize(end);
    s.last_size = end;
    if (end > first_chunk) {
        s.last_large_size = end;
    }
    if (message_.capacity() > 2 * (end + message_padding) + first_chunk) {
        // Sized for a larger message before it. The buffer leaves with the
        // event, whose size alone the queue's byte bound counts: not much
        // more than that may leave with it.
        std::string fitted;
        fitted.reserve(end + message_padding);
        fitted.assign(message_.data(), end);
        message_.swap(fitted);
    }
    return DecodeStatus::complete;
}

}  // namespace gatewire
