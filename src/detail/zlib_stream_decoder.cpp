#include "gatewire/detail/zlib_stream_decoder.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "detail/announced_length.hpp"
#include "detail/zlib_inflater.hpp"

namespace gatewire {
namespace {
constexpr std::array<std::uint8_t, 4> flush_suffix{0x00, 0x00, 0xFF, 0xFF};
// Idle shards should not keep the buffer of their largest message.
constexpr std::size_t retained_capacity = 256 * 1024;
}  // namespace

struct ZlibStreamDecoder::State {
    detail::ZlibInflater inflater;
    // Compressed bytes of the current message, until its flush suffix: the
    // inflater decodes a message whole.
    std::vector<std::uint8_t> pending;
    // Compressed bytes beyond this cannot inflate to an allowed message: the
    // stream is refused rather than buffered without end.
    std::size_t max_pending;
    bool broken = false;

    explicit State(std::size_t max_bytes)
        : inflater(max_bytes), max_pending(max_bytes + max_bytes / 8 + 64 * 1024) {}

    bool at_suffix() const {
        return pending.size() >= flush_suffix.size() &&
               std::equal(flush_suffix.begin(), flush_suffix.end(),
                          pending.end() - static_cast<std::ptrdiff_t>(flush_suffix.size()));
    }
};

ZlibStreamDecoder::ZlibStreamDecoder(std::size_t max_message_bytes)
    : state_(std::make_unique<State>(max_message_bytes)) {}
ZlibStreamDecoder::~ZlibStreamDecoder() = default;
ZlibStreamDecoder::ZlibStreamDecoder(ZlibStreamDecoder&&) noexcept = default;
ZlibStreamDecoder& ZlibStreamDecoder::operator=(ZlibStreamDecoder&&) noexcept = default;

void ZlibStreamDecoder::reset() {
    std::size_t max = state_->inflater.max_output();
    state_ = std::make_unique<State>(max);
    message_.clear();
    if (message_.capacity() > retained_capacity) {
        message_.shrink_to_fit();
    }
}

DecodeStatus ZlibStreamDecoder::feed(std::span<const std::uint8_t> bytes, bool message_end,
                                     std::size_t bytes_to_come) {
    State& s = *state_;
    if (s.broken) {
        return DecodeStatus::corrupt;
    }
    if (s.pending.size() + bytes.size() > s.max_pending) {
        s.broken = true;
        return DecodeStatus::corrupt;
    }
    std::size_t held = s.pending.size() + bytes.size();
    detail::reserve_announced(s.pending, held, bytes_to_come, s.max_pending - held,
                              detail::ZlibInflater::input_padding);
    s.pending.insert(s.pending.end(), bytes.begin(), bytes.end());
    if (!message_end || !s.at_suffix()) {
        return DecodeStatus::incomplete;
    }
    std::size_t size = s.pending.size();
    s.pending.resize(size + detail::ZlibInflater::input_padding);
    auto result = s.inflater.inflate({s.pending.data(), size});
    s.pending.clear();
    if (s.pending.capacity() > retained_capacity) {
        std::vector<std::uint8_t>().swap(s.pending);
    }
    switch (result) {
        case detail::ZlibInflater::Result::corrupt:
            s.broken = true;
            return DecodeStatus::corrupt;
        case detail::ZlibInflater::Result::too_large:
            return DecodeStatus::too_large;
        case detail::ZlibInflater::Result::complete:
            break;
    }
    std::string_view text = s.inflater.output();
    message_.clear();
    message_.reserve(text.size() + message_padding);
    message_.append(text);
    return DecodeStatus::complete;
}

}  // namespace gatewire
