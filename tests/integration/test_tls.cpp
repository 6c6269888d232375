// wss:// verifies the server's certificate chain and host name by default.
// A loopback TLS WebSocket server with a certificate made here, in memory.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "../support/self_signed.hpp"
#include "gatewire/transport/shard.hpp"

namespace tls_tests {

using namespace gatewire;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;

namespace {

using gatewire::test::Pem;

// Accepts TLS WebSocket connections and sends Hello; counts upgrades.
struct TlsServer {
    net::io_context io;
    ssl::context tls{ssl::context::tls_server};
    net::ip::tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), 0}};
    std::atomic<int> upgrades{0};
    std::thread thread;

    explicit TlsServer(const Pem& pem) {
        tls.use_certificate_chain(net::buffer(pem.certificate));
        tls.use_private_key(net::buffer(pem.key), ssl::context::pem);
        net::co_spawn(io, accept_loop(), net::detached);
        thread = std::thread([this] { io.run(); });
    }
    ~TlsServer() {
        net::post(io, [this] { io.stop(); });
        thread.join();
    }
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }

    net::awaitable<void> accept_loop() {
        for (;;) {
            beast::error_code ec;
            auto socket =
                co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
            if (ec) {
                co_return;
            }
            net::co_spawn(io, serve(std::move(socket)), net::detached);
        }
    }

    net::awaitable<void> serve(net::ip::tcp::socket socket) {
        beast::websocket::stream<ssl::stream<beast::tcp_stream>> ws(std::move(socket), tls);
        beast::error_code ec;
        co_await ws.next_layer().async_handshake(ssl::stream_base::server,
                                                 net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        co_await ws.async_accept(net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        ++upgrades;
        std::string hello = R"({"op":10,"d":{"heartbeat_interval":41250}})";
        co_await ws.async_write(net::buffer(hello), net::redirect_error(net::use_awaitable, ec));
        beast::flat_buffer buffer;
        while (!ec) {
            co_await ws.async_read(buffer, net::redirect_error(net::use_awaitable, ec));
            buffer.clear();
        }
    }
};

struct Outcome {
    int upgrades;
    std::vector<std::string> errors;
    bool identified;
};

Outcome connect(const std::string& host, const std::string& ca_file, TlsServer& server) {
    net::io_context io;
    ShardConfig config;
    config.session.url = "wss://" + host + ":" + std::to_string(server.port());
    config.session.token = "t";
    config.session.compression = Compression::none;
    config.session.backoff.initial = 50ms;
    config.ca_file = ca_file;
    config.connect_timeout = 5s;
    Shard shard(io.get_executor(), config);
    std::mutex mutex;
    Outcome outcome{0, {}, false};
    shard.on_error([&](std::error_code, std::string_view detail) {
        std::lock_guard lock(mutex);
        outcome.errors.emplace_back(detail);
    });
    shard.on_state([&](ShardState state, std::string_view) {
        std::lock_guard lock(mutex);
        outcome.identified = outcome.identified || state == ShardState::identifying;
    });
    std::promise<void> finished;
    shard.on_finish([&](std::error_code) { finished.set_value(); });
    shard.start();
    std::thread runner([&] { io.run(); });
    for (int i = 0; i < 200; ++i) {
        std::this_thread::sleep_for(10ms);
        std::lock_guard lock(mutex);
        if (outcome.identified || outcome.errors.size() >= 2) {
            break;
        }
    }
    shard.stop();
    REQUIRE(finished.get_future().wait_for(10s) == std::future_status::ready);
    runner.join();
    outcome.upgrades = server.upgrades.exchange(0);
    return outcome;
}

}  // namespace

TEST_CASE("wss: certificates and host names are verified by default") {
    Pem pem = gatewire::test::make_self_signed_certificate("localhost");
    auto ca_file = std::filesystem::temp_directory_path() /
                   ("gatewire-test-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_file) << pem.certificate;
    TlsServer server(pem);

    SECTION("an untrusted certificate is refused") {
        Outcome outcome = connect("localhost", "", server);
        CHECK(outcome.upgrades == 0);
        CHECK_FALSE(outcome.identified);
        REQUIRE_FALSE(outcome.errors.empty());
        CHECK(outcome.errors.front().find("certificate") != std::string::npos);
    }
    SECTION("a trusted certificate for the right host name is accepted") {
        Outcome outcome = connect("localhost", ca_file.string(), server);
        CHECK(outcome.identified);
        CHECK(outcome.upgrades >= 1);
    }
    SECTION("a trusted certificate for another host name is refused") {
        Outcome outcome = connect("127.0.0.1", ca_file.string(), server);
        CHECK(outcome.upgrades == 0);
        CHECK_FALSE(outcome.identified);
        REQUIRE_FALSE(outcome.errors.empty());
    }
    std::filesystem::remove(ca_file);
}

}  // namespace tls_tests
