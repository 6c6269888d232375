/// @file
/// A JSON value kept as text, for payload parts whose shape is open-ended
/// (interaction option values, component trees, audit-log changes).
#pragma once

#include <string>

namespace gatewire {

struct RawJson {
    std::string text;  ///< compact JSON as it arrived; empty when absent

    bool empty() const noexcept { return text.empty(); }
    bool operator==(const RawJson&) const = default;
};

}  // namespace gatewire
