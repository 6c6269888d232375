// gatewire-sim: a local gateway for testing bots offline.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "gatewire/sim/simulator.hpp"

#include "../common/arguments.hpp"

namespace {

const char* usage =
    "usage: gatewire-sim [options]\n"
    "  --profile discord|fluxer   gateway to play (default discord)\n"
    "  --port N                   port on 127.0.0.1 (default: any free port)\n"
    "  --token T                  the token to accept (default sim-token; \"\" accepts any)\n"
    "  --heartbeat-ms N           heartbeat interval sent in Hello (default 41250)\n"
    "  --scenario demo            play the built-in demo session\n"
    "  --messages N               messages in the demo scenario (default 300)\n"
    "  --script FILE              play JSON lines: {\"t\":…,\"d\":…} dispatches and {\"sim\":…} "
    "directives\n"
    "  --fixtures DIR             dispatch every fixture payload in DIR after READY\n"
    "  --exit-after-script        exit once the script has played and clients have left\n"
    "  --shards N                 shard count GET /gateway/bot recommends (default 1)\n"
    "  --max-concurrency N        identify buckets GET /gateway/bot reports (default 1)\n"
    "  --min-shards N             close 4011 when identifying with fewer shards\n"
    "  --identify-spacing-ms N    op 9 for a bucket's identify sooner than this after the last\n"
    "Prints \"listening on ws://127.0.0.1:PORT\" on its first line.\n";

volatile std::sig_atomic_t stop_requested = 0;

// Fixture files: whole envelopes (`3_0_GUILD_CREATE.json`) or bare payloads
// (`message_create_1.json`); the event name comes from the envelope or the file name.
std::vector<std::string> fixture_script(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    auto order = [](const std::filesystem::path& p) {
        std::string stem = p.stem().string();
        return std::isdigit(static_cast<unsigned char>(stem[0])) ? std::stol(stem) : 0L;
    };
    std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) {
        return order(a) != order(b) ? order(a) < order(b) : a < b;
    });
    std::vector<std::string> lines{R"({"sim":"wait_ready"})"};
    static const std::regex bare(R"(^([a-z_]+?)_\d+$)");
    for (const auto& file : files) {
        std::ifstream in(file);
        nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
        if (doc.is_discarded()) {
            continue;
        }
        std::string name;
        nlohmann::json d;
        if (doc.is_object() && doc.contains("op")) {
            if (doc["op"] != 0 || !doc["t"].is_string() || doc["t"] == "READY") {
                continue;
            }
            name = doc["t"];
            d = doc["d"];
        } else {
            std::smatch m;
            std::string stem = file.stem().string();
            if (!std::regex_match(stem, m, bare)) {
                continue;
            }
            name = m[1];
            std::transform(name.begin(), name.end(), name.begin(), ::toupper);
            if (name == "READY") {
                continue;
            }
            d = std::move(doc);
        }
        lines.push_back(nlohmann::json{{"t", name}, {"d", d}}.dump());
    }
    return lines;
}

}  // namespace

int main(int argc, char** argv) {
    using gatewire::tools::bounded_number;
    constexpr std::uint64_t hour_ms = 3'600'000;
    gatewire::sim::SimConfig config;
    std::vector<std::string> script;
    bool exit_after_script = false;
    std::size_t messages = 300;
    std::string scenario;
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
            if (arg == "--profile") {
                auto profile = gatewire::profiles::find(value());
                if (!profile) {
                    throw std::runtime_error("unknown profile");
                }
                config.profile = *profile;  // and with it the profile's server behaviour
            } else if (arg == "--port") {
                config.port = static_cast<std::uint16_t>(bounded_number(arg, value(), 0, 65535));
            } else if (arg == "--token") {
                config.token = value();
            } else if (arg == "--heartbeat-ms") {
                config.heartbeat_interval =
                    std::chrono::milliseconds(bounded_number(arg, value(), 1, hour_ms));
            } else if (arg == "--scenario") {
                scenario = value();
                if (scenario != "demo") {
                    throw std::runtime_error("unknown scenario " + scenario);
                }
            } else if (arg == "--messages") {
                messages = bounded_number(arg, value(), 0, 10'000'000);
            } else if (arg == "--script") {
                std::ifstream in(value());
                if (!in) {
                    throw std::runtime_error("cannot read the script");
                }
                for (std::string line; std::getline(in, line);) {
                    script.push_back(line);
                }
            } else if (arg == "--fixtures") {
                auto lines = fixture_script(value());
                script.insert(script.end(), lines.begin(), lines.end());
            } else if (arg == "--exit-after-script") {
                exit_after_script = true;
            } else if (arg == "--shards") {
                config.shards =
                    static_cast<std::uint32_t>(bounded_number(arg, value(), 1, 1'000'000));
            } else if (arg == "--max-concurrency") {
                config.max_concurrency =
                    static_cast<std::uint32_t>(bounded_number(arg, value(), 1, 1'000'000));
            } else if (arg == "--min-shards") {
                config.min_shards =
                    static_cast<std::uint32_t>(bounded_number(arg, value(), 0, 1'000'000));
            } else if (arg == "--identify-spacing-ms") {
                config.identify_spacing =
                    std::chrono::milliseconds(bounded_number(arg, value(), 0, hour_ms));
            } else if (arg == "--help" || arg == "-h") {
                std::cout << usage;
                return 0;
            } else {
                throw std::runtime_error("unknown option " + arg);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "gatewire-sim: " << e.what() << "\n" << usage;
        return 1;
    }
    if (scenario == "demo") {
        auto lines = gatewire::sim::demo_script(messages);
        script.insert(script.begin(), lines.begin(), lines.end());
    }

    gatewire::sim::Simulator sim(config);
    try {
        sim.start();
    } catch (const std::exception& e) {
        std::cerr << "gatewire-sim: cannot listen: " << e.what() << "\n";
        return 1;
    }
    std::cout << "listening on " << sim.url() << " (profile " << config.profile.name << "; GET "
              << sim.http_url() << "/api/v10/gateway/bot)" << std::endl;
    std::signal(SIGINT, [](int) { stop_requested = 1; });
    std::signal(SIGTERM, [](int) { stop_requested = 1; });

    std::atomic<int> script_result{-1};
    if (!script.empty()) {
        sim.play(script, [&](bool ok) {
            std::cerr << "gatewire-sim: script " << (ok ? "finished" : "failed") << std::endl;
            script_result = ok ? 0 : 1;
        });
    }
    while (!stop_requested) {
        if (exit_after_script && script_result >= 0 && sim.stats().open_connections == 0) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto stats = sim.stats();
    std::cerr << "gatewire-sim: " << stats.connections << " connections, " << stats.identifies
              << " identifies, " << stats.resumes << " resumes, " << stats.replayed
              << " events replayed, " << stats.dispatched << " events dispatched, "
              << stats.commands << " commands" << std::endl;
    for (const auto& command : stats.commands_received) {
        std::cerr << "gatewire-sim: received " << command << std::endl;
    }
    sim.stop();
    return script_result > 0 ? 1 : 0;
}
