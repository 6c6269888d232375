// Identify scheduling: buckets of max_concurrency, one identify per bucket per
// spacing, buckets in order, and a spent daily budget waited out, not burned.
#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <sstream>

#include "gatewire/core/log.hpp"
#include "gatewire/scale/identify_queue.hpp"
#include "gatewire/scale/identify_scheduler.hpp"
#include "gatewire/scale/shard_range.hpp"

namespace identify_scheduler_tests {

using namespace gatewire;
using namespace std::chrono_literals;

namespace {
const TimePoint t0{std::chrono::hours(1000)};
}

TEST_CASE("max_concurrency shards identify together, the next ones 5 s later, buckets in order") {
    IdentifyScheduler s(16);
    for (std::uint32_t id = 0; id < 16; ++id) {
        CHECK(s.reserve(id, t0) == t0);
    }
    for (std::uint32_t id = 16; id < 32; ++id) {
        CHECK(s.reserve(id, t0) == t0 + 5s);
    }
    CHECK(s.reserve(32, t0) == t0 + 10s);  // bucket 0 again
    CHECK(s.reserve(49, t0) == t0 + 10s);  // bucket 1
}

TEST_CASE("with max_concurrency 1 every identify is one spacing after the last") {
    IdentifyScheduler s(1, 200ms);
    CHECK(s.reserve(0, t0) == t0);
    CHECK(s.reserve(1, t0) == t0 + 200ms);
    CHECK(s.reserve(2, t0 + 50ms) == t0 + 400ms);
    CHECK(s.reserve(3, t0 + 10s) == t0 + 10s);  // long after: at once
}

TEST_CASE("a re-identify of the same shard waits for its bucket's spacing") {
    IdentifyScheduler s(2, 5s);
    CHECK(s.reserve(1, t0) == t0);
    CHECK(s.reserve(1, t0 + 1s) == t0 + 5s);
    CHECK(s.reserve(0, t0 + 1s) == t0 + 1s);  // the other bucket is free
}

TEST_CASE("a spent session_start_limit waits for its reset instead of failing") {
    IdentifyScheduler s(1, 1s);
    s.set_limit({.total = 1000, .remaining = 2, .reset_after = 3600s, .max_concurrency = 1}, t0);
    CHECK(s.reserve(0, t0) == t0);
    CHECK_FALSE(s.waited_for_budget());
    CHECK(s.reserve(1, t0) == t0 + 1s);
    CHECK(s.reserve(2, t0) == t0 + 3600s);  // the budget is spent: the reset
    CHECK(s.waited_for_budget());
    CHECK(s.reserve(3, t0) == t0 + 3601s);  // a fresh budget, spacing as before
    CHECK_FALSE(s.waited_for_budget());
}

TEST_CASE("a queue reports the shard that waits for the spent budget, and for how long") {
    auto previous = logger();
    std::ostringstream captured;
    set_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
    LocalIdentifyQueue queue(1, 1s);
    queue.set_limit({.total = 1000, .remaining = 1, .reset_after = 7200s, .max_concurrency = 1},
                    t0);
    CHECK(queue.reserve(0, t0) == t0);
    CHECK(captured.str().empty());
    CHECK(queue.reserve(1, t0) == t0 + 7200s);
    set_logger(previous);
    CHECK(captured.str().find("shard 1: the day's session starts are spent; identifying in "
                              "7200 s") != std::string::npos);
}

TEST_CASE("the limit's max_concurrency replaces the configured one") {
    IdentifyScheduler s(1);
    s.set_limit({.total = 1000, .remaining = 1000, .reset_after = 0ms, .max_concurrency = 4}, t0);
    CHECK(s.max_concurrency() == 4);
    for (std::uint32_t id = 0; id < 4; ++id) {
        CHECK(s.reserve(id, t0) == t0);
    }
    CHECK(s.reserve(4, t0) == t0 + 5s);
}

TEST_CASE("an identify window (Fluxer: 300 per 60 s per IP) holds the rest back") {
    IdentifyScheduler s(4, 0ms, RateLimit{3, 1s});
    CHECK(s.reserve(0, t0) == t0);
    CHECK(s.reserve(1, t0) == t0);
    CHECK(s.reserve(2, t0) == t0);
    CHECK(s.reserve(3, t0) == t0 + 1s);  // the window of the first three is full
    CHECK(s.reserve(0, t0 + 500ms) == t0 + 1s);
    CHECK(s.reserve(1, t0 + 500ms) == t0 + 1s);
    CHECK(s.reserve(2, t0 + 500ms) == t0 + 2s);
    REQUIRE(profiles::fluxer().identify_limit);
    CHECK(profiles::fluxer().identify_limit->count == 300);
    CHECK(profiles::fluxer().identify_limit->per == 60s);
    CHECK_FALSE(profiles::discord().identify_limit);
}

TEST_CASE("shard ranges: first-last/count, one shard, or all of a count") {
    auto r = ShardRange::parse("16-31/64");
    REQUIRE(r);
    CHECK(r->first == 16);
    CHECK(r->last == 31);
    CHECK(r->count == 64);
    CHECK(r->size() == 16);
    CHECK(r->contains(16));
    CHECK(r->contains(31));
    CHECK_FALSE(r->contains(32));
    CHECK(r->to_string() == "16-31/64");
    CHECK(ShardRange::parse("7/64")->size() == 1);
    CHECK(ShardRange::parse("64")->size() == 64);
    for (const char* bad :
         {"32-16/64", "0-64/64", "64/64", "a/64", "1-2", "0/0", "", "-1/4", "1-/4", "3/4x"}) {
        INFO(bad);
        CHECK_FALSE(ShardRange::parse(bad));
    }
}

TEST_CASE("a resume takes a place in the per-address window, without the bucket spacing") {
    const TimePoint start{std::chrono::hours(1)};
    IdentifyScheduler scheduler(1, 5s, RateLimit{3, 60s});
    CHECK(scheduler.reserve(0, start) == start);
    CHECK(scheduler.reserve_window(start) == start);  // no 5 s spacing for a resume
    CHECK(scheduler.reserve_window(start) == start);
    CHECK(scheduler.reserve_window(start) == start + 60s);  // the window of 3 is full
    CHECK(scheduler.reserve(0, start) == start + 60s);
}

TEST_CASE("a claim holds the spacing between identifies that really leave") {
    // Reservations plan; a shard whose connection or timer was late claims
    // its slot late, and the bucket's next identify waits the spacing from
    // that one, not from the plan.
    IdentifyScheduler s(2);
    TimePoint a = s.reserve(0, t0);
    TimePoint b = s.reserve(2, t0);
    CHECK(b == t0 + 5s);
    CHECK(s.claim(0, a, t0 + 300ms) == t0 + 300ms);  // late by 300 ms: go
    // On time, but too close to the late one: the spacing from it, plus the
    // margin for the way to the server (5 %: 250 ms).
    CHECK(s.claim(2, b, b) == t0 + 5550ms);
    CHECK(s.claim(2, b, t0 + 5549ms) == t0 + 5550ms);
    CHECK(s.claim(2, b, t0 + 5550ms) == t0 + 5550ms);
    CHECK(s.claim(1, t0, t0 + 1ms) == t0 + 1ms);  // the other bucket is its own
}

TEST_CASE("a queue's asynchronous reserve answers at once, and claims what it is given") {
    LocalIdentifyQueue queue(1, 5s);
    std::optional<TimePoint> granted;
    queue.async_reserve({.shard_id = 0, .resume = false, .claims = std::nullopt, .now = t0},
                        [&](TimePoint slot) { granted = slot; });
    REQUIRE(granted);
    CHECK(*granted == t0);
    TimePoint first = *granted;
    granted.reset();
    queue.async_reserve({.shard_id = 0, .resume = false, .claims = first, .now = t0 + 2s},
                        [&](TimePoint slot) { granted = slot; });
    REQUIRE(granted);
    CHECK(*granted == t0 + 2s);
    granted.reset();
    queue.async_reserve({.shard_id = 0, .resume = false, .claims = t0 + 5s, .now = t0 + 5s},
                        [&](TimePoint slot) { granted = slot; });
    REQUIRE(granted);
    CHECK(*granted == t0 + 7250ms);
}

}  // namespace identify_scheduler_tests
