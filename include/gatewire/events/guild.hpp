/// @file
/// Guild events: the guild itself, bans, expressions, members, roles,
/// scheduled events, soundboard, integrations, audit log, invites, webhooks.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/model/audit_log_entry.hpp"
#include "gatewire/model/emoji.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/guild.hpp"
#include "gatewire/model/integration.hpp"
#include "gatewire/model/invite.hpp"
#include "gatewire/model/member.hpp"
#include "gatewire/model/presence.hpp"
#include "gatewire/model/role.hpp"
#include "gatewire/model/scheduled_event.hpp"
#include "gatewire/model/soundboard_sound.hpp"
#include "gatewire/model/sticker.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

struct GuildCreate : Guild {
    static constexpr std::string_view nested_properties = "properties";  ///< Fluxer's shape
};
BOOST_DESCRIBE_STRUCT(GuildCreate, (Guild), ())

struct GuildUpdate : Guild {
    static constexpr std::string_view nested_properties = "properties";
};
BOOST_DESCRIBE_STRUCT(GuildUpdate, (Guild), ())

/// `unavailable` true: an outage; absent: the account left or was removed.
struct GuildDelete : UnavailableGuild {};
BOOST_DESCRIBE_STRUCT(GuildDelete, (UnavailableGuild), ())

struct GuildAuditLogEntryCreate : AuditLogEntry {};
BOOST_DESCRIBE_STRUCT(GuildAuditLogEntryCreate, (AuditLogEntry), ())

struct GuildBanAdd {
    std::optional<Snowflake> guild_id;
    User user;
};
BOOST_DESCRIBE_STRUCT(GuildBanAdd, (), (guild_id, user))

struct GuildBanRemove {
    std::optional<Snowflake> guild_id;
    User user;
};
BOOST_DESCRIBE_STRUCT(GuildBanRemove, (), (guild_id, user))

struct GuildEmojisUpdate {
    std::optional<Snowflake> guild_id;
    std::vector<Emoji> emojis;
};
BOOST_DESCRIBE_STRUCT(GuildEmojisUpdate, (), (guild_id, emojis))

struct GuildStickersUpdate {
    std::optional<Snowflake> guild_id;
    std::vector<Sticker> stickers;
};
BOOST_DESCRIBE_STRUCT(GuildStickersUpdate, (), (guild_id, stickers))

struct GuildIntegrationsUpdate {
    Snowflake guild_id;
};
BOOST_DESCRIBE_STRUCT(GuildIntegrationsUpdate, (), (guild_id))

struct GuildMemberAdd : Member {};
BOOST_DESCRIBE_STRUCT(GuildMemberAdd, (Member), ())

struct GuildMemberUpdate : Member {};
BOOST_DESCRIBE_STRUCT(GuildMemberUpdate, (Member), ())

struct GuildMemberRemove {
    std::optional<Snowflake> guild_id;
    User user;
};
BOOST_DESCRIBE_STRUCT(GuildMemberRemove, (), (guild_id, user))

/// One reply to a member request; `nonce` ties the chunks of one request.
struct GuildMembersChunk {
    Snowflake guild_id;
    std::vector<Member> members;
    std::int32_t chunk_index = 0;
    std::int32_t chunk_count = 0;
    std::vector<Snowflake> not_found;
    std::vector<Presence> presences;
    std::optional<std::string> nonce;
};
BOOST_DESCRIBE_STRUCT(GuildMembersChunk, (),
                      (guild_id, members, chunk_index, chunk_count, not_found, presences, nonce))

struct GuildRoleCreate {
    std::optional<Snowflake> guild_id;
    Role role;
};
BOOST_DESCRIBE_STRUCT(GuildRoleCreate, (), (guild_id, role))

struct GuildRoleUpdate {
    std::optional<Snowflake> guild_id;
    Role role;
};
BOOST_DESCRIBE_STRUCT(GuildRoleUpdate, (), (guild_id, role))

struct GuildRoleUpdateBulk {
    std::optional<Snowflake> guild_id;
    std::vector<Role> roles;
};
BOOST_DESCRIBE_STRUCT(GuildRoleUpdateBulk, (), (guild_id, roles))

struct GuildRoleDelete {
    std::optional<Snowflake> guild_id;
    Snowflake role_id;
};
BOOST_DESCRIBE_STRUCT(GuildRoleDelete, (), (guild_id, role_id))

struct GuildScheduledEventCreate : ScheduledEvent {};
BOOST_DESCRIBE_STRUCT(GuildScheduledEventCreate, (ScheduledEvent), ())

struct GuildScheduledEventUpdate : ScheduledEvent {};
BOOST_DESCRIBE_STRUCT(GuildScheduledEventUpdate, (ScheduledEvent), ())

struct GuildScheduledEventDelete : ScheduledEvent {};
BOOST_DESCRIBE_STRUCT(GuildScheduledEventDelete, (ScheduledEvent), ())

struct GuildScheduledEventUserAdd {
    Snowflake guild_scheduled_event_id;
    Snowflake user_id;
    Snowflake guild_id;
};
BOOST_DESCRIBE_STRUCT(GuildScheduledEventUserAdd, (), (guild_scheduled_event_id, user_id, guild_id))

struct GuildScheduledEventUserRemove {
    Snowflake guild_scheduled_event_id;
    Snowflake user_id;
    Snowflake guild_id;
};
BOOST_DESCRIBE_STRUCT(GuildScheduledEventUserRemove, (),
                      (guild_scheduled_event_id, user_id, guild_id))

struct GuildSoundboardSoundCreate : SoundboardSound {};
BOOST_DESCRIBE_STRUCT(GuildSoundboardSoundCreate, (SoundboardSound), ())

struct GuildSoundboardSoundUpdate : SoundboardSound {};
BOOST_DESCRIBE_STRUCT(GuildSoundboardSoundUpdate, (SoundboardSound), ())

struct GuildSoundboardSoundDelete {
    Snowflake sound_id;
    Snowflake guild_id;
};
BOOST_DESCRIBE_STRUCT(GuildSoundboardSoundDelete, (), (sound_id, guild_id))

struct GuildSoundboardSoundsUpdate {
    std::vector<SoundboardSound> soundboard_sounds;
    Snowflake guild_id;
};
BOOST_DESCRIBE_STRUCT(GuildSoundboardSoundsUpdate, (), (soundboard_sounds, guild_id))

/// The reply to Request Soundboard Sounds (op 31).
struct SoundboardSounds {
    std::vector<SoundboardSound> soundboard_sounds;
    Snowflake guild_id;
};
BOOST_DESCRIBE_STRUCT(SoundboardSounds, (), (soundboard_sounds, guild_id))

struct IntegrationCreate : Integration {};
BOOST_DESCRIBE_STRUCT(IntegrationCreate, (Integration), ())

struct IntegrationUpdate : Integration {};
BOOST_DESCRIBE_STRUCT(IntegrationUpdate, (Integration), ())

struct IntegrationDelete {
    Snowflake id;
    Snowflake guild_id;
    std::optional<Snowflake> application_id;
};
BOOST_DESCRIBE_STRUCT(IntegrationDelete, (), (id, guild_id, application_id))

struct InviteCreate : Invite {};
BOOST_DESCRIBE_STRUCT(InviteCreate, (Invite), ())

struct InviteDelete {
    std::optional<Snowflake> channel_id;
    std::optional<Snowflake> guild_id;
    std::string code;
};
BOOST_DESCRIBE_STRUCT(InviteDelete, (), (channel_id, guild_id, code))

/// A channel's webhooks changed; fetch them again.
struct WebhooksUpdate {
    std::optional<Snowflake> guild_id;
    Snowflake channel_id;
};
BOOST_DESCRIBE_STRUCT(WebhooksUpdate, (), (guild_id, channel_id))

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
