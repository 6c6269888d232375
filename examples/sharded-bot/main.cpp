// A Discord bot split into shards: a Cluster runs this process's range of the
// bot's shards ("0-3/4", or "16-31/64" with other processes running the
// rest), identifying as fast as Discord allows: `max_concurrency` shards at a
// time (GET /gateway/bot says how many), one wave every 5 s. Each guild's
// events arrive on shard (guild_id >> 22) % shard_count.
//
//   GATEWIRE_TOKEN=... sharded-bot                  # every shard GET /gateway/bot recommends
//   GATEWIRE_TOKEN=... sharded-bot --shards 16-31/64 --max-concurrency 16
//   GATEWIRE_TOKEN=sim-token sharded-bot --url ws://127.0.0.1:PORT --identify-interval-ms 0
//   sharded-bot --api http://127.0.0.1:PORT/api/v10 GATEWIRE_TOKEN=sim-token   # the simulator's
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <gatewire/gatewire.hpp>

int main(int argc, char** argv) {
    gatewire::ClusterConfig config;
    config.shard.session.profile = gatewire::profiles::discord();
    config.shard.session.intents = gatewire::Intents::guilds | gatewire::Intents::guild_messages;
    // From the environment, not the command line (other users can read that).
    if (auto token = gatewire::Secret::from_env("GATEWIRE_TOKEN")) {
        config.shard.session.token = *token;
    }
    std::optional<gatewire::ShardRange> shards;  // empty: all, as GET /gateway/bot says
    std::string api_url;                         // empty: Discord's
    std::uint64_t max_events = 0;  // stop after this many dispatches in all; 0: until Ctrl-C
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        std::string value = argv[i + 1];
        if (arg == "--url") {
            config.shard.session.url = value;
        } else if (arg == "--shards" && gatewire::ShardRange::parse(value)) {
            shards = gatewire::ShardRange::parse(value);
        } else if (arg == "--api") {
            api_url = value;
        } else if (arg == "--max-concurrency") {
            config.max_concurrency = static_cast<std::uint32_t>(std::stoul(value));
        } else if (arg == "--identify-interval-ms") {
            config.identify_spacing = std::chrono::milliseconds(std::stol(value));
        } else if (arg == "--max-events") {
            max_events = std::stoull(value);
        } else {
            std::cerr
                << "usage: sharded-bot [--url URL] [--api URL]"
                   " [--shards FIRST-LAST/COUNT] [--max-concurrency N] [--identify-interval-ms MS]"
                   " [--max-events N]\n";
            return 1;
        }
    }
    if (shards) {
        config.shards = *shards;  // a range of our own: the numbers are the owner's
    } else {
        // Everything from the gateway: URL, shard count, buckets and the day's budget.
        gatewire::GatewayInfoRequest request;
        request.token = config.shard.session.token;
        request.api_url = api_url;
        try {
            config.apply(gatewire::fetch_gateway_info(request));
        } catch (const std::system_error& e) {
            std::cerr << "GET /gateway/bot: " << e.what() << std::endl;
            return 1;
        }
        std::cout << "gateway: " << config.shards.count << " shards, max_concurrency "
                  << config.max_concurrency << std::endl;
    }

    boost::asio::io_context io;
    gatewire::Cluster cluster(io.get_executor(), config);
    std::mutex print;  // shards run their handlers concurrently
    cluster.on<gatewire::events::Ready>(
        [&](const gatewire::events::Ready& ready, const gatewire::EventContext& context) {
            std::lock_guard lock(print);
            std::cout << "shard " << context.shard_id << ": ready, " << ready.guilds.size()
                      << " guilds" << std::endl;
        });
    cluster.on<gatewire::events::MessageCreate>(
        [&](const gatewire::events::MessageCreate& m, const gatewire::EventContext& context) {
            std::lock_guard lock(print);
            std::cout << "shard " << context.shard_id << ": message " << m.content.value_or("")
                      << std::endl;
        });
    std::atomic<std::uint64_t> events{0};
    cluster.on_raw([&](const gatewire::RawEvent&) {
        if (max_events != 0 && ++events == max_events) {
            cluster.stop();
        }
    });

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto error, int) {
        if (!error) {
            cluster.stop();
        }
    });
    std::atomic<std::uint32_t> running{cluster.size()};
    std::atomic<bool> failed{false};
    cluster.on_finish([&](std::uint32_t shard_id, std::error_code error) {
        if (error) {
            failed = true;
            std::lock_guard lock(print);
            std::cerr << "shard " << shard_id << ": " << error.message() << std::endl;
        }
        if (--running == 0) {
            boost::asio::post(io, [&] { signals.cancel(); });
        }
    });
    cluster.start();
    io.run();
    return failed ? 2 : 0;
}
