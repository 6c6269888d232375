/// @file
/// What a client can ask of the gateway, one struct per command, and their
/// encoding for a profile. `Shard::send(command)` and `Client::send(command)`
/// send them through the session's rate limiter; a command the profile's
/// gateway does not take, or one breaking its rules, is refused with an error
/// before anything is sent.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "gatewire/core/export.hpp"
#include "gatewire/core/profile.hpp"
#include "gatewire/core/snowflake.hpp"
#include "gatewire/core/timestamp.hpp"

namespace gatewire::commands {

enum class Status { online, idle, dnd, invisible, offline };

/// A Discord activity ("Playing …"); type 4 is a custom status whose text is `state`.
struct Activity {
    std::string name;
    std::int32_t type =
        0;  ///< 0 playing, 1 streaming, 2 listening, 3 watching, 4 custom, 5 competing
    std::optional<std::string> url;    ///< streaming only
    std::optional<std::string> state;  ///< custom status text
};

/// Fluxer's custom status.
struct CustomStatus {
    std::string text;
    std::optional<Snowflake> emoji_id;
    std::optional<std::string> emoji_name;
    std::optional<Timestamp> expires_at;
};

/// Op 3. Discord sends status, afk, since and activities; Fluxer status, afk,
/// mobile and custom_status (a field of the other gateway set: refused with
/// errc::invalid_command). The shard also uses it for later identifies.
struct UpdatePresence {
    static constexpr int opcode = 3;
    Status status = Status::online;
    bool afk = false;
    std::optional<std::int64_t> idle_since_ms;  ///< Discord: Unix ms the client went idle
    std::vector<Activity> activities;           ///< Discord
    std::optional<bool> mobile;                 ///< Fluxer
    std::optional<CustomStatus> custom_status;  ///< Fluxer
};

/// Op 4: join, move between or leave (no channel) voice channels.
struct UpdateVoiceState {
    static constexpr int opcode = 4;
    std::optional<Snowflake> guild_id;    ///< Fluxer: none for a DM call
    std::optional<Snowflake> channel_id;  ///< none: disconnect
    bool self_mute = false;
    bool self_deaf = false;
    std::optional<std::string> connection_id;  ///< Fluxer, from here on
    std::optional<bool> self_video;
    std::optional<bool> self_stream;
    std::optional<bool> is_mobile;
    std::vector<std::string> viewer_stream_keys;
};

/// Op 8: members by name prefix (`query`, `limit`; "" and 0 for everyone) or
/// by id (`user_ids`). Replies come as GUILD_MEMBERS_CHUNK events carrying the
/// nonce; Client::request_members assembles them.
struct RequestGuildMembers {
    static constexpr int opcode = 8;
    Snowflake guild_id;
    std::optional<std::string> query;
    std::uint32_t limit = 0;
    bool presences = false;
    std::vector<Snowflake> user_ids;
    std::string nonce;  ///< at most 32 bytes; empty: none
};

/// Fluxer op 14: what the client watches in each guild.
struct GuildSubscription {
    std::optional<bool> active;
    std::optional<bool> sync;
    std::optional<bool> typing;
    /// Member-list ranges per channel: [start, end] pairs.
    std::map<Snowflake, std::vector<std::pair<std::uint32_t, std::uint32_t>>> member_list_channels;
    std::vector<Snowflake> members;
};
struct LazyRequest {
    static constexpr int opcode = 14;
    std::map<Snowflake, GuildSubscription> subscriptions;
};

/// Fluxer op 15, answered with GUILD_COUNTS_UPDATE.
struct RequestGuildCounts {
    static constexpr int opcode = 15;
    std::vector<Snowflake> guild_ids;
    std::string nonce;
};

/// Fluxer op 16, answered with CHANNEL_MEMBER_COUNTS_UPDATE.
struct RequestChannelMemberCounts {
    static constexpr int opcode = 16;
    Snowflake guild_id;
    std::vector<Snowflake> channel_ids;
    std::string nonce;
};

/// Discord op 31, answered with one SOUNDBOARD_SOUNDS per guild.
struct RequestSoundboardSounds {
    static constexpr int opcode = 31;
    std::vector<Snowflake> guild_ids;
};

/// The command's `d` as the profile's gateway expects it, in `out`; or
/// errc::unsupported_command / errc::invalid_command with nothing written.
GATEWIRE_API std::error_code encode(const UpdatePresence& c, const Profile& p, std::string& out);
GATEWIRE_API std::error_code encode(const UpdateVoiceState& c, const Profile& p, std::string& out);
GATEWIRE_API std::error_code encode(const RequestGuildMembers& c, const Profile& p,
                                    std::string& out);
GATEWIRE_API std::error_code encode(const LazyRequest& c, const Profile& p, std::string& out);
GATEWIRE_API std::error_code encode(const RequestGuildCounts& c, const Profile& p,
                                    std::string& out);
GATEWIRE_API std::error_code encode(const RequestChannelMemberCounts& c, const Profile& p,
                                    std::string& out);
GATEWIRE_API std::error_code encode(const RequestSoundboardSounds& c, const Profile& p,
                                    std::string& out);

template <class C>
concept Command = requires(const C& c, const Profile& p, std::string& out) {
    { C::opcode } -> std::convertible_to<int>;
    { encode(c, p, out) } -> std::same_as<std::error_code>;
};

}  // namespace gatewire::commands
