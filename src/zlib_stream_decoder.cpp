#include "gatewire/zlib_stream_decoder.hpp"

#include <zlib.h>

#include <array>
#include <cstring>

namespace gatewire {
namespace {
constexpr std::array<std::uint8_t, 4> flush_suffix{0x00, 0x00, 0xFF, 0xFF};
constexpr std::size_t first_chunk = 16 * 1024;
// Idle shards should not keep the buffer of their largest message.
constexpr std::size_t retained_capacity = 256 * 1024;
}  // namespace

struct ZlibStreamDecoder::State {
    z_stream stream{};
    std::size_t max_bytes;
    std::size_t used = 0;                // bytes of the current message inflated so far
    bool skipping = false;               // the current message went past max_bytes
    bool broken = false;                 // inflate reported corrupt data
    bool ready_for_next = true;          // message_ holds a finished message to clear first
    std::array<std::uint8_t, 4> tail{};  // the last four compressed bytes seen
    std::size_t tail_size = 0;
    // Inflated bytes land here first. It is kept from message to message, so a
    // small message costs no fresh (page-faulting) memory; message_ then gets an
    // exactly sized copy that can travel to the handlers.
    std::string work;

    explicit State(std::size_t max) : max_bytes(max) {
        inflateInit(&stream);
        // The Adler-32 trailer is only checked where a stream ends, which a
        // zlib-stream never does while connected: computing it is wasted work
        // (a tenth of the pipeline on small events). TLS guards the bytes.
        inflateValidate(&stream, 0);
    }
    ~State() { inflateEnd(&stream); }

    void remember_tail(std::span<const std::uint8_t> bytes) {
        for (std::uint8_t b : bytes.size() > 4 ? bytes.last(4) : bytes) {
            if (tail_size == 4) {
                std::memmove(tail.data(), tail.data() + 1, 3);
                tail[3] = b;
            } else {
                tail[tail_size++] = b;
            }
        }
    }
    bool at_suffix() const { return tail_size == 4 && tail == flush_suffix; }
};

ZlibStreamDecoder::ZlibStreamDecoder(std::size_t max_message_bytes)
    : state_(std::make_unique<State>(max_message_bytes)) {}
ZlibStreamDecoder::~ZlibStreamDecoder() = default;
ZlibStreamDecoder::ZlibStreamDecoder(ZlibStreamDecoder&&) noexcept = default;
ZlibStreamDecoder& ZlibStreamDecoder::operator=(ZlibStreamDecoder&&) noexcept = default;

void ZlibStreamDecoder::reset() {
    std::size_t max = state_->max_bytes;
    state_ = std::make_unique<State>(max);
    message_.clear();
    if (message_.capacity() > retained_capacity) {
        message_.shrink_to_fit();
    }
}

DecodeStatus ZlibStreamDecoder::feed(std::span<const std::uint8_t> bytes) {
    State& s = *state_;
    if (s.broken) {
        return DecodeStatus::corrupt;
    }
    if (s.ready_for_next) {
        s.ready_for_next = false;
        s.used = 0;
        if (s.work.capacity() > retained_capacity) {
            std::string().swap(s.work);
        }
    }
    s.stream.next_in = const_cast<Bytef*>(bytes.data());
    s.stream.avail_in = static_cast<uInt>(bytes.size());
    std::array<std::uint8_t, 16 * 1024> scratch;  // where a skipped message is inflated to
    while (s.stream.avail_in > 0) {
        Bytef* out;
        std::size_t room;
        if (s.skipping) {
            out = scratch.data();
            room = scratch.size();
        } else {
            if (s.work.size() < s.used + message_padding + 1024) {
                std::size_t grown = std::max(first_chunk, s.work.size() * 2);
                s.work.resize(grown);
            }
            out = reinterpret_cast<Bytef*>(s.work.data()) + s.used;
            room = s.work.size() - s.used - message_padding;
        }
        s.stream.next_out = out;
        s.stream.avail_out = static_cast<uInt>(room);
        int rc = inflate(&s.stream, Z_SYNC_FLUSH);
        std::size_t produced = room - s.stream.avail_out;
        if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
            s.broken = true;
            return DecodeStatus::corrupt;
        }
        if (!s.skipping) {
            s.used += produced;
            if (s.used > s.max_bytes) {
                s.skipping = true;
                std::string().swap(s.work);
            }
        }
        if (rc == Z_STREAM_END) {
            // The server ended the stream; what follows would start a new one.
            inflateReset(&s.stream);  // keeps the checksum switched off
        }
        if (rc == Z_BUF_ERROR && produced == 0 && s.stream.avail_in > 0) {
            s.broken = true;
            return DecodeStatus::corrupt;
        }
    }
    s.remember_tail(bytes);
    if (!s.at_suffix()) {
        return DecodeStatus::incomplete;
    }
    s.ready_for_next = true;
    s.tail_size = 0;
    if (s.skipping) {
        s.skipping = false;
        return DecodeStatus::too_large;
    }
    if (s.used > retained_capacity) {
        // Too big to copy cheaply or to keep: hand the buffer itself over.
        message_.swap(s.work);
        message_.resize(s.used);  // capacity keeps the padding
        std::string().swap(s.work);
    } else {
        message_.clear();
        message_.reserve(s.used + message_padding);
        message_.append(s.work.data(), s.used);
    }
    return DecodeStatus::complete;
}

}  // namespace gatewire
