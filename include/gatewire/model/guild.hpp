/// @file
/// Guilds. The guild's own properties sit in GuildProperties; Guild adds what
/// GUILD_CREATE carries on top. Fluxer nests the properties under
/// `properties`; both shapes decode to the same struct.
#pragma once

#include "gatewire/model/channel.hpp"
#include "gatewire/model/emoji.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/member.hpp"
#include "gatewire/model/presence.hpp"
#include "gatewire/model/role.hpp"
#include "gatewire/model/scheduled_event.hpp"
#include "gatewire/model/soundboard_sound.hpp"
#include "gatewire/model/stage_instance.hpp"
#include "gatewire/model/sticker.hpp"
#include "gatewire/model/voice_state.hpp"

namespace gatewire {

/// Images, names and the settings of a guild.
struct GuildProperties {
    Snowflake id;
    std::optional<std::string> name;
    Nullable<std::string> icon;
    Nullable<std::string> icon_hash;
    Nullable<std::string> splash;
    Nullable<std::string> discovery_splash;
    Nullable<std::string> banner;
    Nullable<std::string> description;
    std::optional<Snowflake> owner_id;
    std::optional<bool> owner;
    std::optional<Permissions> permissions;
    std::optional<std::string> region;  ///< removed from the API; old payloads carry it
    Nullable<Snowflake> afk_channel_id;
    std::optional<std::int32_t> afk_timeout;
    std::optional<bool> widget_enabled;
    Nullable<Snowflake> widget_channel_id;
    std::optional<std::int32_t> verification_level;
    std::optional<std::int32_t> default_message_notifications;
    std::optional<std::int32_t> explicit_content_filter;
    std::vector<std::string> features;
    std::optional<std::int32_t> mfa_level;
    Nullable<Snowflake> application_id;
    Nullable<Snowflake> system_channel_id;
    std::optional<std::uint64_t> system_channel_flags;
    Nullable<Snowflake> rules_channel_id;
    Nullable<Snowflake> public_updates_channel_id;
    Nullable<Snowflake> safety_alerts_channel_id;
    std::optional<std::int32_t> max_presences;
    std::optional<std::int32_t> max_members;
    std::optional<std::int32_t> max_video_channel_users;
    std::optional<std::int32_t> max_stage_video_channel_users;
    Nullable<std::string> vanity_url_code;
    std::optional<std::int32_t> premium_tier;
    std::optional<std::int32_t> premium_subscription_count;
    std::optional<bool> premium_progress_bar_enabled;
    std::optional<std::string> preferred_locale;
    std::optional<std::int32_t> nsfw_level;
    std::optional<std::int32_t> approximate_member_count;
    std::optional<std::int32_t> approximate_presence_count;
    RawJson welcome_screen;
    RawJson incidents_data;
    std::vector<Role> roles;
    std::vector<Emoji> emojis;
    std::vector<Sticker> stickers;
};
BOOST_DESCRIBE_STRUCT(GuildProperties, (),
                      (id, name, icon, icon_hash, splash, discovery_splash, banner, description,
                       owner_id, owner, permissions, region, afk_channel_id, afk_timeout,
                       widget_enabled, widget_channel_id, verification_level,
                       default_message_notifications, explicit_content_filter, features, mfa_level,
                       application_id, system_channel_id, system_channel_flags, rules_channel_id,
                       public_updates_channel_id, safety_alerts_channel_id, max_presences,
                       max_members, max_video_channel_users, max_stage_video_channel_users,
                       vanity_url_code, premium_tier, premium_subscription_count,
                       premium_progress_bar_enabled, preferred_locale, nsfw_level,
                       approximate_member_count, approximate_presence_count, welcome_screen,
                       incidents_data, roles, emojis, stickers))

/// Fluxer's additions to a guild's properties.
struct FluxerGuildProperties : GuildProperties {
    std::optional<std::int32_t> banner_width;
    std::optional<std::int32_t> banner_height;
    std::optional<std::int32_t> splash_width;
    std::optional<std::int32_t> splash_height;
    std::optional<std::int32_t> splash_card_alignment;
    Nullable<std::string> embed_splash;
    std::optional<std::int32_t> embed_splash_width;
    std::optional<std::int32_t> embed_splash_height;
    std::optional<bool> nsfw;
    std::optional<std::int32_t> content_warning_level;
    Nullable<std::string> content_warning_text;
    std::optional<std::uint64_t> disabled_operations;
    Nullable<Timestamp> message_history_cutoff;
};
BOOST_DESCRIBE_STRUCT(FluxerGuildProperties, (GuildProperties),
                      (banner_width, banner_height, splash_width, splash_height,
                       splash_card_alignment, embed_splash, embed_splash_width, embed_splash_height,
                       nsfw, content_warning_level, content_warning_text, disabled_operations,
                       message_history_cutoff))

/// A guild as GUILD_CREATE delivers it (GUILD_UPDATE fills the properties only).
struct Guild : FluxerGuildProperties {
    std::optional<Timestamp> joined_at;
    std::optional<bool> large;
    std::optional<bool> unavailable;
    std::optional<bool> lazy;  ///< Fluxer
    std::optional<std::int32_t> member_count;
    std::optional<std::int32_t> online_count;  ///< Fluxer
    std::vector<VoiceState> voice_states;
    std::vector<Member> members;
    std::vector<Channel> channels;
    std::vector<Channel> threads;
    std::vector<Presence> presences;
    std::vector<StageInstance> stage_instances;
    std::vector<ScheduledEvent> guild_scheduled_events;
    std::vector<SoundboardSound> soundboard_sounds;
};
BOOST_DESCRIBE_STRUCT(Guild, (FluxerGuildProperties),
                      (joined_at, large, unavailable, lazy, member_count, online_count,
                       voice_states, members, channels, threads, presences, stage_instances,
                       guild_scheduled_events, soundboard_sounds))

/// A guild the account is in but that is not loaded yet (READY, GUILD_DELETE).
struct UnavailableGuild {
    Snowflake id;
    std::optional<bool> unavailable;
};
BOOST_DESCRIBE_STRUCT(UnavailableGuild, (), (id, unavailable))

}  // namespace gatewire
