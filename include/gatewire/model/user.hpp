/// @file
/// Users: the public view every event carries, and the private view of oneself.
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

enum class PremiumType : std::int32_t { none = 0, nitro_classic = 1, nitro = 2, nitro_basic = 3 };

struct AvatarDecoration {
    std::string asset;
    Snowflake sku_id;
};
BOOST_DESCRIBE_STRUCT(AvatarDecoration, (), (asset, sku_id))

/// A user as others see it. Partial users (presences, member removals) carry
/// only `id`; everything else may be absent.
struct User {
    Snowflake id;
    std::optional<std::string> username;
    std::optional<std::string> discriminator;
    std::optional<std::string> global_name;
    std::optional<std::string> avatar;
    std::optional<std::int32_t> avatar_color;  ///< Fluxer
    std::optional<AvatarDecoration> avatar_decoration_data;
    std::optional<std::string> banner;
    std::optional<std::int32_t> accent_color;
    std::optional<bool> bot;
    std::optional<bool> system;
    std::optional<std::uint64_t> public_flags;
    std::optional<std::uint64_t> flags;
    std::optional<std::uint64_t> mention_flags;  ///< Fluxer
};
BOOST_DESCRIBE_STRUCT(User, (),
                      (id, username, discriminator, global_name, avatar, avatar_color,
                       avatar_decoration_data, banner, accent_color, bot, system, public_flags,
                       flags, mention_flags))

/// The connected account itself (READY, USER_UPDATE).
struct PrivateUser : User {
    std::optional<bool> mfa_enabled;
    std::optional<bool> verified;
    std::optional<std::string> email;
    std::optional<bool> email_bounced;  ///< Fluxer
    std::optional<std::string> phone;
    std::optional<bool> has_verified_phone;
    std::optional<std::string> locale;
    std::optional<PremiumType> premium_type;
    std::optional<std::string> bio;
    std::optional<std::string> pronouns;
    std::optional<std::int32_t> banner_color;
    std::optional<bool> is_staff;  ///< Fluxer, from here on
    std::vector<std::string> acls;
    std::vector<std::string> traits;
    std::optional<std::string> timezone;
    std::optional<Timestamp> premium_since;
    std::optional<Timestamp> premium_until;
    std::optional<bool> premium_will_cancel;
    std::optional<std::string> premium_billing_cycle;
    std::optional<bool> nsfw_allowed;
    std::vector<std::string> required_actions;
    std::optional<Timestamp> password_last_changed_at;
    std::optional<Timestamp> terms_agreed_at;
    std::optional<Timestamp> privacy_agreed_at;
    std::optional<bool> age_verified_adult;
    std::optional<std::int32_t> unread_gift_inventory_count;
};
BOOST_DESCRIBE_STRUCT(PrivateUser, (User),
                      (mfa_enabled, verified, email, email_bounced, phone, has_verified_phone,
                       locale, premium_type, bio, pronouns, banner_color, is_staff, acls, traits,
                       timezone, premium_since, premium_until, premium_will_cancel,
                       premium_billing_cycle, nsfw_allowed, required_actions,
                       password_last_changed_at, terms_agreed_at, privacy_agreed_at,
                       age_verified_adult, unread_gift_inventory_count))

}  // namespace gatewire
