#include "gatewire/core/profile.hpp"

#include <algorithm>

#include "gatewire/core/url.hpp"

namespace gatewire {

std::string_view to_string(Compression c) noexcept {
    switch (c) {
        case Compression::none:
            return "none";
        case Compression::zlib_stream:
            return "zlib-stream";
        case Compression::zstd_stream:
            return "zstd-stream";
    }
    return "none";
}

std::optional<Compression> parse_compression(std::string_view text) noexcept {
    for (Compression c : {Compression::none, Compression::zlib_stream, Compression::zstd_stream}) {
        if (to_string(c) == text) {
            return c;
        }
    }
    return std::nullopt;
}

namespace {

using namespace std::chrono_literals;
constexpr auto resume = CloseAction::resume;
constexpr auto identify = CloseAction::identify;
constexpr auto fatal = CloseAction::fatal;

// Codes 4000-4012 mean the same on both gateways; 4009 differs in what follows.
std::vector<CloseRule> shared_close_rules(CloseAction after_timeout) {
    return {
        {1000, "normal", "the server closed the connection normally", resume},
        {1001, "going away", "the server is going away", resume},
        {4000, "unknown error", "the server hit an unknown error", resume},
        {4001, "unknown opcode", "the client sent an invalid opcode or payload", resume},
        {4002, "decode error", "the client sent a payload the server could not decode", resume},
        {4003, "not authenticated", "the client sent a payload before identifying", identify},
        {4004, "authentication failed", "the token is invalid; fix the token, it is not retried",
         fatal},
        {4005, "already authenticated", "the client identified twice", resume},
        {4007, "invalid seq", "the resume sequence was invalid; a new session starts", identify},
        {4008, "rate limited", "the client sent commands too fast", resume},
        {4009, "session timed out", "the session timed out", after_timeout},
        {4010, "invalid shard", "the shard in identify is invalid", fatal},
        {4011, "sharding required",
         "the bot is in too many guilds for its shard count; use more shards", fatal},
        {4012, "invalid API version", "the gateway does not serve this API version", fatal},
    };
}

Profile make_discord() {
    auto rules = shared_close_rules(identify);
    rules.push_back({4013, "invalid intents", "the intents value is not a valid bit set", fatal});
    rules.push_back({4014, "disallowed intents",
                     "a privileged intent is not enabled for this application in the developer "
                     "portal (GUILD_MEMBERS, GUILD_PRESENCES or MESSAGE_CONTENT)",
                     fatal});
    return Profile{
        .name = "discord",
        .api_version = 10,
        .default_url = "wss://gateway.discord.gg",
        .compressions = {Compression::zlib_stream, Compression::zstd_stream, Compression::none},
        .default_compression = Compression::zlib_stream,
        .compresses_client_messages_with_zstd = false,
        .names_no_compression = false,
        .uses_intents = true,
        .has_resume_gateway_url = true,
        .invalid_session_keeps_socket = false,
        .close_rules = std::move(rules),
        .command_limit = {120, 60s},
        .heartbeat_reserve = 3,
        .presence_limit = std::nullopt,
        .max_command_bytes = 4096,
        .command_opcodes = {3, 4, 8, 31},
        .identify_limit = std::nullopt,
        .identify_limit_counts_resumes = false,
        .unanswered_identify_after = std::nullopt,
        .member_request_concurrency = std::nullopt,
    };
}

Profile make_fluxer() {
    return Profile{
        .name = "fluxer",
        .api_version = 1,
        .default_url = "wss://gateway.fluxer.app",
        .compressions = {Compression::zstd_stream, Compression::none},
        .default_compression = Compression::zstd_stream,
        .compresses_client_messages_with_zstd = true,
        .names_no_compression = true,
        .uses_intents = false,
        .has_resume_gateway_url = false,
        .invalid_session_keeps_socket = true,
        // Fluxer keeps a timed-out session 60 s: a resume is worth trying.
        .close_rules = shared_close_rules(resume),
        .command_limit = {600, 60s},
        .heartbeat_reserve = 3,
        .presence_limit = RateLimit{5, 20s},
        .max_command_bytes = 4096,
        .command_opcodes = {3, 4, 8, 14, 15, 16},
        .identify_limit = RateLimit{300, 60s},
        .identify_limit_counts_resumes = true,
        .unanswered_identify_after = 20s,
        .member_request_concurrency = 1,
    };
}

}  // namespace

bool Profile::offers(Compression c) const noexcept {
    return std::find(compressions.begin(), compressions.end(), c) != compressions.end();
}

bool Profile::accepts_command(int opcode) const noexcept {
    return std::find(command_opcodes.begin(), command_opcodes.end(), opcode) !=
           command_opcodes.end();
}

CloseRule Profile::close_rule(std::uint16_t code) const noexcept {
    for (const CloseRule& rule : close_rules) {
        if (rule.code == code) {
            return rule;
        }
    }
    return {code, "", "an unlisted close code", CloseAction::resume};
}

std::string Profile::gateway_url(std::string_view base, Compression compression) const {
    auto url = Url::parse(base);
    if (!url || (url->scheme != "ws" && url->scheme != "wss")) {
        return {};
    }
    std::string path = url->target.substr(0, url->target.find('?'));
    url->target = path + "?v=" + std::to_string(api_version) + "&encoding=json";
    if (compression != Compression::none || names_no_compression) {
        url->target += "&compress=" + std::string(to_string(compression));
    }
    if (compression == Compression::zstd_stream && compresses_client_messages_with_zstd) {
        url->target += "&stream=1";
    }
    return url->to_string();
}

namespace profiles {

const Profile& discord() {
    static const Profile profile = make_discord();
    return profile;
}

const Profile& fluxer() {
    static const Profile profile = make_fluxer();
    return profile;
}

std::optional<Profile> find(std::string_view name) {
    if (name == "discord") {
        return discord();
    }
    if (name == "fluxer") {
        return fluxer();
    }
    return std::nullopt;
}

}  // namespace profiles
}  // namespace gatewire
