#include "gatewire/protocol/backoff.hpp"

#include <algorithm>

namespace gatewire {

std::chrono::milliseconds Backoff::delay(unsigned failures, double random) const noexcept {
    if (failures == 0) {
        return std::chrono::milliseconds{0};
    }
    // initial, 2×, 4× … up to max; then a random point in its upper half, so
    // shards that failed together do not come back together.
    double base = static_cast<double>(initial.count());
    double cap = static_cast<double>(max.count());
    double full = std::min(cap, base * static_cast<double>(1ULL << std::min(failures - 1, 30U)));
    return std::chrono::milliseconds{static_cast<long long>(full * (0.5 + 0.5 * random))};
}

}  // namespace gatewire
