#include "gatewire/scale/shard_range.hpp"

#include <charconv>

namespace gatewire {

namespace {

std::optional<std::uint32_t> number(std::string_view text) {
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return n;
}

}  // namespace

std::optional<ShardRange> ShardRange::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        auto count = number(text);
        if (!count || *count == 0) {
            return std::nullopt;
        }
        return all(*count);
    }
    auto count = number(text.substr(slash + 1));
    std::string_view ids = text.substr(0, slash);
    auto dash = ids.find('-');
    auto first = number(ids.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : number(ids.substr(dash + 1));
    if (!count || !first || !last || *count == 0 || *first > *last || *last >= *count) {
        return std::nullopt;
    }
    return ShardRange{*first, *last, *count};
}

std::string ShardRange::to_string() const {
    return std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(count);
}

}  // namespace gatewire
