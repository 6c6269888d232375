// Tests the Greeter bot against a real gateway session: gatewire::sim runs the
// server side on loopback in this process, the bot connects with a Client
// like in production, and the test scripts what the "server" sends.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <gatewire/sim/simulator.hpp>

#include "greeter.hpp"

using namespace std::chrono_literals;

namespace {

std::string message(const std::string& id, const std::string& author, const std::string& text) {
    return R"({"id":")" + id + R"(","channel_id":"10","author":{"id":"20","username":")" + author +
           R"("},"content":")" + text + R"(","timestamp":"2026-11-23T10:00:00+00:00"})";
}

// Polls `done` until it holds; generous, as CI machines are slow.
template <class Predicate>
bool eventually(Predicate done) {
    for (auto deadline = std::chrono::steady_clock::now() + 20s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
        if (done()) {
            return true;
        }
    }
    return false;
}

// A bot connected to its own simulated gateway, torn down in order.
struct BotUnderTest {
    gatewire::sim::Simulator sim{{.heartbeat_interval = 500ms}};
    boost::asio::io_context io;
    std::unique_ptr<gatewire::Client> client;
    std::unique_ptr<Greeter> greeter;
    std::thread thread;

    BotUnderTest() {
        sim.start();
        gatewire::ShardConfig config;
        config.session.url = sim.url();
        config.session.token = "sim-token";  // the simulator's default
        config.session.intents =
            gatewire::Intents::guild_messages | gatewire::Intents::message_content;
        client = std::make_unique<gatewire::Client>(io.get_executor(), config);
        greeter = std::make_unique<Greeter>(*client);
        client->start();
        thread = std::thread([this] { io.run(); });
    }
    ~BotUnderTest() {
        client->stop();
        thread.join();  // io.run() returns once the shard has finished
        sim.stop();
    }
};

}  // namespace

TEST_CASE("the greeter greets whoever says !hello, and nobody else") {
    BotUnderTest bot;
    REQUIRE(bot.sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, 20s));
    bot.sim.dispatch("MESSAGE_CREATE", message("1", "alice", "!hello"));
    bot.sim.dispatch("MESSAGE_CREATE", message("2", "bob", "good morning"));
    bot.sim.dispatch("MESSAGE_CREATE", message("3", "carol", "!hello"));
    REQUIRE(eventually([&] { return bot.greeter->greetings().size() == 2; }));
    CHECK(bot.greeter->greetings() == std::vector<std::string>{"hello, alice", "hello, carol"});
}

TEST_CASE("a reconnect in the middle neither loses nor repeats a greeting") {
    BotUnderTest bot;
    REQUIRE(bot.sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, 20s));
    bot.sim.dispatch("MESSAGE_CREATE", message("1", "alice", "!hello"));
    bot.sim.fault({gatewire::sim::Fault::Kind::reconnect});
    bot.sim.dispatch("MESSAGE_CREATE", message("2", "dave", "!hello"));  // sent while away
    REQUIRE(bot.sim.wait_until([](const auto& s) { return s.resumes == 1; }, 20s));
    REQUIRE(eventually([&] { return bot.greeter->greetings().size() >= 2; }));
    std::this_thread::sleep_for(200ms);  // room for a duplicate to show up, if there were one
    CHECK(bot.greeter->greetings() == std::vector<std::string>{"hello, alice", "hello, dave"});
}
