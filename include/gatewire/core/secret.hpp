/// @file
/// A credential: the token a session identifies with, or one carried inside an
/// event (a rotated token, a voice token). It is kept for the program to use
/// but never printed: encoders and gatewire-decode show "[redacted]", and
/// gatewire's logs and errors never include it.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace gatewire {

struct Secret {
    std::string value;

    Secret() = default;
    /// Implicit, so `config.token = token_text;` reads as it should.
    Secret(std::string text) : value(std::move(text)) {}
    Secret(const char* text) : value(text) {}

    /// The value of an environment variable, or none when it is unset or empty
    /// (no std::string built from a null pointer).
    static std::optional<Secret> from_env(const char* name) {
        const char* text = std::getenv(name);
        if (text == nullptr || *text == '\0') {
            return std::nullopt;
        }
        return Secret(text);
    }

    bool empty() const noexcept { return value.empty(); }
    bool operator==(const Secret&) const = default;
};

}  // namespace gatewire
