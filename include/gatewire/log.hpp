// gatewire logs through spdlog with a logger its user can replace or silence.
#pragma once

#include <memory>

namespace spdlog {
class logger;
}

namespace gatewire {

// The logger gatewire writes to (by default "gatewire", warnings and up, to stderr).
std::shared_ptr<spdlog::logger> logger();
// Replace it; nullptr silences gatewire.
void set_logger(std::shared_ptr<spdlog::logger> replacement);

}  // namespace gatewire
