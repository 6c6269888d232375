// gatewire-decode: decodes gateway payloads into gatewire's event structs and
// prints each struct re-encoded as JSON from its own fields, so what is shown
// is exactly what was decoded.
//
//   gatewire-decode [--profile discord|fluxer] [--event NAME] [--strict] [FILE...]
//   gatewire-decode --list [--profile discord|fluxer]
//
// Input: whole envelopes ({"op":0,"t":…,"s":…,"d":…}) or bare `d` payloads
// (then --event NAME, or a file named after the event: message_create_1.json),
// one JSON document per file or JSON lines; stdin when no file is given.
// A field that cannot be read is left empty and reported on stderr as a
// warning; the event still counts as decoded (--strict: it fails instead).
// Exit 0 when every event was delivered, 1 when any could not be, 2 on bad usage.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gatewire/dispatch/decode.hpp"
#include "gatewire/events/event_type.hpp"

namespace {

using json = nlohmann::json;

struct Options {
    std::uint8_t profile_flag = 0;  // 0: both
    std::optional<gatewire::EventType> event;
    std::vector<std::string> files;
    bool list = false;
    bool strict = false;
};

int usage(const std::string& why) {
    std::cerr << "gatewire-decode: " << why << "\n"
              << "usage: gatewire-decode [--profile discord|fluxer] [--event NAME] [--strict] "
                 "[FILE...]\n"
              << "       gatewire-decode --list [--profile discord|fluxer]\n";
    return 2;
}

// "message_create_1.json" -> MESSAGE_CREATE, when that is an event name.
std::optional<gatewire::EventType> event_from_file_name(const std::string& path) {
    std::string stem = std::filesystem::path(path).stem().string();
    std::transform(stem.begin(), stem.end(), stem.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    while (!stem.empty()) {
        if (auto type = gatewire::event_type_from_name(stem)) {
            return type;
        }
        auto cut = stem.find_last_of('_');
        if (cut == std::string::npos) {
            break;
        }
        stem.resize(cut);
    }
    return std::nullopt;
}

struct Totals {
    int decoded = 0;
    int failed = 0;
    int skipped = 0;
    int warnings = 0;
};

void decode_one(const Options& options, const std::string& source, const std::string& text,
                Totals& totals) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
        std::cerr << source << ": not JSON\n";
        ++totals.failed;
        return;
    }
    bool envelope = doc.is_object() && doc.contains("op") && doc.contains("d");
    std::string name;
    std::uint64_t seq = 0;
    std::string data;
    std::optional<gatewire::EventType> type;
    if (envelope) {
        if (!doc["op"].is_number_integer() || doc["op"].get<int>() != 0) {
            ++totals.skipped;  // Hello, ACK…: not a dispatch
            return;
        }
        name = doc.value("t", std::string());
        seq =
            doc.contains("s") && doc["s"].is_number_unsigned() ? doc["s"].get<std::uint64_t>() : 0;
        data = doc["d"].dump();
        type = gatewire::event_type_from_name(name);
        if (!type) {
            // Not typed by gatewire: a program would get it as a raw event.
            std::cout << json{{"t", name}, {"s", seq}, {"raw", doc["d"]}}.dump() << "\n";
            ++totals.decoded;
            return;
        }
    } else {
        type = options.event;
        if (!type) {
            type = event_from_file_name(source);
        }
        if (!type) {
            std::cerr << source << ": a bare payload needs --event NAME\n";
            ++totals.failed;
            return;
        }
        name = std::string(gatewire::to_string(*type));
        data = text;
    }
    if (options.profile_flag != 0 && (gatewire::info(*type).flags & options.profile_flag) == 0) {
        std::cerr << source << ": note: " << name << " is not an event of this profile\n";
    }
    std::string out;
    gatewire::DecodeError error;
    std::vector<gatewire::DecodeError> warnings;
    if (!gatewire::decode_to_json(*type, data, out, &error, {.strict = options.strict},
                                  &warnings)) {
        error.seq = seq;
        std::cerr << source << ": " << error.to_string() << "\n";
        ++totals.failed;
        return;
    }
    for (auto& warning : warnings) {
        warning.seq = seq;
        std::cerr << source << ": warning: " << warning.to_string() << "\n";
        ++totals.warnings;
    }
    std::cout << R"({"t":")" << name << R"(","s":)" << seq << R"(,"d":)" << out << "}\n";
    ++totals.decoded;
}

void decode_stream(const Options& options, const std::string& source, std::istream& in,
                   Totals& totals) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (json::accept(text)) {
        decode_one(options, source, text, totals);
        return;
    }
    // JSON lines.
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            continue;
        }
        decode_one(options, source + ":" + std::to_string(number), line, totals);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) {
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (arg == "--list") {
            options.list = true;
        } else if (arg == "--strict") {
            options.strict = true;
        } else if (arg == "--profile") {
            auto v = value();
            if (v == "discord") {
                options.profile_flag = gatewire::event_flag::discord;
            } else if (v == "fluxer") {
                options.profile_flag = gatewire::event_flag::fluxer;
            } else {
                return usage("--profile takes discord or fluxer");
            }
        } else if (arg == "--event") {
            auto v = value();
            if (!v) {
                return usage("--event takes an event name");
            }
            options.event = gatewire::event_type_from_name(*v);
            if (!options.event) {
                return usage("gatewire does not type an event named " + *v + " (see --list)");
            }
        } else if (arg == "-h" || arg == "--help") {
            usage("decodes gateway payloads into typed structs");
            return 0;
        } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
            return usage("unknown option " + arg);
        } else {
            options.files.push_back(arg);
        }
    }
    if (options.list) {
        for (const auto& info : gatewire::event_infos) {
            if (options.profile_flag == 0 || (info.flags & options.profile_flag) != 0) {
                std::cout << info.name << "\n";
            }
        }
        return 0;
    }
    Totals totals;
    if (options.files.empty()) {
        options.files.push_back("-");
    }
    for (const auto& file : options.files) {
        if (file == "-") {
            decode_stream(options, "stdin", std::cin, totals);
            continue;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::cerr << file << ": cannot open\n";
            ++totals.failed;
            continue;
        }
        decode_stream(options, file, in, totals);
    }
    std::cerr << "decoded " << totals.decoded << " (" << totals.warnings
              << " fields left empty), failed " << totals.failed << ", skipped " << totals.skipped
              << " (not dispatches)\n";
    return totals.failed == 0 ? 0 : 1;
}
