// The simulator settings integration tests share: short heartbeats, with a
// server-side timeout generous enough for a loaded CI machine under ASan, and
// no guilds in READY (Fluxer would send their stubs as events of their own,
// and the tests count the events they dispatch).
#pragma once

#include <chrono>

#include "gatewire/sim/simulator.hpp"

namespace gatewire::test {

inline sim::SimConfig quick_sim_config(const Profile& profile) {
    sim::SimConfig config;
    config.profile = profile;
    config.heartbeat_interval = std::chrono::milliseconds(500);
    config.heartbeat_timeout_factor = 4.0;
    config.guilds = 0;
    return config;
}

}  // namespace gatewire::test
