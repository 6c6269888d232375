/// @file
/// What every model header needs: the field types and the reflection macro.
/// A model struct is its field list and nothing else; BOOST_DESCRIBE_STRUCT
/// declares that list once for the decoder, the encoder and the docs. A member
/// whose JSON name is a C++ keyword carries a trailing underscore (`inline_`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/describe/class.hpp>

#include "gatewire/core/nullable.hpp"
#include "gatewire/core/permissions.hpp"
#include "gatewire/core/raw_json.hpp"
#include "gatewire/core/secret.hpp"
#include "gatewire/core/snowflake.hpp"
#include "gatewire/core/timestamp.hpp"
