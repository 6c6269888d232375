// gatewire-bench peers and its client processes (see peers.cpp).
#pragma once

namespace gatewire::bench {

int run_peers(int argc, char** argv);
int run_peer_client(int argc, char** argv);

}  // namespace gatewire::bench
