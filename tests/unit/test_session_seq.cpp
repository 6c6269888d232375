// Sequence numbers as real servers send them: out of order, replays racing
// live events, RESUMED at or below the client's seq, acknowledgements that
// trim the server's replay buffer. Each case is a server behaviour from
// docs/conformance.md, driven through the sans-I/O session with a manual clock.
#include <catch2/catch.hpp>

#include "../support/session_driver.hpp"
#include "gatewire/core/error.hpp"

namespace session_seq_tests {

using namespace gatewire;
using namespace gatewire::test;

namespace {

std::vector<std::string> delivered_names(const Driver& d) {
    std::vector<std::string> out;
    for (const auto& a : d.all<action::Deliver>()) {
        out.push_back(a.event.name);
    }
    return out;
}

// A ready session that lost its connection and sent its Resume.
void lose_and_resume(Driver& d) {
    d.actions.clear();
    d.closed(std::nullopt);
    d.advance(0ms);
    d.connect();
    d.hello();
    REQUIRE(d.sent(6).size() == 1);
}

}  // namespace

TEST_CASE("Fluxer: RESUMED with the server's current seq ends the resume and is delivered") {
    Driver d(Driver::fluxer());
    d.start_ready();
    for (std::uint64_t seq = 2; seq <= 4; ++seq) {
        d.dispatch(seq, "MESSAGE_CREATE");
    }
    lose_and_resume(d);
    CHECK(d.sent(6)[0]["d"]["seq"] == 4);
    d.dispatch(5, "MESSAGE_CREATE");  // replayed
    d.dispatch(6, "MESSAGE_CREATE");
    d.dispatch(6, "RESUMED");  // newer servers: the current seq after the replay
    CHECK(d.session.state() == ShardState::ready);
    CHECK(delivered_names(d) ==
          std::vector<std::string>{"MESSAGE_CREATE", "MESSAGE_CREATE", "RESUMED"});
    d.dispatch(7, "MESSAGE_CREATE");
    CHECK(d.delivered_seqs().back() == 7);
}

TEST_CASE("Fluxer (older): RESUMED with the seq the client resumed from still ends the resume") {
    Driver d(Driver::fluxer());
    d.start_ready();
    d.dispatch(2, "MESSAGE_CREATE");
    d.dispatch(3, "MESSAGE_CREATE");
    lose_and_resume(d);
    d.server(R"({"op":0,"s":3,"t":"RESUMED","d":null})");  // nothing missed, s = ours
    CHECK(d.session.state() == ShardState::ready);
    REQUIRE(d.all<action::Deliver>().size() == 1);
    CHECK(d.session.resumable()->seq == 3);  // never backwards
    // Commands queued while resuming go out now.
    REQUIRE_FALSE(d.session.send_command(3, R"({"status":"online"})", d.now));
    d.collect();
    CHECK(d.sent(3).size() == 1);
}

TEST_CASE("a live event put on the new socket before the replay loses none of the replay") {
    Driver d(Driver::fluxer());
    d.start_ready();
    d.dispatch(2, "MESSAGE_CREATE");
    lose_and_resume(d);
    d.dispatch(9, "MESSAGE_CREATE");  // live, raced ahead of the replay
    for (std::uint64_t seq = 3; seq <= 8; ++seq) {
        d.dispatch(seq, "MESSAGE_CREATE");  // the replay
    }
    d.dispatch(8, "RESUMED");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{9, 3, 4, 5, 6, 7, 8, 8});
    CHECK(d.session.stats().duplicates_dropped == 0);
    CHECK(d.session.resumable()->seq == 9);
}

TEST_CASE("Spacebar: neighbouring dispatches swapped on the wire are both delivered") {
    Driver d(Driver::discord());
    d.start_ready();
    d.dispatch(2, "MESSAGE_CREATE");
    d.dispatch(4, "MESSAGE_CREATE");  // 4 left before 3
    d.dispatch(3, "MESSAGE_CREATE");
    d.dispatch(5, "MESSAGE_CREATE");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{2, 4, 3, 5});
    CHECK(d.session.stats().duplicates_dropped == 0);
    CHECK(d.session.resumable()->seq == 5);
}

TEST_CASE("a replay interleaved with events already held delivers each event exactly once") {
    Driver d(Driver::discord());
    d.start_ready();
    for (std::uint64_t seq : {2, 3, 5, 7}) {
        d.dispatch(seq, "MESSAGE_CREATE");
    }
    lose_and_resume(d);
    CHECK(d.sent(6)[0]["d"]["seq"] == 3);  // 4 is missing: ask from before it
    for (std::uint64_t seq : {8, 4, 5, 6, 7, 9}) {
        d.dispatch(seq, "MESSAGE_CREATE");
    }
    d.server(R"({"op":0,"s":null,"t":"RESUMED","d":{}})");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{8, 4, 6, 9, 0});
    CHECK(d.session.stats().duplicates_dropped == 2);
}

TEST_CASE("RESUMED past a hole the server did not replay gives it up and says so") {
    Driver d(Driver::fluxer());
    d.start_ready();
    d.dispatch(2, "MESSAGE_CREATE");
    lose_and_resume(d);
    d.dispatch(3, "MESSAGE_CREATE");
    // 4 was a GUILD_MEMBERS_CHUNK: never replayed.
    d.dispatch(5, "MESSAGE_CREATE");
    d.dispatch(5, "RESUMED");
    auto reports = d.all<action::Report>();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].error == errc::events_missed);
    CHECK(d.session.stats().seqs_missed == 1);
    CHECK(d.session.resumable()->seq == 5);  // acknowledging 5 is now safe
}

TEST_CASE("READY is never dropped as a duplicate, and RESUMED never moves the seq back") {
    Driver d(Driver::discord());
    d.start_ready();
    d.dispatch(2, "MESSAGE_CREATE");
    lose_and_resume(d);
    d.dispatch(1, "RESUMED");  // a server that sends a low s
    CHECK(d.session.state() == ShardState::ready);
    CHECK(d.session.resumable()->seq == 2);
    d.dispatch(3, "MESSAGE_CREATE");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{1, 3});
}

TEST_CASE("heartbeats and resumes acknowledge only handled events when the owner says so") {
    SessionConfig config = Driver::fluxer(0.0);
    config.acknowledge = Acknowledge::handled;
    Driver d(config);
    d.start_ready(1000);
    for (std::uint64_t seq = 2; seq <= 5; ++seq) {
        d.dispatch(seq, "MESSAGE_CREATE");
    }
    auto events = d.all<action::Deliver>();
    REQUIRE(events.size() == 4);
    CHECK(events.back().event.resume_seq == 5);
    d.session.handled("abc123", events[1].event.resume_seq);  // seq 3 handled
    d.advance(1ms);
    REQUIRE(d.sent(1).size() == 1);
    CHECK(d.sent(1)[0]["d"] == 3);            // not 5: the server may drop what it acks
    d.session.handled("another-session", 5);  // not this session's: ignored
    CHECK(d.session.resumable()->seq == 3);
    lose_and_resume(d);
    CHECK(d.sent(6)[0]["d"]["seq"] == 3);  // the same rule, so never below the ack (4007)
    d.dispatch(4, "MESSAGE_CREATE");       // replayed, but still queued at the owner: dropped
    d.dispatch(6, "MESSAGE_CREATE");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{6});
}

TEST_CASE("out of order, each event's resume_seq covers only events all delivered") {
    Driver d(Driver::discord());
    d.start_ready();
    d.dispatch(3, "MESSAGE_CREATE");
    d.dispatch(2, "MESSAGE_CREATE");
    auto events = d.all<action::Deliver>();
    REQUIRE(events.size() == 2);
    CHECK(events[0].event.resume_seq == 1);  // handled alone, 2 would be lost on a restart
    CHECK(events[1].event.resume_seq == 3);
}

TEST_CASE("a new Identify forgets the old session's seq and id") {
    Driver d(Driver::fluxer(0.0));
    d.start_ready();
    d.dispatch(2, "MESSAGE_CREATE");
    d.dispatch(3, "MESSAGE_CREATE");
    d.actions.clear();
    d.server(R"({"op":9,"d":false})");  // Fluxer keeps the socket open
    d.dispatch(4, "MESSAGE_CREATE");    // the old session's last words
    d.advance(1s);
    REQUIRE(d.sent(2).size() == 1);
    CHECK_FALSE(d.session.resumable());
    CHECK(d.session.stats().stale_dropped == 1);
    d.ready(1);
    d.dispatch(2, "MESSAGE_CREATE");
    d.dispatch(3, "MESSAGE_CREATE");
    CHECK(d.delivered_seqs() == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(d.session.state() == ShardState::ready);
}

TEST_CASE("a gap too far behind is given up and reported, never silently") {
    Driver d(Driver::discord());
    d.start_ready();
    d.dispatch(3, "MESSAGE_CREATE");  // 2 never comes
    d.actions.clear();
    d.dispatch(3 + 16384, "MESSAGE_CREATE");
    auto reports = d.all<action::Report>();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].error == errc::events_missed);
    CHECK(d.session.stats().seqs_missed == 1);
    CHECK(d.session.resumable()->seq == 3);
}

TEST_CASE("after failed connects, a failed resume's op 9 still waits only 1-5 s") {
    Driver d(Driver::discord(0.999));
    d.start_ready();
    d.closed(std::nullopt);
    d.fail_connects(6);  // the server is down for a while: the backoff grows
    d.advance_to_deadline();
    d.connect();
    d.hello();
    REQUIRE(d.sent(6).size() == 1);
    d.actions.clear();
    d.server(R"({"op":9,"d":false})");  // the session is gone
    d.closed(4000);
    TimePoint asked = d.now;
    auto deadline = d.session.next_deadline();
    REQUIRE(deadline);
    CHECK(*deadline - asked >= 1s);
    CHECK(*deadline - asked <= 5s);
}

TEST_CASE("READY after failed connects resets the backoff: the next drop reconnects at once") {
    Driver d(Driver::discord(0.5));
    d.start_ready();
    d.advance(60s);  // a healthy connection
    d.closed(std::nullopt);
    d.fail_connects(5);
    d.advance_to_deadline();
    d.connect();
    d.hello();
    d.dispatch(2, "RESUMED");
    d.advance(1s);  // ready, if only briefly: the failures before it no longer count
    d.actions.clear();
    d.closed(std::nullopt);
    auto deadline = d.session.next_deadline();
    REQUIRE(deadline);
    CHECK(*deadline == d.now);
}

}  // namespace session_seq_tests
