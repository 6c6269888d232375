// A Fluxer user client that keeps its private state current: READY brings the
// relationships (friends, requests, blocks) and read states; the events that
// follow change them. At the end it prints what it holds.
//
//   GATEWIRE_TOKEN=... fluxer-user-client
//   GATEWIRE_TOKEN=sim-token fluxer-user-client --url ws://127.0.0.1:PORT   (against gatewire-sim)
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <gatewire/gatewire.hpp>

namespace {

// What the account knows about other users and its unread channels. Handlers
// run one at a time per shard, so it needs no lock.
struct AccountState {
    std::map<gatewire::Snowflake, gatewire::Relationship> relationships;  // by user id
    std::map<gatewire::Snowflake, gatewire::ReadState> read_states;       // by channel id

    void reset(const gatewire::events::Ready& ready) {
        relationships.clear();
        for (const auto& r : ready.relationships) {
            relationships[r.id] = r;
        }
        read_states.clear();
        for (const auto& s : ready.read_states) {
            read_states[s.id] = s;
        }
    }
    void acknowledge(const gatewire::events::MessageAck& ack) {
        auto& state = read_states[ack.channel_id];
        state.id = ack.channel_id;
        state.last_message_id = ack.message_id;
        state.mention_count = ack.mention_count.value_or(0);
    }
};

const char* describe(gatewire::RelationshipType type) {
    switch (type) {
        case gatewire::RelationshipType::friend_:
            return "friend";
        case gatewire::RelationshipType::blocked:
            return "blocked";
        case gatewire::RelationshipType::incoming:
            return "incoming request";
        case gatewire::RelationshipType::outgoing:
            return "outgoing request";
        default:
            return "other";
    }
}

}  // namespace

int main(int argc, char** argv) {
    gatewire::ShardConfig config;
    config.session.profile = gatewire::profiles::fluxer();
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
            std::cerr << "usage: fluxer-user-client [--url URL] [--max-events N]\n";
            return 1;
        }
    }

    boost::asio::io_context io;
    gatewire::Client client(io.get_executor(), config);
    AccountState account;

    client.on<gatewire::events::Ready>([&](const gatewire::events::Ready& ready) {
        account.reset(ready);
        std::cout << "ready: " << account.relationships.size() << " relationships, "
                  << account.read_states.size() << " read states" << std::endl;
    });
    auto upsert = [&](const gatewire::Relationship& r) {
        account.relationships[r.id] = r;
        std::cout << "relationship " << r.id.to_string() << ": " << describe(r.type) << std::endl;
    };
    client.on<gatewire::events::RelationshipAdd>(upsert);
    client.on<gatewire::events::RelationshipUpdate>(upsert);
    client.on<gatewire::events::RelationshipRemove>(
        [&](const gatewire::events::RelationshipRemove& r) {
            account.relationships.erase(r.id);
            std::cout << "relationship " << r.id.to_string() << ": removed" << std::endl;
        });
    client.on<gatewire::events::MessageAck>([&](const gatewire::events::MessageAck& ack) {
        account.acknowledge(ack);
        std::cout << "read " << ack.channel_id.to_string() << " up to "
                  << ack.message_id.to_string() << std::endl;
    });
    client.on_decode_error([](const gatewire::DecodeError& e) {
        std::cerr << "could not decode " << e.to_string() << std::endl;
    });
    std::uint64_t seen = 0;
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
        boost::asio::post(io, [&] { signals.cancel(); });
    });
    client.start();
    io.run();

    std::cout << "holding " << account.relationships.size() << " relationships:";
    for (const auto& [id, r] : account.relationships) {
        std::cout << " " << id.to_string() << " (" << describe(r.type) << ")";
    }
    std::cout << "\nholding " << account.read_states.size() << " read states:";
    for (const auto& [id, s] : account.read_states) {
        std::cout << " " << id.to_string() << " at "
                  << (s.last_message_id ? s.last_message_id.value().to_string() : "none");
    }
    std::cout << std::endl;
    if (finished) {
        std::cerr << "gateway: " << finished.message() << std::endl;
        return 2;
    }
    return 0;
}
