// Links gatewire::redis and builds what a cluster would take from it; no
// server is needed, since nothing connects until the first command.
#include <gatewire/client/cluster.hpp>
#include <gatewire/redis/identify_queue.hpp>
#include <gatewire/redis/session_store.hpp>

#include <cstdio>
#include <memory>

int main() {
    auto options = gatewire::parse_redis_address("redis://127.0.0.1:6379/2");
    if (!options || options->database != 2) {
        std::fprintf(stderr, "address not parsed\n");
        return 1;
    }
    auto redis = std::make_shared<gatewire::RedisConnection>(*options);
    gatewire::ClusterConfig config;
    config.identify_queue = std::make_shared<gatewire::RedisIdentifyQueue>(redis, 16);
    config.session_store = std::make_shared<gatewire::RedisSessionStore>(redis);
    std::printf("gatewire::redis linked: sessions under %s\n",
                std::static_pointer_cast<gatewire::RedisSessionStore>(config.session_store)
                    ->key_of({3, 16})
                    .c_str());
    return 0;
}
