/// @file
/// Events Fluxer's server sends whose payload shape it does not publish. Each
/// is typed by name and carries its `d` as JSON text, so a program can listen
/// for it by type today and decode the payload itself.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/model/fields.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

#define GATEWIRE_OPAQUE_EVENT(Name)                 \
    struct Name {                                   \
        static constexpr bool whole_payload = true; \
        RawJson payload;                            \
    };                                              \
    BOOST_DESCRIBE_STRUCT(Name, (), (payload))

GATEWIRE_OPAQUE_EVENT(GuildSync)
GATEWIRE_OPAQUE_EVENT(UserConnectionsUpdate)
GATEWIRE_OPAQUE_EVENT(WebauthnCredentialsUpdate)
GATEWIRE_OPAQUE_EVENT(GuildMemberListUpdate)
GATEWIRE_OPAQUE_EVENT(PresenceUpdateBulk)
GATEWIRE_OPAQUE_EVENT(PassiveUpdates)
GATEWIRE_OPAQUE_EVENT(MessageReactionAddMany)
GATEWIRE_OPAQUE_EVENT(VoiceStateAck)
GATEWIRE_OPAQUE_EVENT(EntranceSoundPlay)
GATEWIRE_OPAQUE_EVENT(GuildCountsUpdate)
GATEWIRE_OPAQUE_EVENT(ChannelMemberCountsUpdate)

#undef GATEWIRE_OPAQUE_EVENT

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
