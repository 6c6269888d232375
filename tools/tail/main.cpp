// gatewire-tail: connect to a gateway and print every dispatch as one JSON line.
#include <atomic>
#include <cstdlib>
#include <future>
#include <iostream>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "gatewire/core/error.hpp"
#include "gatewire/transport/shard.hpp"

namespace {

const char* usage =
    "usage: gatewire-tail [options]\n"
    "  --url URL                     gateway base URL (default: the profile's)\n"
    "  --profile discord|fluxer      (default discord)\n"
    "  --token T                     or GATEWIRE_TOKEN\n"
    "  --compress zlib-stream|zstd-stream|none\n"
    "  --intents N                   Discord intents (default 513: GUILDS | GUILD_MESSAGES)\n"
    "  --shard ID/COUNT\n"
    "  --max-events N                exit 0 after N dispatches\n"
    "  --ca-file PEM                 extra trusted certificates\n"
    "Dispatches go to stdout, one JSON object a line; state changes go to stderr.\n"
    "Exit status: 0 normally, 2 on a fatal close code, 1 on any other error.\n";

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
    gatewire::ShardConfig config;
    config.session.intents = 513;
    std::uint64_t max_events = 0;
    if (const char* token = std::getenv("GATEWIRE_TOKEN")) {
        config.session.token = token;
    }
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            auto value = [&]() -> std::string {
                if (i + 1 >= args.size()) {
                    throw std::runtime_error(args[i] + " needs a value");
                }
                return args[++i];
            };
            const std::string& arg = args[i];
            if (arg == "--url") {
                config.session.url = value();
            } else if (arg == "--profile") {
                config.session.profile = gatewire::profiles::find(value());
                if (!config.session.profile) {
                    throw std::runtime_error("unknown profile (discord or fluxer)");
                }
            } else if (arg == "--token") {
                config.session.token = value();
            } else if (arg == "--compress") {
                config.session.compression = gatewire::parse_compression(value());
                if (!config.session.compression) {
                    throw std::runtime_error("unknown compression");
                }
            } else if (arg == "--intents") {
                config.session.intents = std::stoull(value());
            } else if (arg == "--shard") {
                std::string shard = value();
                auto slash = shard.find('/');
                if (slash == std::string::npos) {
                    throw std::runtime_error("--shard wants ID/COUNT");
                }
                config.session.shard = gatewire::ShardId{
                    static_cast<std::uint32_t>(std::stoul(shard.substr(0, slash))),
                    static_cast<std::uint32_t>(std::stoul(shard.substr(slash + 1)))};
            } else if (arg == "--max-events") {
                max_events = std::stoull(value());
            } else if (arg == "--ca-file") {
                config.ca_file = value();
            } else if (arg == "--help" || arg == "-h") {
                std::cout << usage;
                return 0;
            } else {
                throw std::runtime_error("unknown option " + arg);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "gatewire-tail: " << e.what() << "\n" << usage;
        return 1;
    }
    if (config.session.token.empty()) {
        std::cerr << "gatewire-tail: no token (--token or GATEWIRE_TOKEN)\n";
        return 1;
    }

    boost::asio::io_context io;
    gatewire::Shard shard(io.get_executor(), config);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto error, int) {
        if (!error) {
            shard.stop();
        }
    });
    std::atomic<std::uint64_t> printed{0};
    std::promise<std::error_code> finished;
    shard.on_event([&](const gatewire::RawEvent& event) {
        if (max_events != 0 && printed >= max_events) {
            return;
        }
        std::string line =
            "{\"shard\":" + std::to_string(event.shard_id) +
            ",\"seq\":" + std::to_string(event.seq) + ",\"t\":" + json_string(event.name) +
            ",\"d\":" + std::string(event.data().empty() ? "null" : event.data()) + "}\n";
        std::cout << line << std::flush;
        if (max_events != 0 && ++printed == max_events) {
            shard.stop();
        }
    });
    shard.on_state([&](gatewire::ShardState state, std::string_view detail) {
        std::cerr << "shard " << shard.id() << ": " << gatewire::to_string(state) << ": " << detail
                  << std::endl;
    });
    shard.on_error([&](std::error_code, std::string_view detail) {
        std::cerr << "shard " << shard.id() << ": warning: " << detail << std::endl;
    });
    shard.on_finish([&](std::error_code error) {
        finished.set_value(error);
        boost::asio::post(io, [&] { signals.cancel(); });
    });
    shard.start();
    io.run();
    std::error_code error = finished.get_future().get();
    if (!error) {
        return 0;
    }
    std::cerr << "gatewire-tail: fatal: " << error.message() << std::endl;
    return error.category() == gatewire::close_category() ? 2 : 1;
}
