// One process of a bot whose shards are spread over several: runs a shard
// range through a Cluster whose identify queue and session store live in
// Redis, and appends what it handles to a file ("<shard> <event> <seq>").
// With --publish it also hands every event to Redis Streams for workers.
// SIGTERM stops it keeping the sessions resumable, as a deploy would;
// the tests also kill it outright.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "gatewire/client/cluster.hpp"
#include "gatewire/redis/event_publisher.hpp"
#include "gatewire/redis/identify_queue.hpp"
#include "gatewire/redis/session_store.hpp"

int main(int argc, char** argv) {
    std::string url, redis, prefix = "gatewire-test", range, out;
    std::uint32_t max_concurrency = 1;
    long spacing_ms = 5000;
    bool publish = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--url") {
            url = value;
        } else if (key == "--redis") {
            redis = value;
        } else if (key == "--prefix") {
            prefix = value;
        } else if (key == "--shards") {
            range = value;
        } else if (key == "--max-concurrency") {
            max_concurrency = static_cast<std::uint32_t>(std::stoul(value));
        } else if (key == "--spacing-ms") {
            spacing_ms = std::stol(value);
        } else if (key == "--out") {
            out = value;
        } else if (key == "--publish") {
            publish = value == "1";
        }
    }
    auto options = gatewire::parse_redis_address(redis);
    auto shards = gatewire::ShardRange::parse(range);
    FILE* log = std::fopen(out.c_str(), "a");
    if (!options || !shards || !log) {
        std::cerr << "usage: gatewire-test-node --url WS --redis HOST:PORT --shards A-B/N "
                     "--out FILE [--prefix P] [--max-concurrency N] [--spacing-ms N] "
                     "[--publish 1]\n";
        return 2;
    }
    options->key_prefix = prefix;
    auto connection = std::make_shared<gatewire::RedisConnection>(*options);

    gatewire::ClusterConfig config;
    config.shard.session.url = url;
    config.shard.session.token = "sim-token";
    config.shard.session.intents = gatewire::Intents::guilds | gatewire::Intents::guild_messages;
    config.shards = *shards;
    config.identify_queue = std::make_shared<gatewire::RedisIdentifyQueue>(
        connection, max_concurrency, std::chrono::milliseconds(spacing_ms));
    config.session_store = std::make_shared<gatewire::RedisSessionStore>(connection);
    std::unique_ptr<gatewire::RedisEventPublisher> publisher;
    if (publish) {
        gatewire::EventPublisherConfig fan_out;
        fan_out.streams.shard_count = shards->count;
        publisher = std::make_unique<gatewire::RedisEventPublisher>(*options, fan_out);
        config.session_store = publisher->session_store(config.session_store);
    }

    boost::asio::io_context io;
    gatewire::Cluster cluster(io.get_executor(), config);
    cluster.on_raw([log](const gatewire::RawEvent& event) {
        std::fprintf(log, "%u %s %llu\n", event.shard_id, event.name.c_str(),
                     static_cast<unsigned long long>(event.seq));
        std::fflush(log);
    });
    if (publisher) {
        publisher->attach(cluster);
    }
    std::atomic<std::uint32_t> running = cluster.size();
    cluster.on_finish([&](std::uint32_t, std::error_code) {
        if (--running == 0) {
            io.stop();
        }
    });
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code, int) {
        for (std::uint32_t id = shards->first; id <= shards->last; ++id) {
            cluster.shard(id).stop(/*keep_resumable=*/true);
        }
    });
    cluster.start();
    io.run();
    std::fclose(log);
    return 0;
}
