// gatewire-bench shards (see shards.cpp).
#pragma once

namespace gatewire::bench {

int run_shards(int argc, char** argv);

}  // namespace gatewire::bench
