/// @file
/// Events about the connected account: profile, settings, notes, saved things,
/// memes, relationships, credentials.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/model/favorite_meme.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/message.hpp"
#include "gatewire/model/relationship.hpp"
#include "gatewire/model/user.hpp"
#include "gatewire/model/user_settings.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

struct UserUpdate : PrivateUser {};
BOOST_DESCRIBE_STRUCT(UserUpdate, (PrivateUser), ())

/// The pinned DM channels, in order (a bare array on the wire).
struct UserPinnedDmsUpdate {
    static constexpr bool whole_payload = true;
    std::vector<Snowflake> channel_ids;
};
BOOST_DESCRIBE_STRUCT(UserPinnedDmsUpdate, (), (channel_ids))

struct UserSettingsUpdate : UserSettings {};
BOOST_DESCRIBE_STRUCT(UserSettingsUpdate, (UserSettings), ())

struct UserGuildSettingsUpdate : UserGuildSettings {};
BOOST_DESCRIBE_STRUCT(UserGuildSettingsUpdate, (UserGuildSettings), ())

struct UserNoteUpdate {
    Snowflake id;  ///< the user the note is about
    std::string note;
};
BOOST_DESCRIBE_STRUCT(UserNoteUpdate, (), (id, note))

struct RecentMentionDelete {
    Snowflake message_id;
};
BOOST_DESCRIBE_STRUCT(RecentMentionDelete, (), (message_id))

struct SavedMessageCreate : Message {};
BOOST_DESCRIBE_STRUCT(SavedMessageCreate, (Message), ())

struct SavedMessageDelete {
    Snowflake message_id;
};
BOOST_DESCRIBE_STRUCT(SavedMessageDelete, (), (message_id))

struct FavoriteMemeCreate : FavoriteMeme {};
BOOST_DESCRIBE_STRUCT(FavoriteMemeCreate, (FavoriteMeme), ())

struct FavoriteMemeUpdate : FavoriteMeme {};
BOOST_DESCRIBE_STRUCT(FavoriteMemeUpdate, (FavoriteMeme), ())

struct FavoriteMemeDelete {
    Snowflake meme_id;
};
BOOST_DESCRIBE_STRUCT(FavoriteMemeDelete, (), (meme_id))

/// The account's token was rotated; reconnect with `new_token`.
struct AuthSessionChange {
    std::string old_auth_session_id_hash;
    std::string new_auth_session_id_hash;
    Secret new_token;
};
BOOST_DESCRIBE_STRUCT(AuthSessionChange, (),
                      (old_auth_session_id_hash, new_auth_session_id_hash, new_token))

struct RelationshipAdd : Relationship {};
BOOST_DESCRIBE_STRUCT(RelationshipAdd, (Relationship), ())

struct RelationshipUpdate : Relationship {};
BOOST_DESCRIBE_STRUCT(RelationshipUpdate, (Relationship), ())

struct RelationshipRemove {
    Snowflake id;
    std::optional<RelationshipType> type;
};
BOOST_DESCRIBE_STRUCT(RelationshipRemove, (), (id, type))

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
