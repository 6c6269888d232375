/// @file
/// Channel and thread events, pins, group DM recipients.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/model/channel.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/thread_member.hpp"
#include "gatewire/model/user.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

struct ChannelCreate : Channel {};
BOOST_DESCRIBE_STRUCT(ChannelCreate, (Channel), ())

struct ChannelUpdate : Channel {};
BOOST_DESCRIBE_STRUCT(ChannelUpdate, (Channel), ())

struct ChannelDelete : Channel {};
BOOST_DESCRIBE_STRUCT(ChannelDelete, (Channel), ())

struct ChannelUpdateBulk {
    std::optional<Snowflake> guild_id;
    std::vector<Channel> channels;
};
BOOST_DESCRIBE_STRUCT(ChannelUpdateBulk, (), (guild_id, channels))

struct ChannelPinsUpdate {
    std::optional<Snowflake> guild_id;
    Snowflake channel_id;
    Nullable<Timestamp> last_pin_timestamp;  ///< null: no pins remain
};
BOOST_DESCRIBE_STRUCT(ChannelPinsUpdate, (), (guild_id, channel_id, last_pin_timestamp))

struct ChannelPinsAck {
    Snowflake channel_id;
    std::optional<Timestamp> timestamp;
};
BOOST_DESCRIBE_STRUCT(ChannelPinsAck, (), (channel_id, timestamp))

struct ChannelRecipientAdd {
    Snowflake channel_id;
    User user;
    std::optional<std::string> nick;
};
BOOST_DESCRIBE_STRUCT(ChannelRecipientAdd, (), (channel_id, user, nick))

struct ChannelRecipientRemove {
    Snowflake channel_id;
    User user;
};
BOOST_DESCRIBE_STRUCT(ChannelRecipientRemove, (), (channel_id, user))

struct ChannelInfoEntry {
    Snowflake id;
    Nullable<std::string> status;
    Nullable<Timestamp> voice_start_time;
};
BOOST_DESCRIBE_STRUCT(ChannelInfoEntry, (), (id, status, voice_start_time))

/// The reply to Request Channel Info.
struct ChannelInfo {
    Snowflake guild_id;
    std::vector<ChannelInfoEntry> channels;
};
BOOST_DESCRIBE_STRUCT(ChannelInfo, (), (guild_id, channels))

struct VoiceChannelStatusUpdate {
    Snowflake id;
    Snowflake guild_id;
    Nullable<std::string> status;
};
BOOST_DESCRIBE_STRUCT(VoiceChannelStatusUpdate, (), (id, guild_id, status))

struct VoiceChannelStartTimeUpdate {
    Snowflake id;
    Snowflake guild_id;
    Nullable<Timestamp> voice_start_time;
};
BOOST_DESCRIBE_STRUCT(VoiceChannelStartTimeUpdate, (), (id, guild_id, voice_start_time))

struct ThreadCreate : Channel {
    std::optional<bool> newly_created;
    std::optional<ThreadMember> member;
};
BOOST_DESCRIBE_STRUCT(ThreadCreate, (Channel), (newly_created, member))

struct ThreadUpdate : Channel {};
BOOST_DESCRIBE_STRUCT(ThreadUpdate, (Channel), ())

struct ThreadDelete : Channel {};
BOOST_DESCRIBE_STRUCT(ThreadDelete, (Channel), ())

struct ThreadListSync {
    Snowflake guild_id;
    std::vector<Snowflake> channel_ids;
    std::vector<Channel> threads;
    std::vector<ThreadMember> members;
};
BOOST_DESCRIBE_STRUCT(ThreadListSync, (), (guild_id, channel_ids, threads, members))

struct ThreadMemberUpdate : ThreadMember {};
BOOST_DESCRIBE_STRUCT(ThreadMemberUpdate, (ThreadMember), ())

struct ThreadMembersUpdate {
    Snowflake id;
    Snowflake guild_id;
    std::int32_t member_count = 0;
    std::vector<ThreadMember> added_members;
    std::vector<Snowflake> removed_member_ids;
};
BOOST_DESCRIBE_STRUCT(ThreadMembersUpdate, (),
                      (id, guild_id, member_count, added_members, removed_member_ids))

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
