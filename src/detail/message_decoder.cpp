#include "gatewire/detail/message_decoder.hpp"

#include "detail/announced_length.hpp"

namespace gatewire {

MessageDecoder::MessageDecoder(Compression compression, std::size_t max_message_bytes)
    : compression_(compression), impl_(Plain{max_message_bytes, {}}) {
    if (compression == Compression::zlib_stream) {
        impl_.emplace<ZlibStreamDecoder>(max_message_bytes);
    } else if (compression == Compression::zstd_stream) {
        impl_.emplace<ZstdStreamDecoder>(max_message_bytes);
    }
}

DecodeStatus MessageDecoder::feed(std::span<const std::uint8_t> bytes, bool message_end,
                                  std::size_t bytes_to_come) {
    if (auto* plain = std::get_if<Plain>(&impl_)) {
        if (plain->complete) {
            plain->complete = false;
            plain->message.clear();
        }
        if (!plain->skipping) {
            std::size_t size = plain->message.size() + bytes.size();
            if (size > plain->max_bytes) {
                plain->skipping = true;
                std::string().swap(plain->message);
            } else {
                detail::reserve_announced(plain->message, size, bytes_to_come,
                                          plain->max_bytes - size, message_padding);
                plain->message.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            }
        }
        if (!message_end) {
            return DecodeStatus::incomplete;
        }
        if (plain->skipping) {
            plain->skipping = false;
            return DecodeStatus::too_large;
        }
        plain->message.reserve(plain->message.size() + message_padding);
        plain->complete = true;
        return DecodeStatus::complete;
    }
    return std::visit(
        [&](auto& decoder) -> DecodeStatus {
            using Decoder = std::decay_t<decltype(decoder)>;
            if constexpr (std::is_same_v<Decoder, Plain>) {
                return DecodeStatus::corrupt;  // handled above
            } else if constexpr (std::is_same_v<Decoder, ZlibStreamDecoder>) {
                return decoder.feed(bytes, message_end, bytes_to_come);
            } else {
                return decoder.feed(bytes);
            }
        },
        impl_);
}

std::string& MessageDecoder::message() noexcept {
    return std::visit(
        [](auto& decoder) -> std::string& {
            if constexpr (std::is_same_v<std::decay_t<decltype(decoder)>, Plain>) {
                return decoder.message;
            } else {
                return decoder.message();
            }
        },
        impl_);
}

bool MessageDecoder::has_pending() const noexcept {
    const auto* zstd = std::get_if<ZstdStreamDecoder>(&impl_);
    return zstd != nullptr && zstd->has_pending();
}

void MessageDecoder::reset() {
    std::visit(
        [](auto& decoder) {
            if constexpr (std::is_same_v<std::decay_t<decltype(decoder)>, Plain>) {
                std::string().swap(decoder.message);
                decoder.skipping = false;
                decoder.complete = false;
            } else {
                decoder.reset();
            }
        },
        impl_);
}

}  // namespace gatewire
