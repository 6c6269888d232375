#include "tls_front.hpp"

#include <array>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace gatewire::bench {

namespace front {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// One client's connection and its backend's; either side ending ends both.
struct Link {
    ssl::stream<tcp::socket> tls;
    tcp::socket backend;

    Link(tcp::socket socket, ssl::context& context)
        : tls(std::move(socket), context), backend(tls.get_executor()) {}

    void close() {
        boost::system::error_code ignored;
        tls.lowest_layer().close(ignored);
        backend.close(ignored);
    }
};

template <class From, class To>
net::awaitable<void> pump(std::shared_ptr<Link> link, From& from, To& to) {
    std::array<char, 16 * 1024> buffer;
    boost::system::error_code ec;
    for (;;) {
        std::size_t n = co_await from.async_read_some(net::buffer(buffer),
                                                      net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            break;
        }
        co_await net::async_write(to, net::buffer(buffer.data(), n),
                                  net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            break;
        }
    }
    link->close();
}

net::awaitable<void> serve(std::shared_ptr<Link> link, tcp::endpoint backend) {
    boost::system::error_code ec;
    co_await link->tls.async_handshake(ssl::stream_base::server,
                                       net::redirect_error(net::use_awaitable, ec));
    if (!ec) {
        co_await link->backend.async_connect(backend, net::redirect_error(net::use_awaitable, ec));
    }
    if (ec) {
        link->close();
        co_return;
    }
    auto executor = co_await net::this_coro::executor;
    net::co_spawn(executor, pump(link, link->backend, link->tls), net::detached);
    co_await pump(link, link->tls, link->backend);
}

}  // namespace front

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct TlsFront::State {
    net::io_context io{1};
    ssl::context context{ssl::context::tls_server};
    tcp::acceptor acceptor{io, tcp::endpoint(net::ip::address_v4::loopback(), 0)};
    tcp::endpoint backend;
    std::thread thread;

    net::awaitable<void> accept() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket =
                co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
            if (ec == net::error::operation_aborted) {
                co_return;
            }
            if (!ec) {
                net::co_spawn(
                    io,
                    front::serve(std::make_shared<front::Link>(std::move(socket), context),
                                 backend),
                    net::detached);
            }
        }
    }
};

TlsFront::TlsFront(std::uint16_t backend_port, const test::Pem& pem)
    : state_(std::make_unique<State>()) {
    state_->context.use_certificate_chain(net::buffer(pem.certificate));
    state_->context.use_private_key(net::buffer(pem.key), ssl::context::pem);
    state_->backend = tcp::endpoint(net::ip::address_v4::loopback(), backend_port);
    net::co_spawn(state_->io, state_->accept(), net::detached);
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

TlsFront::~TlsFront() {
    net::post(state_->io, [state = state_.get()] { state->io.stop(); });
    state_->thread.join();
}

std::uint16_t TlsFront::port() const {
    return state_->acceptor.local_endpoint().port();
}

}  // namespace gatewire::bench
