// gatewire-tail: connect to a gateway and print every dispatch as one JSON line.
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "gatewire/core/error.hpp"
#include "gatewire/core/intents.hpp"
#include "gatewire/transport/shard.hpp"

#include "../common/arguments.hpp"

namespace {

const char* usage =
    "usage: gatewire-tail [options]\n"
    "  --url URL                     gateway base URL (default: the profile's)\n"
    "  --profile discord|fluxer      (default discord)\n"
    "  --token-file FILE             the token's file (or GATEWIRE_TOKEN in the environment)\n"
    "  --token T                     works, with a warning: other users can read it\n"
    "  --compress zlib-stream|zstd-stream|none\n"
    "  --intents NAMES               Discord intents, e.g. guilds,guild_messages,message_content\n"
    "                                or a number (default guilds,guild_messages)\n"
    "  --shard ID/COUNT              ID < COUNT\n"
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

// The first line of the file, without its line end or surrounding blanks.
std::string read_token_file(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) {
        throw std::runtime_error("cannot read the token file " + path);
    }
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!line.empty() && blank(line.back())) {
        line.pop_back();
    }
    std::size_t start = 0;
    while (start < line.size() && blank(line[start])) {
        ++start;
    }
    return line.substr(start);
}

gatewire::ShardId parse_shard(const std::string& text) {
    auto slash = text.find('/');
    if (slash == std::string::npos) {
        throw std::runtime_error("--shard wants ID/COUNT, e.g. 0/1");
    }
    constexpr std::uint64_t most = 0xFFFF'FFFF;
    std::uint64_t id =
        gatewire::tools::bounded_number("--shard ID", text.substr(0, slash), 0, most);
    std::uint64_t count =
        gatewire::tools::bounded_number("--shard COUNT", text.substr(slash + 1), 0, most);
    if (count == 0 || id >= count) {
        throw std::runtime_error("--shard " + text + ": the id must be below the count (0 to " +
                                 std::to_string(count == 0 ? 0 : count - 1) + ")");
    }
    return {static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(count)};
}

}  // namespace

int main(int argc, char** argv) {
    gatewire::ShardConfig config;
    std::optional<gatewire::Intents> intents;
    std::uint64_t max_events = 0;
    if (auto token = gatewire::Secret::from_env("GATEWIRE_TOKEN")) {
        config.session.token = *token;
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
                auto profile = gatewire::profiles::find(value());
                if (!profile) {
                    throw std::runtime_error("unknown profile (discord or fluxer)");
                }
                config.session.profile = *profile;
            } else if (arg == "--token-file") {
                config.session.token = read_token_file(value());
            } else if (arg == "--token") {
                std::cerr << "gatewire-tail: warning: a token on the command line is visible to "
                             "other users (/proc/*/cmdline); use GATEWIRE_TOKEN or --token-file\n";
                config.session.token = value();
            } else if (arg == "--compress") {
                config.session.compression = gatewire::parse_compression(value());
                if (!config.session.compression) {
                    throw std::runtime_error("unknown compression");
                }
            } else if (arg == "--intents") {
                std::string text = value();
                intents = gatewire::parse_intents(text);
                if (!intents) {
                    throw std::runtime_error("--intents " + text +
                                             ": not intent names (guilds,guild_messages,…) "
                                             "or a number of defined intent bits");
                }
            } else if (arg == "--shard") {
                config.session.shard = parse_shard(value());
            } else if (arg == "--max-events") {
                max_events = gatewire::tools::bounded_number(arg, value(), 0, UINT64_MAX);
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
        std::cerr << "gatewire-tail: no token (GATEWIRE_TOKEN or --token-file)\n";
        return 1;
    }
    if (intents) {
        config.session.intents = *intents;  // on Fluxer, refused below
    } else if (config.session.profile.uses_intents) {
        config.session.intents = gatewire::Intents::guilds | gatewire::Intents::guild_messages;
    }

    boost::asio::io_context io;
    std::optional<gatewire::Shard> built;
    try {
        built.emplace(io.get_executor(), config);
    } catch (const std::invalid_argument& e) {
        std::cerr << "gatewire-tail: " << e.what() << "\n";
        return 1;
    }
    gatewire::Shard& shard = *built;
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
