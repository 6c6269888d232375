#include "gatewire/core/url.hpp"

#include <algorithm>
#include <cctype>

namespace gatewire {

std::optional<Url> Url::parse(std::string_view text) {
    Url url;
    auto separator = text.find("://");
    if (separator == std::string_view::npos) {
        return std::nullopt;
    }
    url.scheme = std::string(text.substr(0, separator));
    if (url.scheme == "ws" || url.scheme == "http") {
        url.secure = false;
    } else if (url.scheme != "wss" && url.scheme != "https") {
        return std::nullopt;
    }
    text.remove_prefix(separator + 3);
    auto authority_end = text.find_first_of("/?#");
    std::string_view authority = text.substr(0, authority_end);
    std::string_view rest =
        authority_end == std::string_view::npos ? "" : text.substr(authority_end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view host = authority;
    std::string_view port;
    if (authority.front() == '[') {  // IPv6 literal
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return std::nullopt;
            }
            port = after.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    // Only what a host may hold: letters, digits, "-._~" and percent escapes
    // (an IPv6 literal: hex digits, ':' and '.'). The URL may come from the
    // server (a resume URL); anything else is refused, not passed on.
    bool literal = authority.front() == '[';
    auto host_char = [literal](unsigned char c) {
        if (literal) {
            return std::isxdigit(c) != 0 || c == ':' || c == '.';
        }
        return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
    };
    auto digit = [](unsigned char c) { return std::isdigit(c) != 0; };
    if (host.empty() || !std::all_of(host.begin(), host.end(), host_char) ||
        (authority.find(':') != std::string_view::npos && !literal && port.empty()) ||
        port.size() > 5 || !std::all_of(port.begin(), port.end(), digit) ||
        (!port.empty() && std::stoul(std::string(port)) > 65535)) {
        return std::nullopt;
    }
    // The path and query travel as they are: no spaces, controls or raw
    // non-ASCII bytes (those must be percent-encoded).
    if (!std::all_of(rest.begin(), rest.end(),
                     [](unsigned char c) { return c > 0x20 && c < 0x7F; })) {
        return std::nullopt;
    }
    url.host = std::string(host);
    url.port = port.empty() ? (url.secure ? "443" : "80") : std::string(port);
    if (auto hash = rest.find('#'); hash != std::string_view::npos) {
        rest = rest.substr(0, hash);
    }
    url.target = rest.empty() || rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
    return url;
}

bool Url::is_loopback() const noexcept {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string Url::to_string() const {
    std::string out = scheme + "://";
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (secure ? "443" : "80")) {
        out += ":" + port;
    }
    return out + target;
}

}  // namespace gatewire
