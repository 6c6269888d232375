/// @file
/// gatewire logs through spdlog with a logger its user can replace or silence.
#pragma once

#include "gatewire/core/export.hpp"

#include <memory>

namespace spdlog {
class logger;
}

namespace gatewire {

/// The logger gatewire writes to (by default "gatewire", warnings and up, to stderr).
GATEWIRE_API std::shared_ptr<spdlog::logger> logger();
/// Replace it; nullptr silences gatewire.
GATEWIRE_API void set_logger(std::shared_ptr<spdlog::logger> replacement);

}  // namespace gatewire
