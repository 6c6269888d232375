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

#include "gatewire/nullable.hpp"
#include "gatewire/permissions.hpp"
#include "gatewire/raw_json.hpp"
#include "gatewire/secret.hpp"
#include "gatewire/snowflake.hpp"
#include "gatewire/timestamp.hpp"
