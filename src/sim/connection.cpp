// One client's connection: the upgrade, the read loop, the writer (stalls, splits,
// corruption) and the heartbeat watchdog.
#include "sim/server_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace gatewire::sim {

using namespace std::chrono_literals;

namespace detail {

void Connection::send_text(const std::string& text, bool count_as_compressed) {
    if (swap_next) {
        swap_next = false;
        held = text;  // leaves after the next one, as Spacebar's async zstd can
        return;
    }
    send_now(text, count_as_compressed);
    if (held) {
        std::string late = std::move(*held);
        held.reset();
        send_now(late, count_as_compressed);
    }
}

void Connection::flush_replay() {
    if (!replay_pending) {
        return;
    }
    replay_pending = false;
    for (const std::string& text : pending_replay) {
        send_text(text);
    }
    pending_replay.clear();
}

void Connection::send_now(const std::string& text, bool count_as_compressed) {
    Outgoing out;
    std::string bytes = count_as_compressed && compressor ? compressor->compress(text) : text;
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

void Connection::send_payload(int op, const std::string& d, std::optional<std::uint64_t> s,
                              std::string_view t) {
    send_text(envelope(op, d, s, t));
}

void Connection::close(std::uint16_t code) {
    if (closing || ended) {
        return;
    }
    closing = true;
    sim.with_stats([&](SimStats& st) { st.server_close_codes.push_back(code); });
    Outgoing out;
    out.close = code;
    push(std::move(out));
    sim.refresh_ready_count();
}

void Connection::reset() {
    if (ended) {
        return;
    }
    closing = true;
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.set_option(net::socket_base::linger(true, 0), ec);
    socket.close(ec);
    sim.refresh_ready_count();
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

net::awaitable<void> Connection::run_watchdog(std::shared_ptr<Connection> self) {
    auto interval = self->sim.config.heartbeat_interval;
    // Fluxer checks every third of the interval.
    auto step = std::max<std::chrono::milliseconds>(
        5ms, self->sim.request_heartbeats ? interval / 3 : interval / 8);
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        interval * self->sim.heartbeat_timeout_factor);
    while (!self->ended && !self->closing) {
        beast::error_code ec;
        self->watchdog.expires_after(step);
        co_await self->watchdog.async_wait(use_awaitable_ec(ec));
        if (self->ended || self->closing) {
            break;
        }
        auto quiet = SteadyClock::now() - self->last_heartbeat;
        if (quiet > timeout) {
            if (self->sim.config.profile->close_rule(4009).action == CloseAction::identify) {
                // This gateway ends the session on a heartbeat timeout.
                if (self->session) {
                    self->sim.sessions.erase(self->session->id);
                }
            }
            self->close(4009);
            break;
        }
        if (self->sim.request_heartbeats && quiet > interval * 9 / 10) {
            // Asked again at every check until a heartbeat comes.
            self->sim.with_stats([](SimStats& st) { ++st.heartbeat_requests; });
            self->send_payload(1, "null");
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
    sim.with_stats([&](SimStats& st) {
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
    sim.connections.push_back(self);
    sim.with_stats([](SimStats& st) { ++st.open_connections; });

    const Profile& profile = *sim.config.profile;
    auto compression = parse_compression(query_value(target, "compress"));
    self->compression = compression.value_or(Compression::none);
    self->inbound_zstd = self->compression == Compression::zstd_stream &&
                         profile.compresses_client_messages_with_zstd &&
                         query_value(target, "stream") == "1";
    self->compressor = std::make_unique<OutgoingCompressor>(self->compression);
    if (self->inbound_zstd) {
        self->inbound.emplace(64 * 1024);
    }
    if (query_value(target, "v") != std::to_string(profile.api_version)) {
        self->close(4012);
    } else if (!profile.offers(self->compression)) {
        self->close(4002);
    } else {
        self->send_payload(10, "{\"heartbeat_interval\":" +
                                   std::to_string(sim.config.heartbeat_interval.count()) + "}");
        self->last_heartbeat = SteadyClock::now();
        net::co_spawn(sim.io, run_watchdog(self), net::detached);
    }

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
        if (self->closing) {
            continue;
        }
        if (self->inbound) {
            auto status = self->inbound->feed(
                {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
            if (status == DecodeStatus::incomplete) {
                continue;
            }
            if (status != DecodeStatus::complete) {
                self->close(4002);
                continue;
            }
            text = self->inbound->message();
        }
        self->handle(text);
    }
    self->ended = true;
    self->watchdog.cancel();
    self->stall_timer.cancel();
    self->read_pause_timer.cancel();
    if (ec == websocket::error::closed && !self->closing) {
        auto code = static_cast<std::uint16_t>(self->ws.reason().code);
        sim.with_stats([&](SimStats& st) { st.client_close_codes.push_back(code); });
        if ((code == 1000 || code == 1001) && self->session) {
            sim.sessions.erase(self->session->id);  // a normal close ends the session
        }
    }
    if (self->session && self->session->connection.lock() == self) {
        self->session->connection.reset();
    }
    self->session.reset();
    sim.with_stats([](SimStats& st) { --st.open_connections; });
    sim.refresh_ready_count();
}

}  // namespace detail

}  // namespace gatewire::sim
