/// @file
/// How far the account has read a channel.
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct ReadState {
    Snowflake id;  ///< the channel
    std::int32_t mention_count = 0;
    Nullable<Snowflake> last_message_id;
    Nullable<Timestamp> last_pin_timestamp;
};
BOOST_DESCRIBE_STRUCT(ReadState, (), (id, mention_count, last_message_id, last_pin_timestamp))

}  // namespace gatewire
