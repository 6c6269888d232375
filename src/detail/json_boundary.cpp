#include "gatewire/detail/json_boundary.hpp"

#include <bit>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gatewire {
namespace {

constexpr std::size_t block = 16;

// The bytes of a 16-byte block that can change the state inside a document,
// bit k for p[k]. Everything else (names, numbers, most of a large event) is
// skipped a block at a time.
struct BlockMasks {
    std::uint32_t quotes;
    std::uint32_t backslashes;
    std::uint32_t opens;   // [ and {
    std::uint32_t closes;  // ] and }
};

// Counted here, not by std::popcount: for the x86-64 baseline (no popcnt
// instruction) that is a library call, 4 % of a zstd-stream client.
constexpr int count_bits(std::uint32_t bits) noexcept {
    bits = bits - ((bits >> 1) & 0x55555555u);
    bits = (bits & 0x33333333u) + ((bits >> 2) & 0x33333333u);
    bits = (bits + (bits >> 4)) & 0x0F0F0F0Fu;
    return static_cast<int>((bits * 0x01010101u) >> 24);
}
static_assert(count_bits(0) == 0 && count_bits(0xFFFF) == 16 && count_bits(0x8421) == 4);

// Bit k is the parity of the quotes at 0..k: set from an opening quote up to
// (not including) its closing one.
constexpr std::uint32_t prefix_xor(std::uint32_t bits) noexcept {
    bits ^= bits << 1;
    bits ^= bits << 2;
    bits ^= bits << 4;
    bits ^= bits << 8;
    return bits & 0xFFFF;
}

// Built once per scan: the constants stay in registers (and an unoptimised
// build does not rebuild them for every block).
class BlockClassifier {
  public:
#if defined(__SSE2__)
    BlockMasks operator()(const char* p) const noexcept {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i folded = _mm_and_si128(v, fold_);
        return {bits(_mm_cmpeq_epi8(v, quote_)), bits(_mm_cmpeq_epi8(v, backslash_)),
                bits(_mm_cmpeq_epi8(folded, open_)), bits(_mm_cmpeq_epi8(folded, close_))};
    }

  private:
    static std::uint32_t bits(__m128i hits) noexcept {
        return static_cast<std::uint32_t>(_mm_movemask_epi8(hits));
    }
    // '[' ']' and '{' '}' differ from each other only in bit 5.
    const __m128i fold_ = _mm_set1_epi8(static_cast<char>(0xDF));
    const __m128i quote_ = _mm_set1_epi8('"');
    const __m128i backslash_ = _mm_set1_epi8('\\');
    const __m128i open_ = _mm_set1_epi8('[');
    const __m128i close_ = _mm_set1_epi8(']');
#else
    BlockMasks operator()(const char* p) const noexcept {
        BlockMasks masks{0, 0, 0, 0};
        for (std::size_t k = 0; k < block; ++k) {
            const char c = p[k];
            const char folded = static_cast<char>(c & 0xDF);
            masks.quotes |= static_cast<std::uint32_t>(c == '"') << k;
            masks.backslashes |= static_cast<std::uint32_t>(c == '\\') << k;
            masks.opens |= static_cast<std::uint32_t>(folded == '[') << k;
            masks.closes |= static_cast<std::uint32_t>(folded == ']') << k;
        }
        return masks;
    }
#endif
};

}  // namespace

bool JsonBoundary::nested_byte(char c) noexcept {
    if (in_string_) {
        if (c == '"') {
            in_string_ = false;
        }
        return false;  // a backslash is handled by the caller, brackets are text
    }
    switch (c) {
        case '"':
            in_string_ = true;
            return false;
        case '{':
        case '[':
            ++depth_;
            return false;
        case '}':
        case ']':
            return --depth_ == 0;
        default:
            return false;  // a backslash outside a string: not JSON, the parser says so
    }
}

std::size_t JsonBoundary::scan_nested(const char* data, std::size_t at, std::size_t size) noexcept {
    // An escaped byte is stepped over whatever it is: `skip_to` is the first
    // byte that counts again.
    std::size_t skip_to = at;
    if (escaped_) {
        escaped_ = false;
        skip_to = at + 1;
    }
    auto visit = [&](std::size_t i) -> bool {
        if (i < skip_to) {
            return false;
        }
        if (data[i] == '\\') {
            if (in_string_) {
                skip_to = i + 2;
            }
            return false;
        }
        return nested_byte(data[i]);
    };
    const BlockClassifier classify;
    for (; at + block <= size; at += block) {
        const BlockMasks masks = classify(data + at);
        if (masks.backslashes == 0 && skip_to <= at) {
            // No escapes: the quotes alone tell which bytes are inside
            // strings, and a block whose closes outside them cannot bring
            // the depth to zero changes only the depth and the string state.
            const std::uint32_t in_strings = prefix_xor(masks.quotes) ^ (in_string_ ? 0xFFFFu : 0u);
            const std::uint32_t opens = masks.opens & ~in_strings;
            const std::uint32_t closes = masks.closes & ~in_strings;
            const int closed = closes == 0 ? 0 : count_bits(closes);
            if (closed < depth_) {
                depth_ += (opens == 0 ? 0 : count_bits(opens)) - closed;
                in_string_ = (in_strings >> (block - 1)) & 1u;
                continue;
            }
        }
        for (std::uint32_t mask = masks.quotes | masks.backslashes | masks.opens | masks.closes;
             mask != 0; mask &= mask - 1) {
            const std::size_t i = at + static_cast<std::size_t>(std::countr_zero(mask));
            if (visit(i)) {
                return i + 1;
            }
        }
    }
    for (; at < size; ++at) {
        if (visit(at)) {
            return at + 1;
        }
    }
    escaped_ = skip_to > size;  // the input ended on a backslash inside a string
    return npos;
}

std::size_t JsonBoundary::scan(std::string_view bytes) noexcept {
    const char* data = bytes.data();
    const std::size_t size = bytes.size();
    for (std::size_t i = 0; i < size; ++i) {
        if (depth_ > 0) {
            // Inside a document: the rest ends it or the input, whichever first.
            return scan_nested(data, i, size);
        }
        const char c = data[i];
        if (in_string_) {
            if (escaped_) {
                escaped_ = false;
            } else if (c == '\\') {
                escaped_ = true;
            } else if (c == '"') {
                in_string_ = false;
                return i + 1;  // a top-level string
            }
            continue;
        }
        if (in_scalar_ && (c == '"' || c == '{' || c == '[')) {
            in_scalar_ = false;  // a bare word (not JSON) ends where a document starts
            return i;
        }
        switch (c) {
            case '"':
                started_ = true;
                in_string_ = true;
                break;
            case '{':
            case '[':
                started_ = true;
                ++depth_;
                break;
            case '}':
            case ']':
                depth_ = 0;  // a close with nothing open ends a (broken) document
                return i + 1;
            case ' ':
            case '\t':
            case '\r':
            case '\n':
                if (in_scalar_) {
                    in_scalar_ = false;
                    return i;
                }
                break;
            default:
                started_ = true;
                in_scalar_ = true;
                break;
        }
    }
    return npos;
}

}  // namespace gatewire
