// The worker half of a bot split across processes (see gateway.cpp): takes
// events from the gateway's Redis Streams through a consumer group shared
// with the other workers, and handles them with the handlers a bot on a
// Client would have. Start as many as wanted, each with a name of its own;
// one that dies leaves its unfinished events to the others.
//
//   worker --redis 127.0.0.1:6379 --name a --shard-count 2
#include <csignal>
#include <iostream>
#include <string>

#include <gatewire/gatewire.hpp>
#include <gatewire/redis/event_stream.hpp>
#include <gatewire/redis/event_worker.hpp>

namespace {
gatewire::RedisEventWorker* the_worker = nullptr;
extern "C" void stop_worker(int) {
    if (the_worker) {
        the_worker->stop();  // safe in a signal handler: it sets a flag
    }
}
}  // namespace

int main(int argc, char** argv) {
    std::string redis_address = "127.0.0.1:6379", name;
    std::uint32_t shard_count = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i], value = argv[i + 1];
        if (arg == "--redis") {
            redis_address = value;
        } else if (arg == "--name") {
            name = value;
        } else if (arg == "--shard-count") {
            shard_count = static_cast<std::uint32_t>(std::stoul(value));
        }
    }
    auto redis_options = gatewire::parse_redis_address(redis_address);
    if (!redis_options || name.empty()) {
        std::cerr << "usage: worker --name NAME [--redis HOST:PORT] [--shard-count N]\n";
        return 1;
    }
    redis_options->key_prefix = "gateway-workers";
    gatewire::EventStreams streams;
    streams.shard_count = shard_count;
    gatewire::EventWorkerConfig config;
    config.streams = streams.all_keys(redis_options->key_prefix);
    config.consumer = name;

    gatewire::RedisEventWorker worker(*redis_options, config);
    worker.on<gatewire::events::MessageCreate>(
        [&](const gatewire::events::MessageCreate& message, const gatewire::EventContext& context) {
            std::string author = message.author ? message.author->username.value_or("?") : "?";
            std::cout << "worker " << name << ": message from " << author << ": "
                      << message.content.value_or("") << " (shard " << context.shard_id << ", seq "
                      << context.seq << ")" << std::endl;
        });
    the_worker = &worker;
    std::signal(SIGTERM, stop_worker);
    std::signal(SIGINT, stop_worker);
    worker.run();
    std::cout << "worker " << name << ": handled " << worker.stats().handled << " events"
              << std::endl;
    return 0;
}
