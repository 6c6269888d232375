// The typed client against gatewire-sim over loopback: typed handlers get
// structs for both gateways and every compression, a bad payload costs one
// event and not the session, and a blocked typed handler holds the socket
// (backpressure) without losing an event.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "../support/sim_config.hpp"
#include "gatewire/client.hpp"

using namespace gatewire;
using namespace std::chrono_literals;

namespace {

constexpr auto patience = 20s;

struct Bot {
    sim::Simulator sim;
    boost::asio::io_context io;
    std::unique_ptr<Client> client;
    std::thread thread;
    std::atomic<bool> finished{false};

    Bot(const Profile& profile, Compression compression, std::size_t queue = 1024)
        : sim(test::quick_sim_config(profile)) {
        sim.start();
        ShardConfig config;
        config.session.profile = &profile;
        config.session.url = sim.url();
        config.session.token = "sim-token";
        config.session.compression = compression;
        config.session.intents = 513;
        config.session.shard = ShardId{0, 1};
        config.close_timeout = 1s;
        config.event_queue_capacity = queue;
        client = std::make_unique<Client>(io.get_executor(), std::move(config));
        client->shard().on_finish([this](std::error_code) { finished = true; });
    }
    void run() {
        client->start();
        thread = std::thread([this] { io.run(); });
    }
    ~Bot() {
        client->stop();
        for (int i = 0; i < 1000 && !finished; ++i) {
            std::this_thread::sleep_for(10ms);
        }
        if (thread.joinable()) {
            thread.join();
        }
        sim.stop();
    }
};

template <class Predicate>
bool eventually(Predicate predicate) {
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) {
            return true;
        }
        std::this_thread::sleep_for(5ms);
    }
    return predicate();
}

}  // namespace

TEST_CASE("typed handlers receive READY and messages for both gateways, every compression") {
    struct Mode {
        const Profile* profile;
        Compression compression;
    };
    for (Mode mode : {Mode{&profiles::discord(), Compression::zlib_stream},
                      Mode{&profiles::discord(), Compression::zstd_stream},
                      Mode{&profiles::fluxer(), Compression::zstd_stream},
                      Mode{&profiles::fluxer(), Compression::none}}) {
        DYNAMIC_SECTION(mode.profile->name << " " << to_string(mode.compression)) {
            Bot bot(*mode.profile, mode.compression);
            std::mutex mutex;
            std::optional<std::string> session_id;
            std::vector<std::uint64_t> ids;
            std::vector<std::uint32_t> shards;
            bot.client->on<events::Ready>([&](const events::Ready& ready) {
                std::lock_guard lock(mutex);
                session_id = ready.session_id;
            });
            bot.client->on<events::MessageCreate>(
                [&](const events::MessageCreate& m, const EventContext& context) {
                    std::lock_guard lock(mutex);
                    ids.push_back(m.id.value);
                    shards.push_back(context.shard_id);
                });
            bot.run();
            REQUIRE(eventually([&] {
                std::lock_guard lock(mutex);
                return session_id.has_value();
            }));
            for (int i = 1; i <= 5; ++i) {
                bot.sim.dispatch("MESSAGE_CREATE", R"({"id":")" +
                                                       std::to_string(9007199254740993ull + i) +
                                                       R"(","channel_id":"1","content":"hi"})");
            }
            REQUIRE(eventually([&] {
                std::lock_guard lock(mutex);
                return ids.size() == 5;
            }));
            std::lock_guard lock(mutex);
            CHECK_FALSE(session_id->empty());
            CHECK(ids.front() == 9007199254740994ull);  // 2^53 + 2, exact
            CHECK(ids.back() == 9007199254740998ull);
            CHECK(shards == std::vector<std::uint32_t>(5, 0));
        }
    }
}

TEST_CASE("a payload of the wrong shape is reported and the session goes on") {
    Bot bot(profiles::discord(), Compression::zlib_stream);
    std::mutex mutex;
    std::vector<DecodeError> errors;
    std::vector<std::string> contents;
    std::vector<std::string> raw_names;
    bot.client->on<events::MessageCreate>([&](const events::MessageCreate& m) {
        std::lock_guard lock(mutex);
        contents.push_back(m.content.value_or(""));
    });
    bot.client->on_decode_error([&](const DecodeError& e) {
        std::lock_guard lock(mutex);
        errors.push_back(e);
    });
    bot.client->on_raw([&](const RawEvent& e) {
        std::lock_guard lock(mutex);
        raw_names.push_back(e.name);
    });
    bot.run();
    REQUIRE(bot.sim.wait_until([](const auto& s) { return s.identifies == 1; }, patience));
    bot.sim.dispatch("MESSAGE_CREATE", R"({"id":"1","channel_id":"1","content":42})");
    bot.sim.dispatch("BRAND_NEW_EVENT", R"({"x":1})");
    bot.sim.dispatch("MESSAGE_CREATE", R"({"id":"2","channel_id":"1","content":"fine"})");
    REQUIRE(eventually([&] {
        std::lock_guard lock(mutex);
        return contents.size() == 1 && errors.size() == 1;
    }));
    std::lock_guard lock(mutex);
    CHECK(contents[0] == "fine");
    CHECK(errors[0].event == "MESSAGE_CREATE");
    CHECK(errors[0].path == "content");
    CHECK(errors[0].seq != 0);
    CHECK(std::find(raw_names.begin(), raw_names.end(), "BRAND_NEW_EVENT") != raw_names.end());
    CHECK(bot.sim.stats().connections == 1);
    CHECK(bot.client->shard().state() == ShardState::ready);
}

TEST_CASE("a blocked typed handler stops reading at a full queue; nothing is lost") {
    Bot bot(profiles::discord(), Compression::zlib_stream, 4);
    std::mutex mutex;
    std::condition_variable cv;
    bool release = false;
    std::vector<std::uint64_t> seqs;
    bot.client->on<events::MessageCreate>([&](const events::MessageCreate&, const EventContext& c) {
        std::unique_lock lock(mutex);
        if (seqs.empty()) {
            cv.wait(lock, [&] { return release; });  // hold the handler thread
        }
        seqs.push_back(c.seq);
    });
    bot.run();
    REQUIRE(bot.sim.wait_until([](const auto& s) { return s.identifies == 1; }, patience));
    for (int i = 1; i <= 200; ++i) {
        bot.sim.dispatch("MESSAGE_CREATE",
                         R"({"id":")" + std::to_string(i) + R"(","channel_id":"1"})");
    }
    // Heartbeats go on while the handler is held and the queue is full.
    auto before = bot.sim.stats().heartbeats;
    REQUIRE(
        bot.sim.wait_until([&](const auto& s) { return s.heartbeats >= before + 3; }, patience));
    {
        std::lock_guard lock(mutex);
        CHECK(seqs.empty());
        release = true;
    }
    cv.notify_all();
    REQUIRE(eventually([&] {
        std::lock_guard lock(mutex);
        return seqs.size() == 200;
    }));
    std::lock_guard lock(mutex);
    for (std::size_t i = 1; i < seqs.size(); ++i) {
        CHECK(seqs[i] == seqs[i - 1] + 1);  // in order, none twice, none missing
    }
    CHECK(bot.sim.stats().connections == 1);
    CHECK(bot.sim.stats().server_close_codes.empty());
}
