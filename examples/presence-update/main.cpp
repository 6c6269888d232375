// Sets the bot's presence once it is ready: a status and an activity on
// Discord, a status and a custom status on Fluxer. The same command keeps
// being the presence after a reconnect that needs a new session.
//
//   GATEWIRE_TOKEN=... presence-update --profile discord --status idle --text "a game of chess"
//   GATEWIRE_TOKEN=sim-token presence-update --url ws://127.0.0.1:PORT   (against gatewire-sim)
#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gatewire/gatewire.hpp>

namespace {

std::optional<gatewire::commands::Status> parse_status(const std::string& s) {
    using gatewire::commands::Status;
    for (auto [name, status] : {std::pair{"online", Status::online},
                                {"idle", Status::idle},
                                {"dnd", Status::dnd},
                                {"invisible", Status::invisible}}) {
        if (s == name) {
            return status;
        }
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    gatewire::ShardConfig config;
    // From the environment, not the command line (other users can read that).
    if (auto token = gatewire::Secret::from_env("GATEWIRE_TOKEN")) {
        config.session.token = *token;
    }
    gatewire::commands::UpdatePresence presence;
    presence.status = gatewire::commands::Status::idle;
    std::string text = "a game of chess";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        std::string value = argv[i + 1];
        if (arg == "--url") {
            config.session.url = value;
        } else if (arg == "--profile" && gatewire::profiles::find(value)) {
            config.session.profile = *gatewire::profiles::find(value);
        } else if (arg == "--status" && parse_status(value)) {
            presence.status = *parse_status(value);
        } else if (arg == "--text") {
            text = value;
        } else {
            std::cerr << "usage: presence-update [--url URL]"
                         " [--profile discord|fluxer] [--status online|idle|dnd|invisible]"
                         " [--text TEXT]\n";
            return 1;
        }
    }
    // Discord shows an activity, Fluxer a custom status; a field the other
    // gateway reads would be refused (errc::invalid_command), not dropped.
    if (config.session.profile.name == "fluxer") {
        presence.custom_status = gatewire::commands::CustomStatus{text, {}, {}, {}};
    } else {
        presence.activities.push_back({text, 0, std::nullopt, std::nullopt});  // "Playing …"
    }

    boost::asio::io_context io;
    gatewire::Client client(io.get_executor(), config);
    std::error_code sent = gatewire::errc::not_connected;
    client.on<gatewire::events::Ready>([&](const gatewire::events::Ready&) {
        sent = client.send(presence);  // queued behind the rate limiter, never dropped
        std::cout << "presence: " << (sent ? sent.message() : "sent") << std::endl;
        client.stop();  // a real bot would keep running; this one is done
    });
    std::error_code finished;
    client.on_finish([&](std::error_code error) { finished = error; });
    client.start();
    io.run();
    if (finished) {
        std::cerr << "gateway: " << finished.message() << std::endl;
        return 2;
    }
    return sent ? 1 : 0;
}
