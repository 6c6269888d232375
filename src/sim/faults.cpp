// Faults: what a misbehaving server or network does to the open connections.
// The protocol's (op 7, op 9, closes, withheld acks) are the server's; the
// wire's (stalls, resets, split, damaged or reordered messages, a reader that
// stops) are the transport's, here.
#include "sim/server_state.hpp"

namespace gatewire::sim {

void Simulator::Impl::do_fault(const Fault& fault) {
    auto now = SteadyClock::now();
    server.fault(fault, now);
    auto open = open_connections();
    for (auto& c : open) {
        c->wire_fault(fault);
    }
    carry_out();
    for (auto& c : open) {
        c->rearm();
    }
}

namespace detail {

void Connection::wire_fault(const Fault& fault) {
    switch (fault.kind) {
        case Fault::Kind::stall:
            stalled_until = SteadyClock::now() + fault.duration;
            break;
        case Fault::Kind::reset:
            reset();
            break;
        case Fault::Kind::split_next:
            split_next = std::max<std::size_t>(2, fault.count);
            break;
        case Fault::Kind::corrupt_next:
            corrupt_next = true;
            break;
        case Fault::Kind::swap_next:
            swap_next = true;
            break;
        case Fault::Kind::stop_reading:
            reading_paused_until = SteadyClock::now() + fault.duration;
            break;
        default:
            break;  // the protocol's: GatewayServer::fault
    }
}

}  // namespace detail

}  // namespace gatewire::sim
