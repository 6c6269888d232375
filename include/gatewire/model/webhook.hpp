/// @file
/// A webhook (WEBHOOKS_UPDATE only says a channel's webhooks changed; fetch
/// them over HTTP as this struct).
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

struct Webhook {
    Snowflake id;
    std::int32_t type = 1;
    std::optional<Snowflake> guild_id;
    Nullable<Snowflake> channel_id;
    std::optional<User> user;
    Nullable<std::string> name;
    Nullable<std::string> avatar;
    std::optional<Secret> token;
    Nullable<Snowflake> application_id;
    std::optional<std::string> url;
};
BOOST_DESCRIBE_STRUCT(Webhook, (),
                      (id, type, guild_id, channel_id, user, name, avatar, token, application_id,
                       url))

}  // namespace gatewire
