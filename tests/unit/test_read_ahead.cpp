// The read-ahead layer under the WebSocket stream, over a real loopback
// socket: every byte in order, few reads under a burst, no buffer when idle.
#include <catch2/catch.hpp>

#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "transport/read_ahead_stream.hpp"

namespace read_ahead_tests {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using gatewire::detail::ReadAheadStream;

// The socket, counting the reads asked of it.
struct CountedSocket {
    using executor_type = tcp::socket::executor_type;
    tcp::socket socket;
    std::size_t reads = 0;

    explicit CountedSocket(net::io_context& io) : socket(io) {}
    executor_type get_executor() { return socket.get_executor(); }
    template <class Buffers, class Handler>
    auto async_read_some(const Buffers& buffers, Handler&& handler) {
        ++reads;
        return socket.async_read_some(buffers, std::forward<Handler>(handler));
    }
    template <class Buffers, class Handler>
    auto async_write_some(const Buffers& buffers, Handler&& handler) {
        return socket.async_write_some(buffers, std::forward<Handler>(handler));
    }
};

struct Pair {
    net::io_context io;
    tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), 0}};
    ReadAheadStream<CountedSocket> client{io};
    tcp::socket server{io};

    Pair() {
        client.next_layer().socket.connect(acceptor.local_endpoint());
        acceptor.accept(server);
    }

    // Reads as Beast does (at most 1536 bytes a call) until `count` bytes came.
    std::string read(std::size_t count) {
        std::string got;
        std::vector<char> chunk(1536);
        boost::system::error_code failed;
        std::function<void()> next = [&] {
            client.async_read_some(net::buffer(chunk),
                                   [&](boost::system::error_code ec, std::size_t n) {
                                       got.append(chunk.data(), n);
                                       if (ec) {
                                           failed = ec;
                                       } else if (got.size() < count) {
                                           next();
                                       }
                                   });
        };
        next();
        io.restart();
        io.run();
        REQUIRE_FALSE(failed);
        return got;
    }
};

std::string pattern(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    }
    return bytes;
}

TEST_CASE("the read-ahead layer serves a burst in order from few reads, then lets its buffer go") {
    Pair p;
    const std::string burst = pattern(600 * 1024);
    std::thread writer([&] { net::write(p.server, net::buffer(burst)); });
    std::string got = p.read(burst.size());
    writer.join();
    CHECK(got == burst);
    // 1536 bytes a read would take 400; gulps of 64 KiB take about 10, and a
    // few more where the writer fell behind the reader.
    CHECK(p.client.next_layer().reads < 100);
    CHECK(p.client.buffered() == 0);
    CHECK_FALSE(p.client.holds_buffer());

    // Idle: the pending read goes straight into the reader's buffer.
    std::size_t reads_before = p.client.next_layer().reads;
    net::write(p.server, net::buffer(std::string("0123456789")));
    CHECK(p.read(10) == "0123456789");
    CHECK(p.client.next_layer().reads == reads_before + 1);
    CHECK_FALSE(p.client.holds_buffer());
}

TEST_CASE("the read-ahead layer completes a read it serves from its buffer after returning") {
    Pair p;
    const std::string burst = pattern(200 * 1024);
    net::write(p.server, net::buffer(burst.data(), 100 * 1024));  // fits the socket buffers
    std::vector<char> chunk(1536);
    std::size_t completions = 0;
    // The first read fills a chunk and the second one gulps; the third is served.
    for (int i = 0; i < 3; ++i) {
        bool returned = false;
        bool completed_inside = false;
        p.client.async_read_some(net::buffer(chunk),
                                 [&](boost::system::error_code ec, std::size_t) {
                                     CHECK_FALSE(ec);
                                     completed_inside = !returned;
                                     ++completions;
                                 });
        returned = true;
        p.io.restart();
        p.io.run();
        CHECK_FALSE(completed_inside);
    }
    CHECK(completions == 3);
    CHECK(p.client.holds_buffer());
    CHECK(p.client.buffered() > 0);
    // A read larger than the whole buffer is served from what waits first.
    std::vector<char> large(ReadAheadStream<CountedSocket>::capacity * 2);
    std::size_t waiting = p.client.buffered();
    std::size_t got = 0;
    p.client.async_read_some(net::buffer(large),
                             [&](boost::system::error_code, std::size_t n) { got = n; });
    p.io.restart();
    p.io.run();
    CHECK(got == waiting);
}

TEST_CASE("the read-ahead layer hands over what it holds before the end of the stream") {
    Pair p;
    const std::string burst = pattern(50 * 1024);
    net::write(p.server, net::buffer(burst));
    p.server.close();
    std::string got;
    std::vector<char> chunk(1536);
    boost::system::error_code end;
    std::function<void()> next = [&] {
        p.client.async_read_some(net::buffer(chunk),
                                 [&](boost::system::error_code ec, std::size_t n) {
                                     got.append(chunk.data(), n);
                                     if (ec) {
                                         end = ec;
                                     } else {
                                         next();
                                     }
                                 });
    };
    next();
    p.io.run();
    CHECK(got == burst);
    CHECK(end == net::error::eof);
    CHECK_FALSE(p.client.holds_buffer());
}

}  // namespace read_ahead_tests
