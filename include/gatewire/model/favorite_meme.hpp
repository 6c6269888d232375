/// @file
/// A meme saved to the account's collection (Fluxer).
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct FavoriteMeme {
    Snowflake id;
    Snowflake user_id;
    std::string name;
    Nullable<std::string> alt_text;
    std::vector<std::string> tags;
    Snowflake attachment_id;
    std::string filename;
    std::string content_type;
    Nullable<std::string> content_hash;
    std::uint64_t size = 0;
    Nullable<std::int32_t> width;
    Nullable<std::int32_t> height;
    Nullable<double> duration;
    std::string url;
    std::optional<bool> is_gifv;
    Nullable<std::string> gif_slug;
    Nullable<std::string> gif_provider;
    RawJson media;
    Nullable<std::string> placeholder;
};
BOOST_DESCRIBE_STRUCT(FavoriteMeme, (),
                      (id, user_id, name, alt_text, tags, attachment_id, filename, content_type,
                       content_hash, size, width, height, duration, url, is_gifv, gif_slug,
                       gif_provider, media, placeholder))

}  // namespace gatewire
