// One client's connection: the upgrade, the read loop, the writer (stalls, splits,
// corruption), and the timer that wakes the server's protocol for it.
#include "sim/server_state.hpp"
#include "sim/wire.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace gatewire::sim {

using namespace std::chrono_literals;

namespace detail {

void Connection::send_text(const std::string& text) {
    // Only dispatches trade places: a heartbeat ACK that happens to pass would
    // otherwise take the swap and leave the dispatches in order.
    bool dispatch = is_dispatch(text);
    if (swap_next && dispatch) {
        swap_next = false;
        held = text;  // leaves after the next dispatch, as Spacebar's async zstd can
        return;
    }
    send_now(text);
    if (held && dispatch) {
        std::string late = std::move(*held);
        held.reset();
        send_now(late);
    }
}

void Connection::send_now(const std::string& text) {
    Outgoing out;
    std::string bytes = compressor ? compressor->compress(text) : text;
    out.binary = compression != Compression::none;
    if (corrupt_next) {
        corrupt_next = false;
        if (compression == Compression::none) {
            bytes = "{\"op\":0,\"d\":{\"broken\":";  // cut short: not JSON
        } else {
            std::string garbage(std::max<std::size_t>(bytes.size(), 16), '\xFF');
            if (compression == Compression::zlib_stream) {
                garbage += std::string("\x00\x00\xFF\xFF", 4);
            }
            bytes = std::move(garbage);
        }
    }
    if (split_next > 1 && bytes.size() >= split_next) {
        std::size_t parts = split_next;
        split_next = 0;
        std::size_t step = bytes.size() / parts;
        for (std::size_t i = 0; i < parts; ++i) {
            std::size_t from = i * step;
            std::size_t to = i + 1 == parts ? bytes.size() : from + step;
            out.parts.push_back(bytes.substr(from, to - from));
        }
        // Uncompressed messages are split into WebSocket frames of one message.
        out.fragments = compression == Compression::none;
    } else {
        out.parts.push_back(std::move(bytes));
    }
    push(std::move(out));
}

// The server's Close: the writer sends it after what is queued ahead of it.
void Connection::close(std::uint16_t code) {
    Outgoing out;
    out.close = code;
    push(std::move(out));
}

void Connection::reset() {
    if (ended) {
        return;
    }
    sim.server.cut(id);
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.set_option(net::socket_base::linger(true, 0), ec);
    socket.close(ec);
}

void Connection::push(Outgoing out) {
    outbox.push_back(std::move(out));
    if (!writing) {
        writing = true;
        net::co_spawn(sim.io, write_loop(shared_from_this()), net::detached);
    }
}

net::awaitable<void> Connection::write_loop(std::shared_ptr<Connection> self) {
    beast::error_code ec;
    while (!self->outbox.empty() && !self->ended) {
        if (SteadyClock::now() < self->stalled_until) {
            self->stall_timer.expires_at(self->stalled_until);
            co_await self->stall_timer.async_wait(use_awaitable_ec(ec));
            continue;
        }
        Outgoing out = std::move(self->outbox.front());
        self->outbox.pop_front();
        if (out.close) {
            co_await self->ws.async_close(static_cast<websocket::close_code>(*out.close),
                                          use_awaitable_ec(ec));
            break;
        }
        self->ws.binary(out.binary);
        for (std::size_t i = 0; i < out.parts.size() && !ec; ++i) {
            if (out.fragments) {
                co_await self->ws.async_write_some(i + 1 == out.parts.size(),
                                                   net::buffer(out.parts[i]), use_awaitable_ec(ec));
            } else {
                co_await self->ws.async_write(net::buffer(out.parts[i]), use_awaitable_ec(ec));
            }
        }
        if (ec) {
            break;
        }
    }
    self->writing = false;
}

void Connection::rearm() {
    if (!ended && sim.server.next_deadline(id) < wake.expiry()) {
        wake.cancel();  // run_timer waits again, for the earlier deadline
    }
}

void Connection::cancel_timers() {
    wake.cancel();
    stall_timer.cancel();
    read_pause_timer.cancel();
}

// Wakes the server's protocol at its next deadline for this peer (the
// heartbeat check, a replay or a member answer that waits).
net::awaitable<void> Connection::run_timer(std::shared_ptr<Connection> self) {
    while (!self->ended) {
        beast::error_code ec;
        self->wake.expires_at(self->sim.server.next_deadline(self->id));
        co_await self->wake.async_wait(use_awaitable_ec(ec));
        if (self->ended) {
            break;
        }
        if (!ec) {
            self->sim.server.tick(self->id, SteadyClock::now());
            self->sim.carry_out();
        }
    }
}

net::awaitable<void> Connection::serve(std::shared_ptr<Connection> self) {
    Simulator::Impl& sim = self->sim;
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::get_lowest_layer(self->ws).expires_after(10s);
    co_await http::async_read(beast::get_lowest_layer(self->ws), buffer, request,
                              use_awaitable_ec(ec));
    if (ec) {
        co_return;
    }
    if (!websocket::is_upgrade(request)) {
        co_await self->answer_http(request);
        co_return;
    }
    beast::get_lowest_layer(self->ws).expires_never();
    std::string target(request.target());
    sim.stats().with([&](SimStats& st) {
        ++st.connections;
        st.hosts.emplace_back(request[http::field::host]);
        st.targets.push_back(target);
    });
    self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    self->ws.read_message_max(1024 * 1024);
    co_await self->ws.async_accept(request, use_awaitable_ec(ec));
    if (ec) {
        co_return;
    }
    Opened opened = sim.server.open(target, SteadyClock::now());
    self->id = opened.id;
    sim.links[self->id] = self;
    self->compression = opened.compression;
    self->compressor = std::make_unique<OutgoingCompressor>(self->compression);
    if (opened.inbound_zstd) {
        self->inbound.emplace(64 * 1024);
    }
    sim.carry_out();
    net::co_spawn(sim.io, run_timer(self), net::detached);

    buffer.clear();
    for (;;) {
        if (SteadyClock::now() < self->reading_paused_until) {
            self->read_pause_timer.expires_at(self->reading_paused_until);
            co_await self->read_pause_timer.async_wait(use_awaitable_ec(ec));
            if (ec || self->ended) {
                break;  // the simulator stops
            }
        }
        co_await self->ws.async_read(buffer, use_awaitable_ec(ec));
        if (ec) {
            break;
        }
        std::string text = beast::buffers_to_string(buffer.data());
        buffer.clear();
        if (!sim.server.reading(self->id)) {
            continue;
        }
        if (self->inbound) {
            auto status = self->inbound->feed(
                {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
            if (status == DecodeStatus::incomplete) {
                continue;
            }
            if (status != DecodeStatus::complete) {
                sim.server.close(self->id, 4002);
                sim.carry_out();
                continue;
            }
            text = self->inbound->message();
        }
        sim.server.received(self->id, text, SteadyClock::now());
        sim.carry_out();
        self->rearm();
    }
    self->ended = true;
    self->cancel_timers();
    std::optional<std::uint16_t> client_code;
    if (ec == websocket::error::closed) {
        client_code = static_cast<std::uint16_t>(self->ws.reason().code);
    }
    sim.server.ended(self->id, client_code);
    sim.links.erase(self->id);
    sim.carry_out();
}

}  // namespace detail

}  // namespace gatewire::sim
