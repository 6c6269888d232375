/// @file
/// Presences: status, per-platform status, activities and (Fluxer) custom status.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct ActivityTimestamps {
    std::optional<Timestamp> start;
    std::optional<Timestamp> end;
};
BOOST_DESCRIBE_STRUCT(ActivityTimestamps, (), (start, end))

struct ActivityEmoji {
    std::string name;
    std::optional<Snowflake> id;
    std::optional<bool> animated;
};
BOOST_DESCRIBE_STRUCT(ActivityEmoji, (), (name, id, animated))

struct ActivityParty {
    std::optional<std::string> id;
    std::vector<std::int64_t> size;  ///< [current, max]
};
BOOST_DESCRIBE_STRUCT(ActivityParty, (), (id, size))

struct ActivityAssets {
    std::optional<std::string> large_image;
    std::optional<std::string> large_text;
    std::optional<std::string> small_image;
    std::optional<std::string> small_text;
};
BOOST_DESCRIBE_STRUCT(ActivityAssets, (), (large_image, large_text, small_image, small_text))

struct Activity {
    std::string name;
    std::int32_t type = 0;
    Nullable<std::string> url;
    std::optional<Timestamp> created_at;
    std::optional<ActivityTimestamps> timestamps;
    std::optional<Snowflake> application_id;
    std::optional<std::int32_t> status_display_type;
    Nullable<std::string> details;
    Nullable<std::string> state;
    Nullable<ActivityEmoji> emoji;
    std::optional<ActivityParty> party;
    std::optional<ActivityAssets> assets;
    RawJson secrets;
    std::optional<bool> instance;
    std::optional<std::uint64_t> flags;
    RawJson buttons;  ///< labels when received
    std::optional<std::string> sync_id;
    std::optional<std::string> session_id;
    std::optional<std::string> platform;
};
BOOST_DESCRIBE_STRUCT(Activity, (),
                      (name, type, url, created_at, timestamps, application_id, status_display_type,
                       details, state, emoji, party, assets, secrets, instance, flags, buttons,
                       sync_id, session_id, platform))

struct ClientStatus {
    std::optional<std::string> desktop;
    std::optional<std::string> mobile;
    std::optional<std::string> web;
};
BOOST_DESCRIBE_STRUCT(ClientStatus, (), (desktop, mobile, web))

/// Fluxer's custom status.
struct CustomStatus {
    std::optional<std::string> text;
    std::optional<Timestamp> expires_at;
    std::optional<Snowflake> emoji_id;
    std::optional<std::string> emoji_name;
    std::optional<bool> emoji_animated;
};
BOOST_DESCRIBE_STRUCT(CustomStatus, (), (text, expires_at, emoji_id, emoji_name, emoji_animated))

struct Presence {
    User user;  ///< often only `id`
    std::optional<Snowflake> guild_id;
    std::string status;  ///< online, idle, dnd, invisible, offline
    std::vector<Activity> activities;
    std::optional<ClientStatus> client_status;
    std::optional<bool> mobile;            ///< Fluxer
    std::optional<bool> afk;               ///< Fluxer
    Nullable<CustomStatus> custom_status;  ///< Fluxer: null when unset or offline
};
BOOST_DESCRIBE_STRUCT(Presence, (),
                      (user, guild_id, status, activities, client_status, mobile, afk,
                       custom_status))

}  // namespace gatewire
