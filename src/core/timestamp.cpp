#include "gatewire/core/timestamp.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace gatewire {

namespace {

// Two digits at `p`, which the caller has checked are inside the text.
bool two_digits(const char* p, int& out) {
    auto tens = static_cast<unsigned char>(p[0] - '0');
    auto ones = static_cast<unsigned char>(p[1] - '0');
    out = tens * 10 + ones;
    return tens <= 9 && ones <= 9;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept {
    using namespace std::chrono;
    // Every event carries a few of these: the fixed head "YYYY-MM-DDTHH:MM:SS"
    // is read at known places after one length check.
    if (text.size() < 19) {
        return std::nullopt;
    }
    const char* p = text.data();
    int century = 0, year_in_century = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!two_digits(p, century) || !two_digits(p + 2, year_in_century) || p[4] != '-' ||
        !two_digits(p + 5, mo) || p[7] != '-' || !two_digits(p + 8, d) ||
        (p[10] != 'T' && p[10] != ' ') || !two_digits(p + 11, h) || p[13] != ':' ||
        !two_digits(p + 14, mi) || p[16] != ':' || !two_digits(p + 17, s)) {
        return std::nullopt;
    }
    int y = century * 100 + year_in_century;
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || s > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    std::int64_t micros = 0;
    if (at < text.size() && text[at] == '.') {
        ++at;
        // Up to six digits count (microseconds); more are read and dropped.
        static constexpr std::int64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
        std::size_t first = at;
        int kept = 0;
        for (; at < text.size() && static_cast<unsigned char>(text[at] - '0') <= 9; ++at) {
            if (kept < 6) {
                micros = micros * 10 + (text[at] - '0');
                ++kept;
            }
        }
        if (at == first) {
            return std::nullopt;
        }
        micros *= scale[kept];
    }
    minutes offset{0};
    if (at < text.size()) {
        char sign = text[at];
        if (sign == 'Z' || sign == 'z') {
            ++at;
        } else if (sign == '+' || sign == '-') {
            int oh = 0, om = 0;
            if (at + 3 > text.size() || !two_digits(text.data() + at + 1, oh)) {
                return std::nullopt;
            }
            std::size_t next = at + 3;
            if (next < text.size() && text[next] == ':') {
                ++next;
            }
            if (next < text.size() &&
                (next + 2 > text.size() || !two_digits(text.data() + next, om))) {
                return std::nullopt;
            }
            at = next + (next < text.size() ? 2 : 0);
            offset = minutes{(oh * 60 + om) * (sign == '-' ? -1 : 1)};
        } else {
            return std::nullopt;
        }
    }
    if (at != text.size()) {
        return std::nullopt;
    }
    Timestamp t = Timestamp{sys_days{date} + hours{h} + minutes{mi} + seconds{s} - offset} +
                  microseconds{micros};
    // An offset can carry 0000-01-01 or 9999-12-31 out of the range the text
    // form holds; such a date would not survive being written back.
    if (!has_text_form(t)) {
        return std::nullopt;
    }
    return t;
}

namespace {
// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in Unix seconds.
constexpr std::int64_t first_text_second = -62167219200;
constexpr std::int64_t end_text_second = 253402300800;
}  // namespace

std::optional<Timestamp> timestamp_from_unix(std::int64_t number) noexcept {
    using namespace std::chrono;
    constexpr std::int64_t max_seconds = 95617584000;  // year 5000
    if (number >= first_text_second && number <= max_seconds) {
        return Timestamp{seconds{number}};
    }
    // Microseconds hold milliseconds up to about ±292 000 years.
    constexpr std::int64_t max_milliseconds = std::numeric_limits<std::int64_t>::max() / 1000;
    if (number > max_milliseconds || number < -max_milliseconds) {
        return std::nullopt;
    }
    return Timestamp{milliseconds{number}};
}

bool has_text_form(Timestamp t) noexcept {
    using namespace std::chrono;
    return t >= Timestamp{seconds{first_text_second}} && t < Timestamp{seconds{end_text_second}};
}

std::int64_t unix_milliseconds(Timestamp t) noexcept {
    using namespace std::chrono;
    return floor<milliseconds>(t.time_since_epoch()).count();
}

std::string format_timestamp(Timestamp t) {
    using namespace std::chrono;
    t = std::clamp(t, Timestamp{seconds{first_text_second}},
                   Timestamp{seconds{end_text_second} - microseconds{1}});
    auto day_start = floor<days>(t);
    year_month_day date{day_start};
    hh_mm_ss time{t - day_start};
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%06lld+00:00",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()),
                  static_cast<long long>(time.subseconds().count()));
    return buffer;
}

}  // namespace gatewire
