#include "gatewire/timestamp.hpp"

#include <cstdio>

namespace gatewire {

namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
    if (at + count > text.size()) {
        return false;
    }
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        char c = text[i];
        if (c < '0' || c > '9') {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept {
    using namespace std::chrono;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!digits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, mo) ||
        text[7] != '-' || !digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != ' ') ||
        !digits(text, 11, 2, h) || text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' ||
        !digits(text, 17, 2, s)) {
        return std::nullopt;
    }
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || s > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    std::int64_t micros = 0;
    if (at < text.size() && text[at] == '.') {
        ++at;
        int scale = 100000;
        std::size_t first = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            if (scale > 0) {
                micros += (text[at] - '0') * scale;
                scale /= 10;
            }
            ++at;
        }
        if (at == first) {
            return std::nullopt;
        }
    }
    minutes offset{0};
    if (at < text.size()) {
        char sign = text[at];
        if (sign == 'Z' || sign == 'z') {
            ++at;
        } else if (sign == '+' || sign == '-') {
            int oh = 0, om = 0;
            if (!digits(text, at + 1, 2, oh)) {
                return std::nullopt;
            }
            std::size_t next = at + 3;
            if (next < text.size() && text[next] == ':') {
                ++next;
            }
            if (next < text.size() && !digits(text, next, 2, om)) {
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
    return Timestamp{sys_days{date} + hours{h} + minutes{mi} + seconds{s} - offset} +
           microseconds{micros};
}

Timestamp timestamp_from_unix(std::int64_t number) noexcept {
    using namespace std::chrono;
    constexpr std::int64_t max_seconds = 95617584000;  // year 5000
    if (number > max_seconds || number < -max_seconds) {
        return Timestamp{milliseconds{number}};
    }
    return Timestamp{seconds{number}};
}

std::string format_timestamp(Timestamp t) {
    using namespace std::chrono;
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
