/// @file
/// A 64-bit id as Discord and Fluxer send it: a decimal string (never parsed
/// through a double, which loses ids above 2^53).
#pragma once

#include <bit>
#include <chrono>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace gatewire {

struct Snowflake {
    /// Milliseconds since the Unix epoch at which Discord's ids start counting.
    static constexpr std::uint64_t discord_epoch_ms = 1420070400000;

    std::uint64_t value = 0;

    constexpr Snowflake() = default;
    constexpr explicit Snowflake(std::uint64_t v) noexcept : value(v) {}

    constexpr auto operator<=>(const Snowflake&) const = default;
    constexpr explicit operator bool() const noexcept { return value != 0; }

    /// When the id was minted, given the platform's epoch.
    constexpr std::chrono::sys_time<std::chrono::milliseconds> created_at(
        std::uint64_t epoch_ms = discord_epoch_ms) const noexcept {
        return std::chrono::sys_time<std::chrono::milliseconds>{
            std::chrono::milliseconds{static_cast<std::int64_t>((value >> 22) + epoch_ms)}};
    }

    /// Digits only, no sign, no overflow; anything else is nullopt.
    static constexpr std::optional<Snowflake> parse(std::string_view text) noexcept {
        if (text.empty() || text.size() > 20) {
            return std::nullopt;
        }
        /// Up to 19 digits cannot overflow; only a 20th needs checking.
        std::size_t safe = text.size() < 20 ? text.size() : 19;
        std::size_t i = 0;
        std::uint64_t v = 0;
        if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
            for (; safe - i >= 8; i += 8) {  // eight digits at a time: ids have 17 to 20
                std::uint64_t chunk;
                std::memcpy(&chunk, text.data() + i, 8);
                if (!eight_digits(chunk)) {
                    return std::nullopt;
                }
                v = v * 100000000 + eight_digits_value(chunk);
            }
        }
        for (; i < safe; ++i) {
            auto digit = static_cast<unsigned char>(text[i] - '0');
            if (digit > 9) {
                return std::nullopt;
            }
            v = v * 10 + digit;
        }
        if (safe < text.size()) {
            auto digit = static_cast<unsigned char>(text[19] - '0');
            if (digit > 9 || v > (UINT64_MAX - digit) / 10) {
                return std::nullopt;
            }
            v = v * 10 + digit;
        }
        return Snowflake{v};
    }

    std::string to_string() const { return std::to_string(value); }

  private:
    /// Eight ASCII bytes, loaded little-endian: all of them '0'..'9'?
    static constexpr bool eight_digits(std::uint64_t chunk) noexcept {
        return (chunk & 0xF0F0F0F0F0F0F0F0) == 0x3030303030303030 &&
               ((chunk + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) == 0x3030303030303030;
    }
    /// Their value, combining pairs, then fours, then the two halves.
    static constexpr std::uint64_t eight_digits_value(std::uint64_t chunk) noexcept {
        chunk = (chunk & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8;
        chunk = (chunk & 0x00FF00FF00FF00FF) * 6553601 >> 16;
        return (chunk & 0x0000FFFF0000FFFF) * 42949672960001 >> 32;
    }
};

/// The shard that receives a guild's events: (guild_id >> 22) % shard_count.
constexpr std::uint32_t shard_for_guild(Snowflake guild_id, std::uint32_t shard_count) noexcept {
    return shard_count == 0 ? 0 : static_cast<std::uint32_t>((guild_id.value >> 22) % shard_count);
}

}  // namespace gatewire

namespace std {
template <>
struct hash<gatewire::Snowflake> {
    size_t operator()(gatewire::Snowflake id) const noexcept { return hash<uint64_t>{}(id.value); }
};
}  // namespace std
