// Polling for a condition another thread makes true, with a generous bound
// for a loaded CI machine under the sanitizers.
#pragma once

#include <chrono>
#include <thread>

namespace gatewire::test {

constexpr auto patience = std::chrono::seconds(20);

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = patience) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return predicate();
}

}  // namespace gatewire::test
