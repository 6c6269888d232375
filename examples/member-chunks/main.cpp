// Asks for every member of a guild and gets them as one result, however many
// GUILD_MEMBERS_CHUNK replies the gateway splits them into. Discord needs the
// GUILD_MEMBERS intent for the full list (GUILD_PRESENCES for presences).
//
//   GATEWIRE_TOKEN=... member-chunks --guild 41771983444115456
//   GATEWIRE_TOKEN=sim-token member-chunks --url ws://127.0.0.1:PORT --guild 42   (against
//   gatewire-sim)
#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gatewire/gatewire.hpp>
#include <thread>

namespace net = boost::asio;

int main(int argc, char** argv) {
    gatewire::ShardConfig config;
    // guild_members is privileged: switch it on for the application first.
    config.session.intents = gatewire::Intents::guilds | gatewire::Intents::guild_members;
    // From the environment, not the command line (other users can read that).
    if (auto token = gatewire::Secret::from_env("GATEWIRE_TOKEN")) {
        config.session.token = *token;
    }
    gatewire::commands::RequestGuildMembers request;
    request.query = "";  // everyone: "" and limit 0
    request.limit = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        std::string value = argv[i + 1];
        if (arg == "--url") {
            config.session.url = value;
        } else if (arg == "--guild") {
            request.guild_id = gatewire::Snowflake::parse(value).value_or(gatewire::Snowflake{});
        } else {
            std::cerr << "usage: member-chunks --guild ID [--url URL]\n";
            return 1;
        }
    }
    if (request.guild_id.value == 0) {
        std::cerr << "member-chunks: --guild ID is required\n";
        return 1;
    }

    // The shard's I/O runs on `io`, on a thread of its own; this program's
    // code (the handlers and the coroutine) on `app`, so nothing it does can
    // delay a heartbeat. Each completion resumes the coroutine on `app`.
    net::io_context io;
    net::io_context app;
    auto app_busy = net::make_work_guard(app);  // until the shard has finished
    gatewire::Client client(io.get_executor(), config, app.get_executor());
    int status = 1;
    // A coroutine reads like the steps it takes: wait for READY, ask, print.
    net::co_spawn(
        app,
        [&]() -> net::awaitable<void> {
            co_await client.async_next<gatewire::events::Ready>(net::use_awaitable);
            try {
                gatewire::MembersResult members =
                    co_await client.async_request_members(request, net::use_awaitable);
                std::cout << members.members.size() << " members in " << members.chunks_received
                          << " chunks:";
                for (const auto& m : members.members) {
                    std::cout << " " << (m.user ? m.user->username.value_or("?") : "?");
                }
                std::cout << std::endl;
                status = 0;
            } catch (const boost::system::system_error& e) {
                // errc::request_timed_out: not every chunk came in time.
                std::cerr << "member request: " << e.code().message() << std::endl;
            }
            client.stop();
        },
        net::detached);
    client.on_finish([&](std::error_code error) {
        if (error) {
            std::cerr << "gateway: " << error.message() << std::endl;
            status = 2;
        }
        app_busy.reset();
    });
    app.poll();  // the coroutine now waits for READY: start the shard
    client.start();
    std::thread io_thread([&] { io.run(); });
    app.run();
    io_thread.join();
    return status;
}
