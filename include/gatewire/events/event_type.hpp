/// @file
/// Every dispatch event gatewire types, as an enum with name <-> value and
/// flags saying which gateways send it. No event structs are needed here.
#pragma once

#include "gatewire/core/export.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "gatewire/events/event_list.hpp"

namespace gatewire {

enum class EventType : std::uint16_t {
#define GATEWIRE_X(id, wire, Struct, from) id,
    GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X
};

inline constexpr std::size_t event_type_count = 0
#define GATEWIRE_X(id, wire, Struct, from) +1
    GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X
    ;

/// Which gateways send an event.
namespace event_flag {
inline constexpr std::uint8_t discord = 1;
inline constexpr std::uint8_t fluxer = 2;
}  // namespace event_flag

struct EventInfo {
    EventType type;
    std::string_view name;         ///< on the wire: "MESSAGE_CREATE"
    std::string_view struct_name;  ///< in C++: "MessageCreate" (namespace gatewire::events)
    std::uint8_t flags;
};

namespace detail {
inline constexpr std::uint8_t D = event_flag::discord;
inline constexpr std::uint8_t F = event_flag::fluxer;
inline constexpr std::uint8_t DF = event_flag::discord | event_flag::fluxer;
}  // namespace detail

inline constexpr std::array<EventInfo, event_type_count> event_infos{{
#define GATEWIRE_X(id, wire, Struct, from) {EventType::id, wire, #Struct, detail::from},
    GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X
}};

constexpr const EventInfo& info(EventType type) noexcept {
    return event_infos[static_cast<std::size_t>(type)];
}
constexpr std::string_view to_string(EventType type) noexcept {
    return info(type).name;
}

/// The event named `name` on the wire, or nullopt for a name gatewire does not type.
GATEWIRE_API std::optional<EventType> event_type_from_name(std::string_view name) noexcept;

}  // namespace gatewire
