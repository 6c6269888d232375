/// @file
/// Messages and what they carry: attachments, embeds, reactions, stickers,
/// mentions, references.
#pragma once

#include "gatewire/model/channel.hpp"
#include "gatewire/model/emoji.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/member.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

enum class MessageType : std::int32_t {
    default_ = 0,
    recipient_add = 1,
    recipient_remove = 2,
    call = 3,
    channel_name_change = 4,
    channel_icon_change = 5,
    channel_pinned_message = 6,
    user_join = 7,
    reply = 19,
    chat_input_command = 20,
    thread_starter_message = 21,
    context_menu_command = 23,
};

struct Attachment {
    Snowflake id;
    std::string filename;
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::string> content_type;
    std::optional<std::string> content_hash;  ///< Fluxer
    std::uint64_t size = 0;
    std::optional<std::string> url;
    std::optional<std::string> proxy_url;
    std::optional<std::int32_t> height;
    std::optional<std::int32_t> width;
    std::optional<std::string> placeholder;  ///< Fluxer
    std::optional<bool> ephemeral;
    std::optional<double> duration_secs;
    std::optional<std::int32_t> duration;  ///< Fluxer
    std::optional<std::string> waveform;
    std::optional<std::uint64_t> flags;
    std::optional<bool> nsfw;  ///< Fluxer
    std::optional<Timestamp> expires_at;
    std::optional<bool> expired;
};
BOOST_DESCRIBE_STRUCT(Attachment, (),
                      (id, filename, title, description, content_type, content_hash, size, url,
                       proxy_url, height, width, placeholder, ephemeral, duration_secs, duration,
                       waveform, flags, nsfw, expires_at, expired))

struct EmbedMedia {
    std::optional<std::string> url;
    std::optional<std::string> proxy_url;
    std::optional<std::int32_t> height;
    std::optional<std::int32_t> width;
    std::optional<std::string> content_type;
    std::optional<std::string> content_hash;
    std::optional<std::string> description;
    std::optional<std::string> placeholder;
    std::optional<std::int32_t> duration;
    std::optional<std::uint64_t> flags;
};
BOOST_DESCRIBE_STRUCT(EmbedMedia, (),
                      (url, proxy_url, height, width, content_type, content_hash, description,
                       placeholder, duration, flags))

struct EmbedFooter {
    std::string text;
    std::optional<std::string> icon_url;
    std::optional<std::string> proxy_icon_url;
};
BOOST_DESCRIBE_STRUCT(EmbedFooter, (), (text, icon_url, proxy_icon_url))

/// An embed's author, and (with only name and url) its provider.
struct EmbedAuthor {
    std::optional<std::string> name;
    std::optional<std::string> url;
    std::optional<std::string> icon_url;
    std::optional<std::string> proxy_icon_url;
};
BOOST_DESCRIBE_STRUCT(EmbedAuthor, (), (name, url, icon_url, proxy_icon_url))

struct EmbedField {
    std::string name;
    std::string value;
    std::optional<bool> inline_;
};
BOOST_DESCRIBE_STRUCT(EmbedField, (), (name, value, inline_))

struct Embed {
    std::optional<std::string> title;
    std::optional<std::string> type;
    std::optional<std::string> description;
    std::optional<std::string> url;
    std::optional<Timestamp> timestamp;
    std::optional<std::int32_t> color;
    std::optional<EmbedFooter> footer;
    std::optional<EmbedMedia> image;
    std::optional<EmbedMedia> thumbnail;
    std::optional<EmbedMedia> video;
    std::optional<EmbedMedia> audio;  ///< Fluxer
    std::optional<EmbedAuthor> provider;
    std::optional<EmbedAuthor> author;
    std::vector<EmbedField> fields;
    std::optional<std::string> html;  ///< Fluxer
    std::optional<std::int32_t> html_width;
    std::optional<std::int32_t> html_height;
    std::optional<bool> nsfw;
    std::vector<Embed> children;
    std::optional<std::uint64_t> flags;
};
BOOST_DESCRIBE_STRUCT(Embed, (),
                      (title, type, description, url, timestamp, color, footer, image, thumbnail,
                       video, audio, provider, author, fields, html, html_width, html_height, nsfw,
                       children, flags))

struct ReactionCountDetails {
    std::int32_t burst = 0;
    std::int32_t normal = 0;
};
BOOST_DESCRIBE_STRUCT(ReactionCountDetails, (), (burst, normal))

struct Reaction {
    std::int32_t count = 0;
    std::optional<ReactionCountDetails> count_details;
    std::optional<bool> me;
    std::optional<bool> me_burst;
    Emoji emoji;
    std::vector<std::string> burst_colors;
};
BOOST_DESCRIBE_STRUCT(Reaction, (), (count, count_details, me, me_burst, emoji, burst_colors))

struct MessageReference {
    std::optional<std::int32_t> type;
    std::optional<Snowflake> message_id;
    std::optional<Snowflake> channel_id;
    std::optional<Snowflake> guild_id;
    std::optional<bool> fail_if_not_exists;
};
BOOST_DESCRIBE_STRUCT(MessageReference, (),
                      (type, message_id, channel_id, guild_id, fail_if_not_exists))

struct ChannelMention {
    Snowflake id;
    std::optional<Snowflake> guild_id;
    ChannelType type = ChannelType::guild_text;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(ChannelMention, (), (id, guild_id, type, name))

struct MessageActivity {
    std::int32_t type = 0;
    std::optional<std::string> party_id;
};
BOOST_DESCRIBE_STRUCT(MessageActivity, (), (type, party_id))

struct StickerItem {
    Snowflake id;
    std::string name;
    std::optional<std::int32_t> format_type;
    std::optional<bool> animated;  ///< Fluxer
    std::optional<bool> nsfw;      ///< Fluxer
};
BOOST_DESCRIBE_STRUCT(StickerItem, (), (id, name, format_type, animated, nsfw))

/// A mentioned user; in gateway messages it carries the partial member too.
struct MentionedUser : User {
    std::optional<Member> member;
};
BOOST_DESCRIBE_STRUCT(MentionedUser, (User), (member))

/// The (deprecated, still sent) summary of the interaction a message answers.
struct MessageInteraction {
    Snowflake id;
    std::int32_t type = 0;
    std::string name;
    std::optional<User> user;
    std::optional<Member> member;
};
BOOST_DESCRIBE_STRUCT(MessageInteraction, (), (id, type, name, user, member))

/// A nonce is whatever the sender chose: a string or an integer, kept as text.
struct Nonce {
    std::string text;
    bool operator==(const Nonce&) const = default;
};

struct Message;

/// A forwarded message. Discord nests it under `message`; Fluxer sends the
/// fields directly (and mentions as ids).
struct MessageSnapshot {
    std::shared_ptr<const Message> message;
    std::optional<std::string> content;
    std::optional<Timestamp> timestamp;
    Nullable<Timestamp> edited_timestamp;
    std::vector<Snowflake> mentions;
    std::vector<Snowflake> mention_roles;
    std::vector<Embed> embeds;
    std::vector<Attachment> attachments;
    std::vector<StickerItem> stickers;
    std::optional<MessageType> type;
    std::optional<std::uint64_t> flags;
};
BOOST_DESCRIBE_STRUCT(MessageSnapshot, (),
                      (message, content, timestamp, edited_timestamp, mentions, mention_roles,
                       embeds, attachments, stickers, type, flags))

struct Message {
    Snowflake id;
    Snowflake channel_id;
    std::optional<Snowflake> guild_id;  ///< gateway only
    std::optional<User> author;         ///< absent in partial updates
    std::optional<Member> member;       ///< gateway only, guild messages
    std::optional<std::string> content;
    std::optional<Timestamp> timestamp;
    Nullable<Timestamp> edited_timestamp;
    std::optional<bool> tts;
    std::optional<bool> mention_everyone;
    std::vector<MentionedUser> mentions;
    std::vector<Snowflake> mention_roles;
    std::vector<ChannelMention> mention_channels;
    std::vector<Attachment> attachments;
    std::vector<Embed> embeds;
    std::vector<Reaction> reactions;
    std::optional<Nonce> nonce;
    std::optional<bool> pinned;
    std::optional<Snowflake> webhook_id;
    std::optional<MessageType> type;
    std::optional<MessageActivity> activity;
    RawJson application;
    std::optional<Snowflake> application_id;
    std::optional<std::uint64_t> flags;
    std::optional<MessageReference> message_reference;
    std::vector<MessageSnapshot> message_snapshots;
    /// Absent: not fetched. Null: the referenced message was deleted.
    Nullable<std::shared_ptr<const Message>> referenced_message;
    RawJson interaction_metadata;
    std::optional<MessageInteraction> interaction;
    std::optional<Channel> thread;
    RawJson components;
    std::vector<StickerItem> sticker_items;
    std::vector<StickerItem> stickers;
    std::optional<std::int32_t> position;
    RawJson role_subscription_data;
    RawJson resolved;
    RawJson poll;
    RawJson call;
    std::vector<User> users;                  ///< Fluxer, from here on
    std::vector<Snowflake> nsfw_emojis;       //
    std::optional<ChannelType> channel_type;  ///< MESSAGE_CREATE
};
BOOST_DESCRIBE_STRUCT(Message, (),
                      (id, channel_id, guild_id, author, member, content, timestamp,
                       edited_timestamp, tts, mention_everyone, mentions, mention_roles,
                       mention_channels, attachments, embeds, reactions, nonce, pinned, webhook_id,
                       type, activity, application, application_id, flags, message_reference,
                       message_snapshots, referenced_message, interaction_metadata, interaction,
                       thread, components, sticker_items, stickers, position,
                       role_subscription_data, resolved, poll, call, users, nsfw_emojis,
                       channel_type))

}  // namespace gatewire
