/// @file
/// A credential carried inside an event (a rotated token, a voice token). It
/// is kept for the program to use but never printed: encoders and
/// gatewire-decode show "[redacted]".
#pragma once

#include <string>

namespace gatewire {

struct Secret {
    std::string value;

    bool empty() const noexcept { return value.empty(); }
    bool operator==(const Secret&) const = default;
};

}  // namespace gatewire
