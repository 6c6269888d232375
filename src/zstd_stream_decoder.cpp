#include "gatewire/zstd_stream_decoder.hpp"

#include <zstd.h>

#include <array>

namespace gatewire {
namespace {
constexpr std::size_t first_chunk = 16 * 1024;
constexpr std::size_t retained_capacity = 256 * 1024;
// The largest window a stream may ask for (8 MiB): zstd's default levels use
// at most that for streams, and without a cap a server could make every
// shard allocate 128 MiB. A stream that asks for more is reported corrupt.
constexpr int max_window_log = 23;
}  // namespace

struct ZstdStreamDecoder::State {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    std::size_t max_bytes;
    std::size_t used = 0;
    bool skipping = false;
    bool broken = false;
    JsonBoundary boundary;
    std::string carry;  // bytes decoded past the end of the previous message

    explicit State(std::size_t max) : max_bytes(max) {
        ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, max_window_log);
    }
    ~State() { ZSTD_freeDCtx(ctx); }
};

ZstdStreamDecoder::ZstdStreamDecoder(std::size_t max_message_bytes)
    : state_(std::make_unique<State>(max_message_bytes)) {}
ZstdStreamDecoder::~ZstdStreamDecoder() = default;
ZstdStreamDecoder::ZstdStreamDecoder(ZstdStreamDecoder&&) noexcept = default;
ZstdStreamDecoder& ZstdStreamDecoder::operator=(ZstdStreamDecoder&&) noexcept = default;

bool ZstdStreamDecoder::has_pending() const noexcept {
    return !state_->carry.empty() && state_->used == 0 && !state_->skipping;
}

void ZstdStreamDecoder::reset() {
    std::size_t max = state_->max_bytes;
    state_ = std::make_unique<State>(max);
    std::string().swap(message_);
}

namespace {
bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
}  // namespace

DecodeStatus ZstdStreamDecoder::feed(std::span<const std::uint8_t> bytes) {
    State& s = *state_;
    if (s.broken) {
        return DecodeStatus::corrupt;
    }
    if (s.used == 0 && !s.skipping) {
        if (message_.capacity() > retained_capacity) {
            std::string().swap(message_);
        }
        message_.clear();
    }
    std::size_t end = JsonBoundary::npos;  // where the current message ends in message_
    bool skipped_to_end = false;
    auto take_carry = [&] {
        // Bytes decoded past the end of the previous message start this one.
        if (s.carry.empty()) {
            return;
        }
        std::string carry = std::move(s.carry);
        s.carry.clear();
        message_.resize(std::max(message_.size(), carry.size() + message_padding));
        message_.replace(0, carry.size(), carry);
        s.used = carry.size();
        if (std::size_t at = s.boundary.scan({message_.data(), s.used}); at != JsonBoundary::npos) {
            end = at;
        }
    };
    if (s.used == 0 && !s.skipping) {
        take_carry();
    }
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    std::array<char, 16 * 1024> scratch;
    for (;;) {
        char* out;
        std::size_t room;
        if (s.skipping) {
            out = scratch.data();
            room = scratch.size();
        } else {
            if (message_.size() < s.used + message_padding + 1024) {
                message_.resize(std::max(first_chunk, message_.size() * 2));
            }
            out = message_.data() + s.used;
            room = message_.size() - s.used - message_padding;
        }
        ZSTD_outBuffer ob{out, room, 0};
        std::size_t rc = ZSTD_decompressStream(s.ctx, &ob, &in);
        if (ZSTD_isError(rc)) {
            s.broken = true;
            return DecodeStatus::corrupt;
        }
        if (s.skipping) {
            if (!skipped_to_end) {
                std::size_t at = s.boundary.scan({scratch.data(), ob.pos});
                if (at != JsonBoundary::npos) {
                    skipped_to_end = true;
                    s.carry.assign(scratch.data() + at, ob.pos - at);
                }
            } else {
                s.carry.append(scratch.data(), ob.pos);
            }
        } else {
            std::size_t before = s.used;
            s.used += ob.pos;
            if (end == JsonBoundary::npos) {
                std::size_t at = s.boundary.scan({message_.data() + before, ob.pos});
                if (at != JsonBoundary::npos) {
                    end = before + at;
                } else if (s.used > s.max_bytes) {
                    // Keep decoding to stay in step with the stream, but drop the bytes.
                    s.skipping = true;
                    std::string().swap(message_);
                    s.used = 0;
                }
            }
        }
        if (in.pos == in.size && ob.pos < ob.size) {
            break;
        }
    }
    if (s.skipping) {
        if (!skipped_to_end) {
            return DecodeStatus::incomplete;
        }
        s.skipping = false;
        s.boundary.reset();
        return DecodeStatus::too_large;
    }
    if (end == JsonBoundary::npos) {
        return DecodeStatus::incomplete;
    }
    std::size_t rest = end;
    while (rest < s.used && is_space(message_[rest])) {
        ++rest;
    }
    if (rest < s.used) {
        s.carry.append(message_.data() + rest, s.used - rest);
    }
    message_.resize(end);
    s.used = 0;
    s.boundary.reset();
    return DecodeStatus::complete;
}

}  // namespace gatewire
