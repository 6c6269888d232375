// The simulator's public face: start, stop, accept, and what the owner asks of it.
#include "sim/server_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

#include <random>
#include <type_traits>
#include <variant>

namespace gatewire::sim {

using namespace std::chrono_literals;

net::awaitable<void> Simulator::Impl::accept_loop() {
    for (;;) {
        beast::error_code ec;
        tcp::socket socket = co_await acceptor.async_accept(use_awaitable_ec(ec));
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) {
                co_return;
            }
            continue;
        }
        auto connection = std::make_shared<Connection>(*this, std::move(socket));
        net::co_spawn(io, Connection::serve(connection), net::detached);
    }
}

namespace {

ServerBehaviour behaviour_of(const SimConfig& config) {
    return config.behaviour.value_or(ServerBehaviour::for_profile(config.profile));
}

}  // namespace

Simulator::Impl::Impl(SimConfig config)
    : server(config, behaviour_of(config), std::random_device{}(), SteadyClock::now()) {}

void Simulator::Impl::carry_out() {
    while (auto action = server.poll()) {
        std::visit(
            [&](auto& a) {
                auto link = links.find(a.to);
                auto c = link == links.end() ? nullptr : link->second.lock();
                if (!c || c->ended) {
                    return;
                }
                if constexpr (std::is_same_v<std::decay_t<decltype(a)>,
                                             detail::server_action::Send>) {
                    c->send_text(a.text);
                } else {
                    c->close(a.code);
                }
            },
            *action);
    }
}

std::vector<std::shared_ptr<Connection>> Simulator::Impl::open_connections() {
    std::vector<std::shared_ptr<Connection>> open;
    for (auto it = links.begin(); it != links.end();) {
        if (auto c = it->second.lock(); c && !c->ended) {
            open.push_back(c);
            ++it;
        } else {
            it = links.erase(it);
        }
    }
    return open;
}

void Simulator::Impl::do_dispatch(const std::string& type, const std::string& data) {
    server.dispatch(type, data);
    carry_out();
}

Simulator::Simulator(SimConfig config) : impl_(std::make_shared<Impl>(std::move(config))) {}

Simulator::~Simulator() {
    stop();
}

void Simulator::start() {
    Impl& s = *impl_;
    tcp::endpoint endpoint(net::ip::make_address(s.config().address), s.config().port);
    s.acceptor.open(endpoint.protocol());
    s.acceptor.set_option(net::socket_base::reuse_address(true));
    if (s.config().receive_buffer_bytes != 0) {
        // Set before listen(): accepted sockets inherit it, window scale included.
        s.acceptor.set_option(net::socket_base::receive_buffer_size(
            static_cast<int>(s.config().receive_buffer_bytes)));
    }
    s.acceptor.bind(endpoint);
    s.acceptor.listen();
    s.bound_port = s.acceptor.local_endpoint().port();
    s.server.set_url(s.url(), s.bound_port);
    net::co_spawn(s.io, s.accept_loop(), net::detached);
    s.thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

void Simulator::stop() {
    Impl& s = *impl_;
    if (!s.thread.joinable()) {
        return;
    }
    net::post(s.io, [&s] {
        beast::error_code ec;
        s.acceptor.close(ec);
        for (auto& c : s.open_connections()) {
            beast::get_lowest_layer(c->ws).socket().close(ec);
            c->cancel_timers();
        }
        s.io.stop();
    });
    s.thread.join();
    // Break the cycles between connections and the server before they go.
    s.io.restart();
    s.io.poll();
    s.links.clear();
}

std::uint16_t Simulator::port() const {
    return impl_->bound_port;
}
std::string Simulator::url() const {
    return impl_->url();
}
std::string Simulator::http_url() const {
    return impl_->http_url();
}

void Simulator::dispatch(std::string type, std::string data_json) {
    net::post(impl_->io, [s = impl_.get(), t = std::move(type), d = std::move(data_json)] {
        s->do_dispatch(t, d);
    });
}

void Simulator::dispatch_oversized(std::size_t bytes) {
    std::string blob(bytes, 'x');
    dispatch("SIM_OVERSIZED", "{\"blob\":\"" + blob + "\"}");
}

void Simulator::fault(Fault f) {
    net::post(impl_->io, [s = impl_.get(), f] { s->do_fault(f); });
}

SimStats Simulator::stats() const {
    return impl_->stats().snapshot();
}

bool Simulator::wait_until(const std::function<bool(const SimStats&)>& predicate,
                           std::chrono::milliseconds timeout) const {
    auto until = SteadyClock::now() + timeout;
    for (;;) {
        if (predicate(stats())) {
            return true;
        }
        if (SteadyClock::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
}

}  // namespace gatewire::sim
