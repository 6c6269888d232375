// The client's WebSocket layer against a server written here byte by byte:
// the upgrade's checks, frames that come with the upgrade's answer, pings
// answered, and a server that breaks the framing closed with 1002.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "../support/shard_harness.hpp"
#include "gatewire/detail/websocket_frames.hpp"
#include "gatewire/transport/shard.hpp"

namespace websocket_tests {

using namespace gatewire;
using namespace std::chrono_literals;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Bytes = std::vector<std::uint8_t>;
using gatewire::test::Harness;

namespace {

constexpr int wait_ms = 10000;  // for what must come; generous on a loaded machine

bool readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
}

// One end of a connection the test drives by hand, with a deadline on every read.
struct Peer {
    tcp::socket socket;

    bool read_exact(std::uint8_t* out, std::size_t n) {
        for (std::size_t got = 0; got < n;) {
            if (!readable(socket.native_handle(), wait_ms)) {
                return false;
            }
            ssize_t r = ::recv(socket.native_handle(), out + got, n - got, 0);
            if (r <= 0) {
                return false;
            }
            got += static_cast<std::size_t>(r);
        }
        return true;
    }

    std::string read_request() {
        std::string request;
        std::uint8_t c = 0;
        while (request.find("\r\n\r\n") == std::string::npos && read_exact(&c, 1)) {
            request += static_cast<char>(c);
        }
        return request;
    }

    void send(const std::string& bytes) { net::write(socket, net::buffer(bytes)); }
    void send(const Bytes& bytes) { net::write(socket, net::buffer(bytes)); }

    struct Frame {
        int opcode = -1;  // -1: none came
        std::string payload;
    };
    // A client frame, unmasked; every one must be masked and final.
    Frame read_frame() {
        Frame frame;
        std::uint8_t head[2];
        if (!read_exact(head, 2)) {
            return frame;
        }
        CHECK((head[0] & 0x80) != 0);
        CHECK((head[1] & 0x80) != 0);
        std::uint64_t size = head[1] & 0x7F;
        if (size >= 126) {
            std::uint8_t ext[8];
            std::size_t n = size == 126 ? 2 : 8;
            REQUIRE(read_exact(ext, n));
            size = 0;
            for (std::size_t i = 0; i < n; ++i) {
                size = size << 8 | ext[i];
            }
        }
        std::uint8_t mask[4];
        REQUIRE(read_exact(mask, 4));
        frame.payload.resize(size);
        REQUIRE(read_exact(reinterpret_cast<std::uint8_t*>(frame.payload.data()), size));
        for (std::size_t i = 0; i < size; ++i) {
            frame.payload[i] = static_cast<char>(frame.payload[i] ^ mask[i & 3]);
        }
        frame.opcode = head[0] & 0x0F;
        return frame;
    }
    // The next frame that is not a heartbeat.
    Frame read_frame_past_heartbeats() {
        for (;;) {
            Frame frame = read_frame();
            if (frame.opcode != 1 || frame.payload.find("\"op\":1,") == std::string::npos) {
                return frame;
            }
        }
    }
};

std::string key_of(const std::string& request) {
    auto at = request.find("Sec-WebSocket-Key: ");
    REQUIRE(at != std::string::npos);
    at += 19;
    return request.substr(at, request.find("\r\n", at) - at);
}

std::string switching(const std::string& accept) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           accept + "\r\n\r\n";
}

Bytes frame(int first_byte, const std::string& payload) {
    Bytes out{static_cast<std::uint8_t>(first_byte), static_cast<std::uint8_t>(payload.size())};
    REQUIRE(payload.size() < 126);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

std::string as_text(const Bytes& bytes) {
    return {bytes.begin(), bytes.end()};
}

const std::string hello = R"({"op":10,"d":{"heartbeat_interval":45000},"s":null,"t":null})";
const std::string ready_first = R"({"op":0,"s":1,"t":"READY","d":{"v":10,"session_id":"s1",)";
const std::string ready_rest =
    R"("resume_gateway_url":"ws://127.0.0.1:1","user":{"id":"1","username":"bot"},"guilds":[]}})";

struct Listener {
    net::io_context io;
    tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), 0}};

    std::string url() const {
        return "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    }
    std::optional<Peer> accept() {
        if (!readable(acceptor.native_handle(), wait_ms)) {
            return std::nullopt;
        }
        return Peer{acceptor.accept()};
    }
};

// A shard on its own thread, its states and errors kept.
struct Client {
    net::io_context io;
    std::unique_ptr<Shard> shard;
    std::mutex mutex;
    std::vector<ShardState> states;
    std::vector<std::string> errors;
    std::thread runner;

    explicit Client(const std::string& url) {
        ShardConfig config = Harness::client_config(profiles::discord(), Compression::none);
        config.session.url = url;
        shard = std::make_unique<Shard>(io.get_executor(), config);
        shard->on_state([this](ShardState state, std::string_view) {
            std::lock_guard lock(mutex);
            states.push_back(state);
        });
        shard->on_error([this](std::error_code, std::string_view detail) {
            std::lock_guard lock(mutex);
            errors.emplace_back(detail);
        });
        shard->start();
        runner = std::thread([this] { io.run(); });
    }
    ~Client() {
        shard->stop();
        runner.join();
    }
    bool saw(ShardState wanted) {
        for (auto until = std::chrono::steady_clock::now() + 10s;
             std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(5ms)) {
            std::lock_guard lock(mutex);
            if (std::find(states.begin(), states.end(), wanted) != states.end()) {
                return true;
            }
        }
        return false;
    }
    bool error_mentions(const std::string& text) {
        for (auto until = std::chrono::steady_clock::now() + 10s;
             std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(5ms)) {
            std::lock_guard lock(mutex);
            for (const auto& e : errors) {
                if (e.find(text) != std::string::npos) {
                    return true;
                }
            }
        }
        return false;
    }
};

}  // namespace

TEST_CASE(
    "frames behind the upgrade's answer are read, and a ping between fragments gets its pong") {
    Listener listener;
    Client client(listener.url());
    auto peer = listener.accept();
    REQUIRE(peer);
    std::string request = peer->read_request();
    CHECK(request.find("GET /") == 0);
    CHECK(request.find("Sec-WebSocket-Version: 13\r\n") != std::string::npos);
    // The answer and Hello in one write: the client's first read holds both.
    peer->send(switching(websocket_accept(key_of(request))) + as_text(frame(0x81, hello)));
    auto identify = peer->read_frame_past_heartbeats();
    CHECK(identify.opcode == 1);
    CHECK(identify.payload.find("\"op\":2") != std::string::npos);
    // READY in two frames with a ping between them (RFC 6455 5.4 allows it).
    Bytes wire = frame(0x01, ready_first);
    Bytes ping = frame(0x89, "are you there");
    Bytes rest = frame(0x80, ready_rest);
    wire.insert(wire.end(), ping.begin(), ping.end());
    wire.insert(wire.end(), rest.begin(), rest.end());
    peer->send(wire);
    auto pong = peer->read_frame_past_heartbeats();
    CHECK(pong.opcode == 0xA);
    CHECK(pong.payload == "are you there");
    CHECK(client.saw(ShardState::ready));
}

TEST_CASE("a server that breaks the framing is closed with 1002, and the shard connects again") {
    Listener listener;
    Client client(listener.url());
    auto peer = listener.accept();
    REQUIRE(peer);
    peer->send(switching(websocket_accept(key_of(peer->read_request()))));
    peer->send(frame(0x81, hello));
    REQUIRE(peer->read_frame_past_heartbeats().opcode == 1);      // Identify
    peer->send(Bytes{0x81, 0x82, 1, 2, 3, 4, 'n' ^ 1, 'o' ^ 2});  // masked: servers never mask
    auto close = peer->read_frame_past_heartbeats();
    REQUIRE(close.opcode == 0x8);
    REQUIRE(close.payload.size() >= 2);
    CHECK(((static_cast<std::uint8_t>(close.payload[0]) << 8) |
           static_cast<std::uint8_t>(close.payload[1])) == 1002);
    peer->socket.close();
    auto again = listener.accept();
    CHECK(again);
}

TEST_CASE("an upgrade not answered as RFC 6455 asks is refused, and the shard tries again") {
    Listener listener;
    Client client(listener.url());
    SECTION("a wrong Sec-WebSocket-Accept") {
        auto peer = listener.accept();
        REQUIRE(peer);
        peer->read_request();
        peer->send(switching("bm90IHRoZSBhbnN3ZXI="));
        CHECK(client.error_mentions("connect failed"));
    }
    SECTION("an HTTP error status") {
        auto peer = listener.accept();
        REQUIRE(peer);
        peer->read_request();
        peer->send(std::string("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope"));
        CHECK(client.error_mentions("connect failed"));
    }
    auto again = listener.accept();
    CHECK(again);
}

}  // namespace websocket_tests
