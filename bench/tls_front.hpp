// A TLS terminator on loopback: wss:// in front of a ws:// server, so the
// shards benchmark can measure TLS connections against the simulator, which
// speaks plain WebSocket only. It runs on a thread of its own, in whichever
// process owns it (the benchmark puts it in the simulator's, so none of its
// memory counts as the client's).
#pragma once

#include <cstdint>
#include <memory>

#include "support/self_signed.hpp"

namespace gatewire::bench {

class TlsFront {
  public:
    /// Listens on 127.0.0.1 (any free port) and forwards every connection,
    /// once its handshake is done, to 127.0.0.1:`backend_port`.
    TlsFront(std::uint16_t backend_port, const test::Pem& pem);
    ~TlsFront();
    TlsFront(const TlsFront&) = delete;
    TlsFront& operator=(const TlsFront&) = delete;

    std::uint16_t port() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace gatewire::bench
