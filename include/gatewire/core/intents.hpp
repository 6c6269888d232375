/// @file
/// Discord's gateway intents by name: which groups of events a bot asks for.
///
/// @code
///   config.session.intents = gatewire::Intents::guilds | gatewire::Intents::guild_messages |
///                            gatewire::Intents::message_content;
/// @endcode
///
/// The three privileged ones (guild_members, guild_presences, message_content)
/// must also be switched on for the application in Discord's developer portal,
/// or the gateway closes with 4014. Fluxer has no intents: a Fluxer session
/// with any set is refused when it is built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gatewire/core/export.hpp"

namespace gatewire {

class Intents {
  public:
    constexpr Intents() noexcept = default;
    constexpr explicit Intents(std::uint64_t bits) noexcept : bits_(bits) {}

    static const Intents guilds;
    static const Intents guild_members;  ///< privileged
    static const Intents guild_moderation;
    static const Intents guild_expressions;  ///< emojis, stickers, soundboard sounds
    static const Intents guild_integrations;
    static const Intents guild_webhooks;
    static const Intents guild_invites;
    static const Intents guild_voice_states;
    static const Intents guild_presences;  ///< privileged
    static const Intents guild_messages;
    static const Intents guild_message_reactions;
    static const Intents guild_message_typing;
    static const Intents direct_messages;
    static const Intents direct_message_reactions;
    static const Intents direct_message_typing;
    static const Intents message_content;  ///< privileged
    static const Intents guild_scheduled_events;
    static const Intents auto_moderation_configuration;
    static const Intents auto_moderation_execution;
    static const Intents guild_message_polls;
    static const Intents direct_message_polls;

    /// The three that need approval in the developer portal.
    static const Intents privileged;
    /// Every intent Discord defines.
    static const Intents all;
    /// Every intent but the privileged ones: what a bot may ask for unapproved.
    static const Intents all_unprivileged;

    constexpr std::uint64_t bits() const noexcept { return bits_; }
    constexpr bool empty() const noexcept { return bits_ == 0; }
    /// Whether every intent of `other` is set here.
    constexpr bool contains(Intents other) const noexcept {
        return (bits_ & other.bits_) == other.bits_;
    }

    constexpr Intents operator|(Intents o) const noexcept { return Intents(bits_ | o.bits_); }
    constexpr Intents operator&(Intents o) const noexcept { return Intents(bits_ & o.bits_); }
    /// Within the intents Discord defines.
    constexpr Intents operator~() const noexcept;
    constexpr Intents& operator|=(Intents o) noexcept { return *this = *this | o; }
    constexpr Intents& operator&=(Intents o) noexcept { return *this = *this & o; }
    constexpr bool operator==(const Intents&) const noexcept = default;

  private:
    std::uint64_t bits_ = 0;
};

inline constexpr Intents Intents::guilds{1ULL << 0};
inline constexpr Intents Intents::guild_members{1ULL << 1};
inline constexpr Intents Intents::guild_moderation{1ULL << 2};
inline constexpr Intents Intents::guild_expressions{1ULL << 3};
inline constexpr Intents Intents::guild_integrations{1ULL << 4};
inline constexpr Intents Intents::guild_webhooks{1ULL << 5};
inline constexpr Intents Intents::guild_invites{1ULL << 6};
inline constexpr Intents Intents::guild_voice_states{1ULL << 7};
inline constexpr Intents Intents::guild_presences{1ULL << 8};
inline constexpr Intents Intents::guild_messages{1ULL << 9};
inline constexpr Intents Intents::guild_message_reactions{1ULL << 10};
inline constexpr Intents Intents::guild_message_typing{1ULL << 11};
inline constexpr Intents Intents::direct_messages{1ULL << 12};
inline constexpr Intents Intents::direct_message_reactions{1ULL << 13};
inline constexpr Intents Intents::direct_message_typing{1ULL << 14};
inline constexpr Intents Intents::message_content{1ULL << 15};
inline constexpr Intents Intents::guild_scheduled_events{1ULL << 16};
inline constexpr Intents Intents::auto_moderation_configuration{1ULL << 20};
inline constexpr Intents Intents::auto_moderation_execution{1ULL << 21};
inline constexpr Intents Intents::guild_message_polls{1ULL << 24};
inline constexpr Intents Intents::direct_message_polls{1ULL << 25};

inline constexpr Intents Intents::privileged =
    Intents::guild_members | Intents::guild_presences | Intents::message_content;
inline constexpr Intents Intents::all{0x331'FFFFULL};
inline constexpr Intents Intents::all_unprivileged{Intents::all.bits() &
                                                   ~Intents::privileged.bits()};

constexpr Intents Intents::operator~() const noexcept {
    return Intents(~bits_ & all.bits());
}

/// Names as written here (`guilds,guild_messages`) or as Discord's docs write
/// them (`GUILDS|GUILD_MESSAGES`), `privileged`, `all`, `all_unprivileged`, or
/// a number; none for an unknown name or a bit Discord does not define.
GATEWIRE_API std::optional<Intents> parse_intents(std::string_view text);
/// `guilds|guild_messages`, or `none`.
GATEWIRE_API std::string to_string(Intents intents);

}  // namespace gatewire
