/// @file
/// The partial application READY names.
#pragma once

#include "gatewire/model/fields.hpp"

namespace gatewire {

struct PartialApplication {
    Snowflake id;
    std::optional<std::uint64_t> flags;
};
BOOST_DESCRIBE_STRUCT(PartialApplication, (), (id, flags))

}  // namespace gatewire
