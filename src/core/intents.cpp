#include "gatewire/core/intents.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace gatewire {

namespace {

constexpr std::array<std::pair<std::string_view, Intents>, 21> names{{
    {"guilds", Intents::guilds},
    {"guild_members", Intents::guild_members},
    {"guild_moderation", Intents::guild_moderation},
    {"guild_expressions", Intents::guild_expressions},
    {"guild_integrations", Intents::guild_integrations},
    {"guild_webhooks", Intents::guild_webhooks},
    {"guild_invites", Intents::guild_invites},
    {"guild_voice_states", Intents::guild_voice_states},
    {"guild_presences", Intents::guild_presences},
    {"guild_messages", Intents::guild_messages},
    {"guild_message_reactions", Intents::guild_message_reactions},
    {"guild_message_typing", Intents::guild_message_typing},
    {"direct_messages", Intents::direct_messages},
    {"direct_message_reactions", Intents::direct_message_reactions},
    {"direct_message_typing", Intents::direct_message_typing},
    {"message_content", Intents::message_content},
    {"guild_scheduled_events", Intents::guild_scheduled_events},
    {"auto_moderation_configuration", Intents::auto_moderation_configuration},
    {"auto_moderation_execution", Intents::auto_moderation_execution},
    {"guild_message_polls", Intents::guild_message_polls},
    {"direct_message_polls", Intents::direct_message_polls},
}};

std::optional<Intents> parse_one(std::string_view word) {
    std::uint64_t number = 0;
    auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), number);
    if (error == std::errc() && end == word.data() + word.size()) {
        if ((number & ~Intents::all.bits()) != 0) {
            return std::nullopt;
        }
        return Intents(number);
    }
    std::string lower(word);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "privileged") {
        return Intents::privileged;
    }
    if (lower == "all") {
        return Intents::all;
    }
    if (lower == "all_unprivileged") {
        return Intents::all_unprivileged;
    }
    if (lower == "none") {
        return Intents{};
    }
    for (const auto& [name, intent] : names) {
        if (name == lower) {
            return intent;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<Intents> parse_intents(std::string_view text) {
    Intents result;
    bool any = false;
    while (!text.empty()) {
        std::size_t cut = text.find_first_of(",|");
        std::string_view word = text.substr(0, cut);
        while (!word.empty() && word.front() == ' ') {
            word.remove_prefix(1);
        }
        while (!word.empty() && word.back() == ' ') {
            word.remove_suffix(1);
        }
        auto intent = parse_one(word);
        if (!intent) {
            return std::nullopt;
        }
        result |= *intent;
        any = true;
        if (cut == std::string_view::npos) {
            break;
        }
        text = text.substr(cut + 1);
        if (text.empty()) {
            return std::nullopt;  // a separator with nothing after it
        }
    }
    if (!any) {
        return std::nullopt;
    }
    return result;
}

std::string to_string(Intents intents) {
    std::string out;
    for (const auto& [name, intent] : names) {
        if (intents.contains(intent)) {
            out += out.empty() ? "" : "|";
            out += name;
        }
    }
    return out.empty() ? "none" : out;
}

}  // namespace gatewire
