/// @file
/// Channels and threads: guild channels, DMs, group DMs, forum posts.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

/// Unknown values are kept as they are: compare against these, never switch
/// on the assumption that the list is complete.
enum class ChannelType : std::int32_t {
    guild_text = 0,
    dm = 1,
    guild_voice = 2,
    group_dm = 3,
    guild_category = 4,
    guild_announcement = 5,
    announcement_thread = 10,
    public_thread = 11,
    private_thread = 12,
    guild_stage_voice = 13,
    guild_directory = 14,
    guild_forum = 15,
    guild_media = 16,
};

/// Who an overwrite applies to. v6-era payloads said "role"/"member"; both
/// spellings decode to these values.
enum class OverwriteType : std::int32_t { role = 0, member = 1 };

struct Overwrite {
    Snowflake id;
    OverwriteType type = OverwriteType::role;
    Permissions allow;
    Permissions deny;
};
BOOST_DESCRIBE_STRUCT(Overwrite, (), (id, type, allow, deny))

struct ThreadMetadata {
    bool archived = false;
    std::int32_t auto_archive_duration = 0;
    std::optional<Timestamp> archive_timestamp;
    bool locked = false;
    std::optional<bool> invitable;
    Nullable<Timestamp> create_timestamp;
};
BOOST_DESCRIBE_STRUCT(ThreadMetadata, (),
                      (archived, auto_archive_duration, archive_timestamp, locked, invitable,
                       create_timestamp))

struct ForumTag {
    Snowflake id;
    std::string name;
    bool moderated = false;
    std::optional<Snowflake> emoji_id;
    std::optional<std::string> emoji_name;
};
BOOST_DESCRIBE_STRUCT(ForumTag, (), (id, name, moderated, emoji_id, emoji_name))

struct DefaultReaction {
    std::optional<Snowflake> emoji_id;
    std::optional<std::string> emoji_name;
};
BOOST_DESCRIBE_STRUCT(DefaultReaction, (), (emoji_id, emoji_name))

struct Channel {
    Snowflake id;
    ChannelType type = ChannelType::guild_text;
    std::optional<Snowflake> guild_id;
    std::optional<std::int32_t> position;
    std::vector<Overwrite> permission_overwrites;
    std::optional<std::string> name;
    Nullable<std::string> topic;
    std::optional<bool> nsfw;
    Nullable<Snowflake> last_message_id;
    std::optional<std::int32_t> bitrate;
    std::optional<std::int32_t> user_limit;
    std::optional<std::int32_t> rate_limit_per_user;
    std::vector<User> recipients;
    Nullable<std::string> icon;
    std::optional<Snowflake> owner_id;
    std::optional<Snowflake> application_id;
    std::optional<bool> managed;
    Nullable<Snowflake> parent_id;
    Nullable<Timestamp> last_pin_timestamp;
    Nullable<std::string> rtc_region;
    std::optional<std::int32_t> video_quality_mode;
    std::optional<std::int32_t> message_count;
    std::optional<std::int32_t> member_count;
    std::optional<ThreadMetadata> thread_metadata;
    std::optional<std::int32_t> default_auto_archive_duration;
    std::optional<Permissions> permissions;
    std::optional<std::uint64_t> flags;
    std::optional<std::int32_t> total_message_sent;
    std::vector<ForumTag> available_tags;
    std::vector<Snowflake> applied_tags;
    std::optional<DefaultReaction> default_reaction_emoji;
    std::optional<std::int32_t> default_thread_rate_limit_per_user;
    std::optional<std::int32_t> default_sort_order;
    std::optional<std::int32_t> default_forum_layout;
    std::optional<std::string> url;  ///< Fluxer, from here on
    std::optional<std::int32_t> voice_connection_limit;
    std::optional<bool> nsfw_override;
    std::optional<std::int32_t> content_warning_level;
    std::optional<std::string> content_warning_text;
    RawJson nicks;  ///< Fluxer: group DM nicknames by user id
};
BOOST_DESCRIBE_STRUCT(Channel, (),
                      (id, type, guild_id, position, permission_overwrites, name, topic, nsfw,
                       last_message_id, bitrate, user_limit, rate_limit_per_user, recipients, icon,
                       owner_id, application_id, managed, parent_id, last_pin_timestamp, rtc_region,
                       video_quality_mode, message_count, member_count, thread_metadata,
                       default_auto_archive_duration, permissions, flags, total_message_sent,
                       available_tags, applied_tags, default_reaction_emoji,
                       default_thread_rate_limit_per_user, default_sort_order, default_forum_layout,
                       url, voice_connection_limit, nsfw_override, content_warning_level,
                       content_warning_text, nicks))

}  // namespace gatewire
