/// @file
/// Stickers, full and as a message's sticker item.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/user.hpp"

namespace gatewire {

/// Discord sends tags as one comma-separated string, Fluxer as a list; both
/// arrive here as a list.
struct StickerTags {
    std::vector<std::string> items;
    bool operator==(const StickerTags&) const = default;
};

struct Sticker {
    Snowflake id;
    std::optional<Snowflake> pack_id;
    std::string name;
    std::optional<std::string> description;
    StickerTags tags;
    std::optional<std::int32_t> type;
    std::optional<std::int32_t> format_type;
    std::optional<bool> available;
    std::optional<Snowflake> guild_id;
    std::optional<User> user;
    std::optional<std::int32_t> sort_value;
    std::optional<bool> animated;  ///< Fluxer
    std::optional<bool> nsfw;      ///< Fluxer
};
BOOST_DESCRIBE_STRUCT(Sticker, (),
                      (id, pack_id, name, description, tags, type, format_type, available, guild_id,
                       user, sort_value, animated, nsfw))

}  // namespace gatewire
