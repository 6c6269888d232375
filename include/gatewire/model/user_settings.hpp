/// @file
/// The account's settings and its per-guild notification settings.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/presence.hpp"

namespace gatewire {

/// Who may send friend requests. Discord sends `{all, mutual_friends,
/// mutual_guilds}`; Fluxer a bit set, kept in `flags`.
struct FriendSources {
    std::optional<bool> all;
    std::optional<bool> mutual_friends;
    std::optional<bool> mutual_guilds;
    std::optional<std::uint64_t> flags;  ///< Fluxer
    static constexpr auto bare = &FriendSources::flags;
};
BOOST_DESCRIBE_STRUCT(FriendSources, (), (all, mutual_friends, mutual_guilds, flags))

struct UserSettings {
    std::optional<std::string> status;
    std::optional<Timestamp> status_resets_at;
    std::optional<std::string> status_resets_to;
    std::optional<std::string> theme;
    std::optional<std::string> locale;
    std::vector<Snowflake> restricted_guilds;
    std::vector<Snowflake> bot_restricted_guilds;
    std::optional<bool> default_guilds_restricted;
    std::optional<bool> bot_default_guilds_restricted;
    std::optional<bool> inline_attachment_media;
    std::optional<bool> inline_embed_media;
    std::optional<bool> gif_auto_play;
    std::optional<bool> render_embeds;
    std::optional<bool> render_reactions;
    std::optional<bool> animate_emoji;
    std::optional<std::int32_t> animate_stickers;
    std::optional<std::int32_t> render_spoilers;
    std::optional<bool> message_display_compact;
    std::optional<FriendSources> friend_source_flags;
    std::optional<std::uint64_t> incoming_call_flags;
    std::optional<std::uint64_t> group_dm_add_permission_flags;
    RawJson guild_folders;
    Nullable<CustomStatus> custom_status;
    std::optional<std::int32_t> afk_timeout;
    std::optional<std::int32_t> time_format;
    std::optional<bool> developer_mode;
    std::vector<std::string> trusted_domains;
    std::optional<bool> default_hide_muted_channels;
    std::optional<std::int32_t> sensitive_content_friend_dm_filter;
    std::optional<std::int32_t> sensitive_content_non_friend_dm_filter;
    std::optional<std::int32_t> sensitive_content_guild_filter;
    std::optional<bool> suppress_unprivileged_self_mentions;
    std::optional<std::string> synced_preferences;
    std::optional<std::int32_t> profile_privacy;
    std::optional<bool> default_share_voice_activity;
};
BOOST_DESCRIBE_STRUCT(UserSettings, (),
                      (status, status_resets_at, status_resets_to, theme, locale, restricted_guilds,
                       bot_restricted_guilds, default_guilds_restricted,
                       bot_default_guilds_restricted, inline_attachment_media, inline_embed_media,
                       gif_auto_play, render_embeds, render_reactions, animate_emoji,
                       animate_stickers, render_spoilers, message_display_compact,
                       friend_source_flags, incoming_call_flags, group_dm_add_permission_flags,
                       guild_folders, custom_status, afk_timeout, time_format, developer_mode,
                       trusted_domains, default_hide_muted_channels,
                       sensitive_content_friend_dm_filter, sensitive_content_non_friend_dm_filter,
                       sensitive_content_guild_filter, suppress_unprivileged_self_mentions,
                       synced_preferences, profile_privacy, default_share_voice_activity))

struct UserGuildSettings {
    Nullable<Snowflake> guild_id;  ///< null: the DM settings
    std::optional<std::int32_t> message_notifications;
    std::optional<bool> muted;
    RawJson mute_config;
    std::optional<bool> mobile_push;
    std::optional<bool> suppress_everyone;
    std::optional<bool> suppress_roles;
    std::optional<bool> hide_muted_channels;
    RawJson channel_overrides;
    std::optional<std::int32_t> unread_badges;
    std::optional<std::int32_t> version;
};
BOOST_DESCRIBE_STRUCT(UserGuildSettings, (),
                      (guild_id, message_notifications, muted, mute_config, mobile_push,
                       suppress_everyone, suppress_roles, hide_muted_channels, channel_overrides,
                       unread_badges, version))

/// Per-guild settings in READY. Fluxer sends the list itself; Discord's user
/// accounts `{entries, partial, version}`.
struct UserGuildSettingsList {
    std::vector<UserGuildSettings> entries;
    std::optional<bool> partial;
    std::optional<std::int64_t> version;
    static constexpr auto bare = &UserGuildSettingsList::entries;
};
BOOST_DESCRIBE_STRUCT(UserGuildSettingsList, (), (entries, partial, version))

}  // namespace gatewire
