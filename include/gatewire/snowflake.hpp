// A 64-bit id as Discord and Fluxer send it: a decimal string (never parsed
// through a double, which loses ids above 2^53).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gatewire {

struct Snowflake {
    // Milliseconds since the Unix epoch at which Discord's ids start counting.
    static constexpr std::uint64_t discord_epoch_ms = 1420070400000;

    std::uint64_t value = 0;

    constexpr Snowflake() = default;
    constexpr explicit Snowflake(std::uint64_t v) noexcept : value(v) {}

    constexpr auto operator<=>(const Snowflake&) const = default;
    constexpr explicit operator bool() const noexcept { return value != 0; }

    // When the id was minted, given the platform's epoch.
    constexpr std::chrono::sys_time<std::chrono::milliseconds> created_at(
        std::uint64_t epoch_ms = discord_epoch_ms) const noexcept {
        return std::chrono::sys_time<std::chrono::milliseconds>{
            std::chrono::milliseconds{static_cast<std::int64_t>((value >> 22) + epoch_ms)}};
    }

    // Digits only, no sign, no overflow; anything else is nullopt.
    static constexpr std::optional<Snowflake> parse(std::string_view text) noexcept {
        if (text.empty() || text.size() > 20) {
            return std::nullopt;
        }
        std::uint64_t v = 0;
        for (char c : text) {
            if (c < '0' || c > '9') {
                return std::nullopt;
            }
            std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
            if (v > (UINT64_MAX - digit) / 10) {
                return std::nullopt;
            }
            v = v * 10 + digit;
        }
        return Snowflake{v};
    }

    std::string to_string() const { return std::to_string(value); }
};

// The shard that receives a guild's events: (guild_id >> 22) % shard_count.
constexpr std::uint32_t shard_for_guild(Snowflake guild_id, std::uint32_t shard_count) noexcept {
    return shard_count == 0 ? 0 : static_cast<std::uint32_t>((guild_id.value >> 22) % shard_count);
}

}  // namespace gatewire

template <>
struct std::hash<gatewire::Snowflake> {
    std::size_t operator()(gatewire::Snowflake id) const noexcept {
        return std::hash<std::uint64_t>{}(id.value);
    }
};
