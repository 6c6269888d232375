#include "gatewire/event_type.hpp"

#include <algorithm>

namespace gatewire {

std::optional<EventType> event_type_from_name(std::string_view name) noexcept {
    // Sorted once by name; a binary search beats hashing for ~110 short keys.
    static const auto sorted = [] {
        std::array<const EventInfo*, event_type_count> by_name{};
        for (std::size_t i = 0; i < event_type_count; ++i) {
            by_name[i] = &event_infos[i];
        }
        std::sort(by_name.begin(), by_name.end(),
                  [](const EventInfo* a, const EventInfo* b) { return a->name < b->name; });
        return by_name;
    }();
    auto it =
        std::lower_bound(sorted.begin(), sorted.end(), name,
                         [](const EventInfo* info, std::string_view n) { return info->name < n; });
    if (it != sorted.end() && (*it)->name == name) {
        return (*it)->type;
    }
    return std::nullopt;
}

}  // namespace gatewire
