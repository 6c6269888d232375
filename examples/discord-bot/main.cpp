// A Discord bot that logs the messages it sees: the intents it asks for,
// typed events, a clean stop on Ctrl-C, and a clear message when the gateway
// refuses it for good.
//
//   GATEWIRE_TOKEN=... discord-bot
//   GATEWIRE_TOKEN=sim-token discord-bot --url ws://127.0.0.1:PORT   (against gatewire-sim)
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <gatewire/gatewire.hpp>

int main(int argc, char** argv) {
    gatewire::ShardConfig config;
    config.session.profile = gatewire::profiles::discord();
    using gatewire::Intents;
    // message_content is privileged: switch it on for the application first.
    config.session.intents = Intents::guilds | Intents::guild_messages | Intents::message_content;
    // From the environment, not the command line (other users can read that).
    if (auto token = gatewire::Secret::from_env("GATEWIRE_TOKEN")) {
        config.session.token = *token;
    }
    std::uint64_t max_events = 0;  // stop after this many dispatches; 0: run until Ctrl-C
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        if (arg == "--url") {
            config.session.url = argv[i + 1];
        } else if (arg == "--max-events") {
            max_events = std::stoull(argv[i + 1]);
        } else {
            std::cerr << "usage: discord-bot [--url URL] [--max-events N]\n";
            return 1;
        }
    }

    boost::asio::io_context io;
    gatewire::Client client(io.get_executor(), config);

    client.on<gatewire::events::Ready>([](const gatewire::events::Ready& ready) {
        std::cout << "ready as " << ready.user.username.value_or("?") << ", " << ready.guilds.size()
                  << " guilds" << std::endl;
    });
    client.on<gatewire::events::GuildCreate>([](const gatewire::events::GuildCreate& guild) {
        std::cout << "guild " << guild.name.value_or("(unnamed)") << std::endl;
    });
    client.on<gatewire::events::MessageCreate>([](const gatewire::events::MessageCreate& m) {
        std::string author = m.author ? m.author->username.value_or("?") : "?";
        std::cout << "message in " << m.channel_id.to_string() << " from " << author << ": "
                  << m.content.value_or("") << std::endl;
    });
    client.on_decode_error([](const gatewire::DecodeError& e) {
        std::cerr << "could not decode " << e.to_string() << std::endl;
    });
    std::uint64_t seen = 0;  // handlers run one at a time: no lock needed
    client.on_raw([&](const gatewire::RawEvent&) {
        if (max_events != 0 && ++seen == max_events) {
            client.stop();
        }
    });

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto error, int) {
        if (!error) {
            client.stop();
        }
    });
    std::error_code finished;
    client.on_finish([&](std::error_code error) {
        finished = error;
        boost::asio::post(io, [&] { signals.cancel(); });  // lets io.run() return
    });
    client.start();
    io.run();
    if (finished) {
        // A fatal close code (say 4004, a bad token) names itself here.
        std::cerr << "gateway: " << finished.message() << std::endl;
        return 2;
    }
    return 0;
}
