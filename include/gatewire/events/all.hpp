/// @file
/// Every dispatch event as a plain struct, and the link from a struct to its
/// EventType (event_type_of<E>).
#pragma once

#include "gatewire/events/application.hpp"
#include "gatewire/events/channel.hpp"
#include "gatewire/events/event_type.hpp"
#include "gatewire/events/fluxer_extra.hpp"
#include "gatewire/events/guild.hpp"
#include "gatewire/events/message.hpp"
#include "gatewire/events/presence.hpp"
#include "gatewire/events/session.hpp"
#include "gatewire/events/user.hpp"

namespace gatewire {

template <class E>
struct event_traits;  ///< only the event structs have one

#define GATEWIRE_X(id, wire, Struct, from)               \
    template <>                                          \
    struct event_traits<events::Struct> {                \
        static constexpr EventType type = EventType::id; \
        static constexpr std::string_view name = wire;   \
    };
GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X

template <class E>
concept Event = requires {
    event_traits<E>::type;
};

template <Event E>
inline constexpr EventType event_type_of = event_traits<E>::type;

}  // namespace gatewire
