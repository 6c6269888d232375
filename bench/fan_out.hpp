// gatewire-bench fanout (see fan_out.cpp).
#pragma once

namespace gatewire::bench {

int run_fan_out(int argc, char** argv);

}  // namespace gatewire::bench
