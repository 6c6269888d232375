#include "gatewire/url.hpp"

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
    if (host.empty() ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
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

std::string Url::to_string() const {
    std::string out = scheme + "://";
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (secure ? "443" : "80")) {
        out += ":" + port;
    }
    return out + target;
}

}  // namespace gatewire
