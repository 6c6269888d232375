// A starter bot: connects, logs what arrives, and shows its session surviving
// a reconnect. Run it against gatewire-sim (no token needed) or a real gateway.
//
//   GATEWIRE_TOKEN=sim-token log-bot --url ws://127.0.0.1:PORT
//   GATEWIRE_TOKEN=... log-bot --profile discord
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <gatewire/transport/shard.hpp>

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string describe(const gatewire::RawEvent& event) {
    json d = json::parse(event.data(), nullptr, false);
    if (d.is_discarded() || !d.is_object()) {
        return {};
    }
    if (event.name == "READY") {
        return "session " + d.value("session_id", "?").substr(0, 8) + "…, " +
               std::to_string(d.value("guilds", json::array()).size()) + " guilds, as " +
               d["user"].value("username", "?");
    }
    if (event.name == "GUILD_CREATE") {
        // Fluxer nests the guild's fields under "properties".
        const json& guild = d.contains("properties") ? d["properties"] : d;
        return guild.value("name", "?");
    }
    if (event.name == "MESSAGE_CREATE") {
        return d["author"].value("username", "?") + ": " + d.value("content", "");
    }
    if (event.name == "MESSAGE_REACTION_ADD") {
        return d["emoji"].value("name", "?") + " on " + d.value("message_id", "?");
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    gatewire::ShardConfig config;
    // From the environment, not the command line (other users can read that).
    if (auto token = gatewire::Secret::from_env("GATEWIRE_TOKEN")) {
        config.session.token = *token;
    }
    std::chrono::milliseconds until_idle{0};
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        std::string value = argv[i + 1];
        if (arg == "--url") {
            config.session.url = value;
        } else if (arg == "--profile" && gatewire::profiles::find(value)) {
            config.session.profile = *gatewire::profiles::find(value);
        } else if (arg == "--until-idle-ms") {
            until_idle = std::chrono::milliseconds(std::stol(value));
        } else {
            std::cerr << "usage: log-bot [--url URL] [--profile discord|fluxer]"
                         " [--until-idle-ms N]\n";
            return 1;
        }
    }
    if (config.session.profile.uses_intents) {  // Fluxer has none
        using gatewire::Intents;
        config.session.intents = Intents::guilds | Intents::guild_messages |
                                 Intents::guild_message_reactions | Intents::guild_message_typing |
                                 Intents::message_content;
    }

    boost::asio::io_context io;
    gatewire::Shard shard(io.get_executor(), config);
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::int64_t> last_event_ms{0};
    std::set<std::uint64_t> seen;  // touched only by handlers, which run one at a time
    std::uint64_t repeated = 0;
    auto clock_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };

    shard.on_event([&](const gatewire::RawEvent& event) {
        ++events;
        last_event_ms = clock_ms();
        if (event.seq != 0 && !seen.insert(event.seq).second) {
            ++repeated;
        }
        std::string text = describe(event);
        std::cout << "  #" << event.seq << " " << event.name << (text.empty() ? "" : "  " + text)
                  << "\n";
    });
    shard.on_state([](gatewire::ShardState state, std::string_view detail) {
        std::cout << "[" << gatewire::to_string(state) << "] " << detail << std::endl;
    });
    shard.on_error([](std::error_code, std::string_view detail) {
        std::cout << "[warning] " << detail << std::endl;
    });
    std::promise<std::error_code> finished;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto error, int) {
        if (!error) {
            shard.stop();
        }
    });
    boost::asio::steady_timer idle_check(io);
    std::function<void()> check_idle = [&] {
        idle_check.expires_after(200ms);
        idle_check.async_wait([&](auto error) {
            if (error) {
                return;
            }
            if (events > 0 && clock_ms() - last_event_ms > until_idle.count()) {
                shard.stop();
                return;
            }
            check_idle();
        });
    };
    if (until_idle.count() > 0) {
        check_idle();
    }
    shard.on_finish([&](std::error_code error) {
        finished.set_value(error);
        boost::asio::post(io, [&] {
            signals.cancel();
            idle_check.cancel();
        });
    });
    shard.start();
    io.run();
    std::error_code error = finished.get_future().get();
    auto stats = shard.stats();
    std::uint64_t lowest = seen.empty() ? 0 : *seen.begin();
    std::uint64_t highest = seen.empty() ? 0 : *seen.rbegin();
    std::uint64_t missing = seen.empty() ? 0 : highest - lowest + 1 - seen.size();
    std::cout << "\n"
              << events << " events, seq " << lowest << ".." << highest << ": " << missing
              << " missing, " << repeated << " twice; " << stats.identifies << " identify, "
              << stats.resumes << " resume, " << stats.heartbeats << " heartbeats\n";
    if (error) {
        std::cerr << "fatal: " << error.message() << "\n";
        return 2;
    }
    return missing == 0 && repeated == 0 ? 0 : 1;
}
