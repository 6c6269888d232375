// The small parsers of network and configuration input: URLs (the server
// hands out resume URLs), timestamps, gateway information, shard ranges.
// What one of them accepts, written back, it reads back the same.
#include <cstring>

#include "fuzz_check.hpp"
#include "gatewire/core/timestamp.hpp"
#include "gatewire/core/url.hpp"
#include "gatewire/scale/gateway_info.hpp"
#include "gatewire/scale/shard_range.hpp"

using namespace gatewire;
using namespace gatewire::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text{reinterpret_cast<const char*>(data), size};

    if (auto url = Url::parse(text)) {
        auto again = Url::parse(url->to_string());
        FUZZ_CHECK(again);
        FUZZ_CHECK(again->to_string() == url->to_string());
        FUZZ_CHECK(!again->target.empty());
    }
    if (auto t = parse_timestamp(text)) {
        FUZZ_CHECK(has_text_form(*t));
        FUZZ_CHECK(parse_timestamp(format_timestamp(*t)) == t);
    }
    if (size >= 8) {
        std::int64_t number;
        std::memcpy(&number, data, sizeof number);
        if (auto t = timestamp_from_unix(number)) {
            (void)format_timestamp(*t);
            (void)unix_milliseconds(*t);
        }
    }
    for (const Profile* profile : {&profiles::discord(), &profiles::fluxer()}) {
        if (auto info = parse_gateway_info(*profile, text)) {
            FUZZ_CHECK(info->shards >= 1);
            if (info->session_start_limit) {
                FUZZ_CHECK(info->session_start_limit->max_concurrency > 0);
            }
        }
    }
    if (auto range = ShardRange::parse(text)) {
        FUZZ_CHECK(range->first <= range->last);
        FUZZ_CHECK(range->last < range->count);
        auto again = ShardRange::parse(range->to_string());
        FUZZ_CHECK(again);
        FUZZ_CHECK(again->first == range->first && again->last == range->last &&
                   again->count == range->count);
    }
    return 0;
}
