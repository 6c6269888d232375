// Faults: what a misbehaving server or network does to the open connections.
#include "sim/server_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gatewire::sim {

using namespace std::chrono_literals;

void Simulator::Impl::do_fault(const Fault& fault) {
    if (fault.kind == Fault::Kind::hold_identifies) {
        held_identifies = fault.count;
        return;
    }
    for (auto& c : open_connections()) {
        switch (fault.kind) {
            case Fault::Kind::reconnect:
                c->send_payload(7, "null");
                c->draining = true;
                if (!config.profile->has_resume_gateway_url) {
                    c->close(4000);  // Fluxer drains the socket itself
                }
                break;
            case Fault::Kind::invalid_session:
                if (!fault.flag && c->session) {
                    sessions.erase(c->session->id);
                    c->session.reset();
                }
                c->send_payload(9, fault.flag ? "true" : "false");
                break;
            case Fault::Kind::close:
                c->close(fault.code);
                break;
            case Fault::Kind::withhold_acks:
                c->withhold_acks = fault.flag;
                break;
            case Fault::Kind::stall:
                c->stalled_until = SteadyClock::now() + fault.duration;
                c->withhold_acks = true;
                net::co_spawn(
                    io,
                    [c, d = fault.duration]() -> net::awaitable<void> {
                        net::steady_timer t(c->sim.io, d);
                        beast::error_code ec;
                        co_await t.async_wait(use_awaitable_ec(ec));
                        c->withhold_acks = false;
                    },
                    net::detached);
                break;
            case Fault::Kind::reset:
                c->reset();
                break;
            case Fault::Kind::split_next:
                c->split_next = std::max<std::size_t>(2, fault.count);
                break;
            case Fault::Kind::corrupt_next:
                c->corrupt_next = true;
                break;
            case Fault::Kind::heartbeat_request:
                c->send_payload(1, "null");
                break;
            case Fault::Kind::withhold_member_chunks:
                c->withhold_member_chunks = fault.flag;
                break;
            case Fault::Kind::unknown_opcode:
                c->send_payload(fault.code, "{}");
                break;
            case Fault::Kind::garbage:
                c->send_text("this is not json");
                break;
            case Fault::Kind::swap_next:
                c->swap_next = true;
                break;
            case Fault::Kind::stop_reading:
                c->reading_paused_until = SteadyClock::now() + fault.duration;
                break;
            case Fault::Kind::hold_identifies:
                break;  // the server's, not a connection's: set below
        }
    }
    refresh_ready_count();
}

}  // namespace gatewire::sim
