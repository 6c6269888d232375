/// @file
/// A 64-bit permission set (sent as a decimal string).
#pragma once

#include <cstdint>

namespace gatewire {

struct Permissions {
    std::uint64_t bits = 0;

    constexpr bool contains(std::uint64_t flags) const noexcept { return (bits & flags) == flags; }
    constexpr bool operator==(const Permissions&) const = default;
};

namespace permission {
inline constexpr std::uint64_t create_instant_invite = 1ull << 0;
inline constexpr std::uint64_t kick_members = 1ull << 1;
inline constexpr std::uint64_t ban_members = 1ull << 2;
inline constexpr std::uint64_t administrator = 1ull << 3;
inline constexpr std::uint64_t manage_channels = 1ull << 4;
inline constexpr std::uint64_t manage_guild = 1ull << 5;
inline constexpr std::uint64_t add_reactions = 1ull << 6;
inline constexpr std::uint64_t view_audit_log = 1ull << 7;
inline constexpr std::uint64_t view_channel = 1ull << 10;
inline constexpr std::uint64_t send_messages = 1ull << 11;
inline constexpr std::uint64_t manage_messages = 1ull << 13;
inline constexpr std::uint64_t embed_links = 1ull << 14;
inline constexpr std::uint64_t attach_files = 1ull << 15;
inline constexpr std::uint64_t read_message_history = 1ull << 16;
inline constexpr std::uint64_t mention_everyone = 1ull << 17;
inline constexpr std::uint64_t connect = 1ull << 20;
inline constexpr std::uint64_t speak = 1ull << 21;
inline constexpr std::uint64_t manage_roles = 1ull << 28;
inline constexpr std::uint64_t manage_webhooks = 1ull << 29;
inline constexpr std::uint64_t moderate_members = 1ull << 40;
}  // namespace permission

}  // namespace gatewire
