// A Discord bot split into shards in one process: each shard is a Client of
// its own with its id and the shard count, all on one io_context, handlers
// told apart by the shard id in their context. Discord sends a guild's events
// to shard (guild_id >> 22) % shard_count.
//
//   GATEWIRE_TOKEN=... sharded-bot --shards 2
//   sharded-bot --url ws://127.0.0.1:PORT --token sim-token --identify-interval-ms 0
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gatewire/client.hpp>

int main(int argc, char** argv) {
    gatewire::ShardConfig base;
    base.session.profile = &gatewire::profiles::discord();
    base.session.intents = (1 << 0) | (1 << 9);  // GUILDS | GUILD_MESSAGES
    if (const char* token = std::getenv("GATEWIRE_TOKEN")) {
        base.session.token = token;
    }
    std::uint32_t shard_count = 2;
    std::uint64_t max_events = 0;  // stop after this many dispatches in all; 0: until Ctrl-C
    std::chrono::milliseconds identify_interval{5000};
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        if (arg == "--url") {
            base.session.url = argv[i + 1];
        } else if (arg == "--token") {
            base.session.token = argv[i + 1];
        } else if (arg == "--shards") {
            shard_count = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
        } else if (arg == "--max-events") {
            max_events = std::stoull(argv[i + 1]);
        } else if (arg == "--identify-interval-ms") {
            identify_interval = std::chrono::milliseconds(std::stol(argv[i + 1]));
        } else {
            std::cerr << "usage: sharded-bot [--url URL] [--token TOKEN] [--shards N]"
                         " [--max-events N] [--identify-interval-ms MS]\n";
            return 1;
        }
    }

    boost::asio::io_context io;
    std::vector<std::unique_ptr<gatewire::Client>> shards;
    std::mutex print;  // shards run their handlers concurrently
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::uint32_t> running{shard_count};
    std::atomic<bool> failed{false};
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    std::vector<std::unique_ptr<boost::asio::steady_timer>> starts;  // staggered identifies
    auto stop_all = [&] {
        for (auto& shard : shards) {
            shard->stop();
        }
    };

    for (std::uint32_t id = 0; id < shard_count; ++id) {
        gatewire::ShardConfig config = base;
        config.session.shard = gatewire::ShardId{id, shard_count};
        auto client = std::make_unique<gatewire::Client>(io.get_executor(), config);
        client->on<gatewire::events::Ready>(
            [&](const gatewire::events::Ready& ready, const gatewire::EventContext& context) {
                std::lock_guard lock(print);
                std::cout << "shard " << context.shard_id << ": ready, " << ready.guilds.size()
                          << " guilds" << std::endl;
            });
        client->on<gatewire::events::MessageCreate>(
            [&](const gatewire::events::MessageCreate& m, const gatewire::EventContext& context) {
                std::lock_guard lock(print);
                std::cout << "shard " << context.shard_id << ": message " << m.content.value_or("")
                          << std::endl;
            });
        client->on_raw([&](const gatewire::RawEvent&) {
            if (max_events != 0 && ++events == max_events) {
                boost::asio::post(io, stop_all);
            }
        });
        client->shard().on_finish([&](std::error_code error) {
            if (error) {
                failed = true;
                std::lock_guard lock(print);
                std::cerr << "gateway: " << error.message() << std::endl;
            }
            if (--running == 0) {
                boost::asio::post(io, [&] {
                    signals.cancel();
                    for (auto& timer : starts) {
                        timer->cancel();
                    }
                });
            }
        });
        shards.push_back(std::move(client));
    }
    signals.async_wait([&](auto error, int) {
        if (!error) {
            stop_all();
        }
    });
    // Discord lets a bot identify max_concurrency shards per 5 s (GET
    // /gateway/bot tells); one every 5 s is always safe, so shards start that
    // far apart unless told otherwise.
    for (std::uint32_t id = 0; id < shard_count; ++id) {
        auto timer = std::make_unique<boost::asio::steady_timer>(io, identify_interval * id);
        timer->async_wait([&, id](auto error) {
            if (!error) {
                shards[id]->start();
            }
        });
        starts.push_back(std::move(timer));
    }
    io.run();
    return failed ? 2 : 0;
}
