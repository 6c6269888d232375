#include "gatewire/core/log.hpp"

#include <cstdlib>
#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace gatewire {

namespace {
std::mutex logger_mutex;
std::shared_ptr<spdlog::logger>& logger_slot() {
    static std::shared_ptr<spdlog::logger> slot = [] {
        auto made = std::make_shared<spdlog::logger>(
            "gatewire", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        made->set_level(spdlog::level::warn);
        if (const char* level = std::getenv("GATEWIRE_LOG_LEVEL")) {
            made->set_level(spdlog::level::from_str(level));
        }
        return made;
    }();
    return slot;
}
}  // namespace

std::shared_ptr<spdlog::logger> logger() {
    std::lock_guard lock(logger_mutex);
    return logger_slot();
}

void set_logger(std::shared_ptr<spdlog::logger> replacement) {
    std::lock_guard lock(logger_mutex);
    logger_slot() = std::move(replacement);
}

}  // namespace gatewire
