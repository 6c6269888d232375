// One worker process: reads a bot's event streams from Redis through a
// consumer group and appends each event it handles to a file
// ("<shard> <session> <seq> <event>"), a line written before the handler
// returns. --handle-ms makes each handler take that long, so a test can
// kill it (SIGKILL) with entries in flight; SIGTERM stops it.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "gatewire/redis/event_stream.hpp"
#include "gatewire/redis/event_worker.hpp"

namespace {
gatewire::RedisEventWorker* running_worker = nullptr;
extern "C" void on_signal(int) {
    if (running_worker) {
        running_worker->stop();
    }
}
}  // namespace

int main(int argc, char** argv) {
    std::string redis, prefix = "gatewire-test", consumer, out;
    std::uint32_t shards = 1;
    long handle_ms = 0, claim_idle_ms = 1000;
    std::size_t batch = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--redis") {
            redis = value;
        } else if (key == "--prefix") {
            prefix = value;
        } else if (key == "--shards") {
            shards = static_cast<std::uint32_t>(std::stoul(value));
        } else if (key == "--consumer") {
            consumer = value;
        } else if (key == "--handle-ms") {
            handle_ms = std::stol(value);
        } else if (key == "--claim-idle-ms") {
            claim_idle_ms = std::stol(value);
        } else if (key == "--batch") {
            batch = std::stoul(value);
        } else if (key == "--out") {
            out = value;
        }
    }
    auto options = gatewire::parse_redis_address(redis);
    FILE* log = std::fopen(out.c_str(), "a");
    if (!options || !log || consumer.empty()) {
        std::cerr << "usage: gatewire-test-worker --redis HOST:PORT --consumer NAME --out FILE "
                     "[--prefix P] [--shards N] [--handle-ms N] [--claim-idle-ms N] [--batch N]\n";
        return 2;
    }
    options->key_prefix = prefix;
    gatewire::EventStreams streams;
    streams.shard_count = shards;
    gatewire::EventWorkerConfig config;
    config.streams = streams.all_keys(prefix);
    config.consumer = consumer;
    config.batch = batch;
    config.claim_idle = std::chrono::milliseconds(claim_idle_ms);
    gatewire::RedisEventWorker worker(*options, config);
    worker.on_raw([&](const gatewire::RawEvent& event) {
        std::fprintf(log, "%u %s %llu %s\n", event.shard_id,
                     event.session_id.empty() ? "-" : event.session_id.c_str(),
                     static_cast<unsigned long long>(event.seq), event.name.c_str());
        std::fflush(log);
        if (handle_ms > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(handle_ms));
        }
    });
    running_worker = &worker;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    worker.run();
    std::fclose(log);
    return 0;
}
