// The gateway half of a bot split across processes: holds this process's
// shards and hands every event to Redis Streams (one per shard) for the
// workers (worker.cpp). It keeps its sessions in Redis, so a restarted
// gateway resumes and the workers see no gap; SIGTERM stops it keeping them.
//
//   GATEWIRE_TOKEN=... gateway --redis 127.0.0.1:6379 --shards 0-1/2
//   GATEWIRE_TOKEN=sim-token gateway --url ws://127.0.0.1:PORT --redis HOST:PORT --shards 0-1/2
#include <atomic>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <gatewire/gatewire.hpp>
#include <gatewire/redis/event_publisher.hpp>
#include <gatewire/redis/identify_queue.hpp>
#include <gatewire/redis/session_store.hpp>

int main(int argc, char** argv) {
    gatewire::ClusterConfig config;
    config.shard.session.url = "wss://gateway.discord.gg";
    config.shard.session.intents = gatewire::Intents::guilds | gatewire::Intents::guild_messages |
                                   gatewire::Intents::message_content;
    if (auto token = gatewire::Secret::from_env("GATEWIRE_TOKEN")) {
        config.shard.session.token = *token;
    }
    std::string redis_address = "127.0.0.1:6379";
    std::optional<gatewire::ShardRange> shards = gatewire::ShardRange::all(1);
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i], value = argv[i + 1];
        if (arg == "--url") {
            config.shard.session.url = value;
        } else if (arg == "--redis") {
            redis_address = value;
        } else if (arg == "--shards") {
            shards = gatewire::ShardRange::parse(value);
        } else {
            shards.reset();
        }
    }
    auto redis_options = gatewire::parse_redis_address(redis_address);
    if (!shards || !redis_options) {
        std::cerr << "usage: gateway [--url URL] [--redis HOST:PORT] [--shards FIRST-LAST/COUNT]\n";
        return 1;
    }
    redis_options->key_prefix = "gateway-workers";
    config.shards = *shards;
    config.identify_spacing = std::chrono::milliseconds(100);  // the simulator's; Discord: 5 s

    auto redis = std::make_shared<gatewire::RedisConnection>(*redis_options);
    config.identify_queue = std::make_shared<gatewire::RedisIdentifyQueue>(
        redis, config.max_concurrency, config.identify_spacing);
    // Every shard's events to its own stream, the streams shared by all the workers.
    gatewire::EventPublisherConfig fan_out;
    fan_out.streams.shard_count = shards->count;
    gatewire::RedisEventPublisher publisher(*redis_options, fan_out);
    // A restarted gateway resumes after the last event Redis has.
    config.session_store =
        publisher.session_store(std::make_shared<gatewire::RedisSessionStore>(redis));

    boost::asio::io_context io;
    gatewire::Cluster cluster(io.get_executor(), config);
    publisher.attach(cluster);
    cluster.on_ready([] { std::cout << "gateway: every shard is ready" << std::endl; });
    std::atomic<std::uint32_t> running = cluster.size();
    cluster.on_finish([&](std::uint32_t shard, std::error_code error) {
        if (error) {
            std::cerr << "gateway: shard " << shard << " ended: " << error.message() << std::endl;
        }
        if (--running == 0) {
            io.stop();
        }
    });
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code, int) { cluster.stop(true); });
    cluster.start();
    io.run();
    publisher.flush(std::chrono::seconds(5));
    std::cout << "gateway: published " << publisher.stats().published << " events" << std::endl;
    return 0;
}
