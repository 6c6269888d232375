// Scripts (docs/simulator.md) and the demo's script.
#include "sim/server_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gatewire::sim {

using namespace std::chrono_literals;

void Simulator::play(std::vector<std::string> lines, std::function<void(bool)> done) {
    net::co_spawn(impl_->io, impl_->play(std::move(lines), std::move(done)), net::detached);
}

net::awaitable<void> Simulator::Impl::play(std::vector<std::string> lines,
                                           std::function<void(bool)> done) {
    net::steady_timer timer(io);
    bool ok = true;
    auto wait_for = [&](auto condition, std::chrono::milliseconds limit) -> net::awaitable<bool> {
        auto until = SteadyClock::now() + limit;
        while (!condition()) {
            if (SteadyClock::now() >= until) {
                co_return false;
            }
            beast::error_code ec;
            timer.expires_after(5ms);
            co_await timer.async_wait(use_awaitable_ec(ec));
        }
        co_return true;
    };
    auto ready_count = [&] { return stats().snapshot().ready_sessions; };
    auto resumes = [&] { return stats().snapshot().resumes; };
    for (const std::string& line : lines) {
        if (line.find_first_not_of(" \t\r\n") == std::string::npos) {
            continue;
        }
        json step = json::parse(line, nullptr, false);
        if (!step.is_object()) {
            ok = false;
            break;
        }
        auto limit = std::chrono::milliseconds(step.value("timeout_ms", 30000));
        if (step.contains("t")) {
            do_dispatch(step["t"].get<std::string>(), step.value("d", json::object()).dump());
            continue;
        }
        std::string directive = step.value("sim", "");
        if (directive == "wait_ready") {
            ok = co_await wait_for([&] { return ready_count() > 0; }, limit);
        } else if (directive == "wait_disconnected") {
            ok = co_await wait_for([&] { return ready_count() == 0; }, limit);
        } else if (directive == "wait_resumed") {
            auto before = step.value("after", resumes());
            ok = co_await wait_for([&] { return resumes() > before && ready_count() > 0; }, limit);
        } else if (directive == "sleep") {
            beast::error_code ec;
            timer.expires_after(std::chrono::milliseconds(step.value("ms", 0)));
            co_await timer.async_wait(use_awaitable_ec(ec));
        } else if (directive == "reconnect") {
            do_fault({Fault::Kind::reconnect});
        } else if (directive == "invalid_session") {
            do_fault({Fault::Kind::invalid_session, 0, step.value("resumable", false)});
        } else if (directive == "close") {
            do_fault({Fault::Kind::close, step.value<std::uint16_t>("code", 4000)});
        } else if (directive == "reset") {
            do_fault({Fault::Kind::reset});
        } else if (directive == "withhold_acks") {
            do_fault({Fault::Kind::withhold_acks, 0, step.value("on", true)});
        } else if (directive == "stall") {
            do_fault({Fault::Kind::stall, 0, true, 0,
                      std::chrono::milliseconds(step.value("ms", 1000))});
        } else if (directive == "stop_reading") {
            do_fault({Fault::Kind::stop_reading, 0, true, 0,
                      std::chrono::milliseconds(step.value("ms", 1000))});
        } else if (directive == "split_next") {
            do_fault({Fault::Kind::split_next, 0, true, step.value<std::size_t>("parts", 2)});
        } else if (directive == "swap_next") {
            do_fault({Fault::Kind::swap_next});
        } else if (directive == "corrupt_next") {
            do_fault({Fault::Kind::corrupt_next});
        } else if (directive == "heartbeat_request") {
            do_fault({Fault::Kind::heartbeat_request});
        } else if (directive == "oversized") {
            std::string blob(step.value<std::size_t>("bytes", 1 << 20), 'x');
            do_dispatch("SIM_OVERSIZED", "{\"blob\":\"" + blob + "\"}");
        } else if (directive == "end") {
            break;
        } else {
            ok = false;
        }
        if (!ok) {
            break;
        }
    }
    if (done) {
        done(ok);
    }
}

std::vector<std::string> demo_script(std::size_t messages) {
    std::vector<std::string> lines;
    lines.push_back(R"({"sim":"wait_ready"})");
    std::uint64_t base = 1294096421859950592ULL;  // ids well above 2^53
    auto id = [&](std::uint64_t n) { return std::to_string(base + n); };
    std::vector<std::string> guilds = {id(1), id(2), id(3)};
    std::vector<std::string> names = {"gatewire lab", "bot testing", "quiet corner"};
    for (std::size_t g = 0; g < guilds.size(); ++g) {
        json guild = {
            {"id", guilds[g]},
            {"name", names[g]},
            {"owner_id", id(100)},
            {"member_count", 3 + g},
            {"large", false},
            {"unavailable", false},
            {"joined_at", "2026-11-01T12:00:00.000000+00:00"},
            {"features", json::array()},
            {"emojis", json::array()},
            {"stickers", json::array()},
            {"roles",
             json::array(
                 {{{"id", guilds[g]}, {"name", "@everyone"}, {"permissions", "1071698660929"}}})},
            // As Discord sends a text channel: other libraries read every field.
            {"channels", json::array({{{"id", id(10 + g)},
                                       {"type", 0},
                                       {"name", "general"},
                                       {"position", 0},
                                       {"permission_overwrites", json::array()},
                                       {"nsfw", false},
                                       {"topic", nullptr},
                                       {"last_message_id", nullptr},
                                       {"rate_limit_per_user", 0},
                                       {"parent_id", nullptr}}})},
            {"members", json::array()},
            {"presences", json::array()},
            {"voice_states", json::array()},
            {"threads", json::array()},
        };
        lines.push_back(json{{"t", "GUILD_CREATE"}, {"d", guild}}.dump());
    }
    auto message = [&](std::size_t n) {
        std::size_t g = n % guilds.size();
        json d = {{"id", id(1000 + n)},
                  {"channel_id", id(10 + g)},
                  {"guild_id", guilds[g]},
                  {"author",
                   {{"id", id(200 + n % 7)},
                    {"username", "user" + std::to_string(n % 7)},
                    {"discriminator", "0"},
                    {"avatar", nullptr}}},
                  {"content", "message number " + std::to_string(n)},
                  {"timestamp", "2026-11-23T12:00:00.000000+00:00"},
                  {"edited_timestamp", nullptr},
                  {"tts", false},
                  {"mention_everyone", false},
                  {"mentions", json::array()},
                  {"mention_roles", json::array()},
                  {"attachments", json::array()},
                  {"embeds", json::array()},
                  {"pinned", false},
                  {"type", 0}};
        return json{{"t", "MESSAGE_CREATE"}, {"d", d}}.dump();
    };
    for (std::size_t n = 1; n <= messages; ++n) {
        std::size_t g = n % guilds.size();
        if (n % 25 == 0) {
            lines.push_back(json{{"t", "TYPING_START"},
                                 {"d",
                                  {{"channel_id", id(10 + g)},
                                   {"guild_id", guilds[g]},
                                   {"user_id", id(200 + n % 7)},
                                   {"timestamp", 1795435200}}}}
                                .dump());
        }
        lines.push_back(message(n));
        if (n % 10 == 0) {
            lines.push_back(json{{"t", "MESSAGE_REACTION_ADD"},
                                 {"d",
                                  {{"user_id", id(200 + (n + 3) % 7)},
                                   {"channel_id", id(10 + g)},
                                   {"message_id", id(1000 + n)},
                                   {"guild_id", guilds[g]},
                                   {"emoji", {{"id", nullptr}, {"name", "👍"}}}}}}
                                .dump());
        }
    }
    lines.push_back(R"({"sim":"reconnect"})");
    for (std::size_t n = messages + 1; n <= messages + 5; ++n) {
        lines.push_back(message(n));  // sent while the bot is away: replayed on resume
    }
    lines.push_back(R"({"sim":"wait_resumed","after":0})");
    for (std::size_t n = messages + 6; n <= messages + 10; ++n) {
        lines.push_back(message(n));
    }
    return lines;
}

}  // namespace gatewire::sim
