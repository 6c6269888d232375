/// @file
/// Message events: create, update, delete, reactions, polls, read state, typing.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/model/emoji.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/member.hpp"
#include "gatewire/model/message.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

struct MessageCreate : Message {};
BOOST_DESCRIBE_STRUCT(MessageCreate, (Message), ())

/// Often partial: only `id`, `channel_id` and what changed are certain.
struct MessageUpdate : Message {};
BOOST_DESCRIBE_STRUCT(MessageUpdate, (Message), ())

struct MessageDelete {
    Snowflake id;
    Snowflake channel_id;
    std::optional<Snowflake> guild_id;
    std::optional<std::string> content;  ///< Fluxer
    std::optional<Snowflake> author_id;  ///< Fluxer
};
BOOST_DESCRIBE_STRUCT(MessageDelete, (), (id, channel_id, guild_id, content, author_id))

struct MessageDeleteBulk {
    std::vector<Snowflake> ids;
    Snowflake channel_id;
    std::optional<Snowflake> guild_id;
};
BOOST_DESCRIBE_STRUCT(MessageDeleteBulk, (), (ids, channel_id, guild_id))

/// What MESSAGE_REACTION_ADD and _REMOVE carry.
struct MessageReaction {
    Snowflake user_id;
    Snowflake channel_id;
    Snowflake message_id;
    std::optional<Snowflake> guild_id;
    std::optional<Member> member;
    Emoji emoji;
    std::optional<Snowflake> message_author_id;
    std::optional<bool> burst;
    std::vector<std::string> burst_colors;
    std::optional<std::int32_t> type;       ///< 0 normal, 1 burst
    std::optional<std::string> session_id;  ///< Fluxer
};
BOOST_DESCRIBE_STRUCT(MessageReaction, (),
                      (user_id, channel_id, message_id, guild_id, member, emoji, message_author_id,
                       burst, burst_colors, type, session_id))

struct MessageReactionAdd : MessageReaction {};
BOOST_DESCRIBE_STRUCT(MessageReactionAdd, (MessageReaction), ())

struct MessageReactionRemove : MessageReaction {};
BOOST_DESCRIBE_STRUCT(MessageReactionRemove, (MessageReaction), ())

struct MessageReactionRemoveAll {
    Snowflake channel_id;
    Snowflake message_id;
    std::optional<Snowflake> guild_id;
};
BOOST_DESCRIBE_STRUCT(MessageReactionRemoveAll, (), (channel_id, message_id, guild_id))

struct MessageReactionRemoveEmoji {
    Snowflake channel_id;
    std::optional<Snowflake> guild_id;
    Snowflake message_id;
    Emoji emoji;
};
BOOST_DESCRIBE_STRUCT(MessageReactionRemoveEmoji, (), (channel_id, guild_id, message_id, emoji))

struct MessagePollVote {
    Snowflake user_id;
    Snowflake channel_id;
    Snowflake message_id;
    std::optional<Snowflake> guild_id;
    std::int32_t answer_id = 0;
};
BOOST_DESCRIBE_STRUCT(MessagePollVote, (), (user_id, channel_id, message_id, guild_id, answer_id))

struct MessagePollVoteAdd : MessagePollVote {};
BOOST_DESCRIBE_STRUCT(MessagePollVoteAdd, (MessagePollVote), ())

struct MessagePollVoteRemove : MessagePollVote {};
BOOST_DESCRIBE_STRUCT(MessagePollVoteRemove, (MessagePollVote), ())

/// The account read a channel up to a message (Fluxer).
struct MessageAck {
    Snowflake channel_id;
    Snowflake message_id;
    std::optional<std::int32_t> mention_count;
    std::optional<bool> manual;
    std::optional<std::int32_t> version;
};
BOOST_DESCRIBE_STRUCT(MessageAck, (), (channel_id, message_id, mention_count, manual, version))

/// `timestamp`: Discord sends Unix seconds, Fluxer milliseconds; both arrive
/// as the same point in time.
struct TypingStart {
    Snowflake channel_id;
    std::optional<Snowflake> guild_id;
    Snowflake user_id;
    Timestamp timestamp;
    std::optional<Member> member;
};
BOOST_DESCRIBE_STRUCT(TypingStart, (), (channel_id, guild_id, user_id, timestamp, member))

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
