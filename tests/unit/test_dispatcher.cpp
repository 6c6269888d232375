// The typed dispatcher: handlers by type, decode once and only when listened
// to, raw catch-all, decode errors, handles that remove, awaiting an event.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include "gatewire/core/log.hpp"
#include "gatewire/dispatch/dispatcher.hpp"

namespace dispatcher_tests {

using namespace gatewire;

namespace {

RawEvent raw(std::string name, std::string d, std::uint64_t seq = 1, std::uint32_t shard = 0) {
    RawEvent e;
    e.shard_id = shard;
    e.seq = seq;
    e.name = std::move(name);
    std::string prefix =
        R"({"op":0,"s":)" + std::to_string(seq) + R"(,"t":")" + e.name + R"(","d":)";
    e.message = prefix + d + "}";
    e.message.reserve(e.message.size() + 64);
    e.data_offset = prefix.size();
    e.data_size = d.size();
    return e;
}

// Spawns a coroutine on `io` that awaits a GUILD_CREATE (`args`: a predicate,
// a timeout, both or neither) and stores its id in `got`.
template <class... Args>
void await_guild(boost::asio::io_context& io, Dispatcher& d, std::uint64_t& got, Args... args) {
    boost::asio::co_spawn(
        io,
        [&d, &got, args...]() -> boost::asio::awaitable<void> {
            auto guild =
                co_await d.async_next<events::GuildCreate>(args..., boost::asio::use_awaitable);
            got = guild.id.value;
        },
        boost::asio::detached);
}

}  // namespace

TEST_CASE("a typed handler gets its event with the shard id and seq") {
    Dispatcher d;
    std::vector<std::uint64_t> ids;
    EventContext seen;
    d.on<events::MessageCreate>([&](const events::MessageCreate& m, const EventContext& c) {
        ids.push_back(m.id.value);
        seen = c;
    });
    d.dispatch(raw("MESSAGE_CREATE", R"({"id":"42","channel_id":"1"})", 7, 3));
    d.dispatch(raw("MESSAGE_DELETE", R"({"id":"43","channel_id":"1"})", 8, 3));
    REQUIRE(ids == std::vector<std::uint64_t>{42});
    CHECK(seen.shard_id == 3);
    CHECK(seen.seq == 7);
}

TEST_CASE("payloads are decoded only for listened types") {
    Dispatcher d;
    CHECK_FALSE(d.wants(EventType::message_create));
    int errors = 0;
    d.on_decode_error([&](const DecodeError&) { ++errors; });
    // Not JSON that fits: would be a decode error if anything decoded it.
    d.dispatch(raw("MESSAGE_CREATE", R"({"id":true})"));
    CHECK(errors == 0);
    auto sub = d.on<events::MessageCreate>([](const events::MessageCreate&) {});
    CHECK(d.wants(EventType::message_create));
    d.dispatch(raw("MESSAGE_CREATE", R"({"id":true})"));
    CHECK(errors == 1);
    sub.remove();
    CHECK_FALSE(d.wants(EventType::message_create));
}

TEST_CASE("a wrong field type goes to the error listener as a warning, the event to its handlers") {
    Dispatcher d;
    int handled = 0;
    std::vector<DecodeError> errors;
    d.on<events::TypingStart>([&](const events::TypingStart&) { ++handled; });
    d.on_decode_error([&](const DecodeError& e) { errors.push_back(e); });
    d.dispatch(raw("TYPING_START", R"({"channel_id":"1","user_id":true,"timestamp":1})", 99));
    d.dispatch(raw("TYPING_START", R"({"channel_id":"1","user_id":"2","timestamp":1})", 100));
    CHECK(handled == 2);  // the field is lost, not the event
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].event == "TYPING_START");
    CHECK(errors[0].path == "user_id");
    CHECK(errors[0].seq == 99);
    CHECK(errors[0].warning);

    d.set_decode_options({.strict = true});
    d.dispatch(raw("TYPING_START", R"({"channel_id":"1","user_id":true,"timestamp":1})", 101));
    CHECK(handled == 2);  // strict: the event is not delivered
    REQUIRE(errors.size() == 2);
    CHECK_FALSE(errors[1].warning);
}

TEST_CASE("the raw listener sees every dispatch, unknown names included") {
    Dispatcher d;
    std::vector<std::string> names;
    d.on_raw([&](const RawEvent& e) { names.push_back(e.name); });
    d.dispatch(raw("MESSAGE_CREATE", R"({"id":"1","channel_id":"1"})"));
    d.dispatch(raw("SOMETHING_NEW", R"({"x":1})"));
    CHECK(names == std::vector<std::string>{"MESSAGE_CREATE", "SOMETHING_NEW"});
}

TEST_CASE("one decode serves every handler of a type: handles remove, scoped ones too") {
    Dispatcher d;
    int a = 0, b = 0, c = 0;
    auto first = d.on<events::GuildDelete>([&](const events::GuildDelete&) { ++a; });
    d.on<events::GuildDelete>([&](const events::GuildDelete&) { ++b; });
    {
        ScopedSubscription scoped =
            d.on<events::GuildDelete>([&](const events::GuildDelete&) { ++c; });
        d.dispatch(raw("GUILD_DELETE", R"({"id":"1"})"));
    }
    CHECK(first.active());
    first.remove();
    CHECK_FALSE(first.active());
    d.dispatch(raw("GUILD_DELETE", R"({"id":"1"})"));
    CHECK(a == 1);
    CHECK(b == 2);
    CHECK(c == 1);
}

TEST_CASE("a handler may remove itself while it runs") {
    Dispatcher d;
    int calls = 0;
    Subscription self;
    self = d.on<events::GuildDelete>([&](const events::GuildDelete&) {
        ++calls;
        self.remove();
    });
    d.dispatch(raw("GUILD_DELETE", R"({"id":"1"})"));
    d.dispatch(raw("GUILD_DELETE", R"({"id":"1"})"));
    CHECK(calls == 1);
}

TEST_CASE("a coroutine awaits the next event of a type") {
    boost::asio::io_context io;
    Dispatcher d;
    std::uint64_t got = 0;
    await_guild(io, d, got);
    io.poll();  // the coroutine is now waiting
    CHECK(d.wants(EventType::guild_create));
    d.dispatch(raw("GUILD_DELETE", R"({"id":"1"})"));
    d.dispatch(raw("GUILD_CREATE", R"({"id":"77"})"));
    d.dispatch(raw("GUILD_CREATE", R"({"id":"78"})"));  // the waiter fired once
    io.poll();
    CHECK(got == 77u);
    CHECK_FALSE(d.wants(EventType::guild_create));
}

TEST_CASE("a waiter still pending when the dispatcher goes away completes with stopped") {
    boost::asio::io_context io;
    std::error_code result;
    {
        Dispatcher d;
        d.async_next<events::Ready>(
            [&](boost::system::error_code ec, events::Ready) { result = ec; });
    }
    io.poll();  // a plain callback completes on the system executor
    for (int i = 0; i < 100 && !result; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(result == make_error_code(errc::stopped));
}

TEST_CASE("a waiter with a predicate completes with the first event it accepts") {
    boost::asio::io_context io;
    Dispatcher d;
    std::uint64_t got = 0;
    await_guild(io, d, got, [](const events::GuildCreate& g) { return g.id.value == 78; });
    io.poll();
    d.dispatch(raw("GUILD_CREATE", R"({"id":"77"})"));  // refused: the waiter stays
    io.poll();
    CHECK(got == 0u);
    CHECK(d.wants(EventType::guild_create));
    d.dispatch(raw("GUILD_CREATE", R"({"id":"78"})"));
    d.dispatch(raw("GUILD_CREATE", R"({"id":"78"})"));  // fired once
    io.poll();
    CHECK(got == 78u);
    CHECK_FALSE(d.wants(EventType::guild_create));
}

TEST_CASE("a waiter with a timeout completes with wait_timed_out and is taken out") {
    boost::asio::io_context io;
    Dispatcher d;
    boost::system::error_code result;
    bool done = false;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            try {
                co_await d.async_next<events::Ready>(std::chrono::milliseconds(5),
                                                     boost::asio::use_awaitable);
            } catch (const boost::system::system_error& e) {
                result = e.code();
            }
            done = true;
        },
        boost::asio::detached);
    io.run();  // returns once the timer has fired and the coroutine ended
    REQUIRE(done);
    CHECK(result == std::error_code(errc::wait_timed_out));
    CHECK_FALSE(d.wants(EventType::ready));
    d.dispatch(raw("READY", R"({"v":10,"session_id":"s","user":{"id":"1"},"guilds":[]})"));
}

TEST_CASE("an event before the timeout wins, and the timer no longer holds the executor") {
    boost::asio::io_context io;
    Dispatcher d;
    std::uint64_t got = 0;
    await_guild(io, d, got, std::chrono::steady_clock::duration(std::chrono::hours(1)));
    io.poll();
    d.dispatch(raw("GUILD_CREATE", R"({"id":"5"})"));
    io.run();  // would wait an hour if the timer were still armed
    CHECK(got == 5u);
}

TEST_CASE("async_next supports per-operation cancellation: the losing waiter is taken out") {
    using namespace boost::asio::experimental::awaitable_operators;
    boost::asio::io_context io;
    Dispatcher d;
    std::size_t winner = 9;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            boost::asio::steady_timer timer(io, std::chrono::milliseconds(5));
            auto result = co_await (d.async_next<events::Ready>(boost::asio::use_awaitable) ||
                                    timer.async_wait(boost::asio::use_awaitable));
            winner = result.index();
        },
        boost::asio::detached);
    io.run();
    CHECK(winner == 1u);  // the timer
    CHECK_FALSE(d.wants(EventType::ready));

    // An explicit signal: the callback gets operation_aborted.
    boost::asio::cancellation_signal signal;
    boost::system::error_code aborted;
    d.async_next<events::Ready>(boost::asio::bind_cancellation_slot(
        signal.slot(), boost::asio::bind_executor(io, [&](boost::system::error_code ec,
                                                          events::Ready) { aborted = ec; })));
    CHECK(d.wants(EventType::ready));
    signal.emit(boost::asio::cancellation_type::terminal);
    io.restart();
    io.run();
    CHECK(aborted == boost::asio::error::operation_aborted);
    CHECK_FALSE(d.wants(EventType::ready));
}

TEST_CASE("gatewire logs to the logger it is given, and to none when silenced") {
    auto previous = logger();
    REQUIRE(previous != nullptr);  // by default there is one
    Dispatcher d;
    auto sub = d.on<events::TypingStart>([](const events::TypingStart&) {});
    // With no decode-error listener, a payload that does not fit is logged.
    RawEvent bad = raw("TYPING_START", R"({"channel_id":true,"user_id":"2","timestamp":1})", 9);

    std::ostringstream captured;
    set_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
    d.dispatch(bad);
    CHECK(captured.str().find(
              "decoded with a field left empty: TYPING_START (seq 9) at channel_id") !=
          std::string::npos);

    set_logger(nullptr);
    CHECK(logger() == nullptr);
    captured.str("");
    d.dispatch(bad);  // silenced: nothing written, nothing dereferenced
    CHECK(captured.str().empty());

    set_logger(previous);
}

TEST_CASE("a handler that throws keeps the event from no other handler and no waiter") {
    boost::asio::io_context io;
    Dispatcher d;
    int later = 0;
    int raw_later = 0;
    auto raw_thrower = d.on_raw([](const RawEvent&) { throw 7; });
    auto raw_counter = d.on_raw([&](const RawEvent&) { ++raw_later; });
    auto thrower = d.on<events::GuildCreate>(
        [](const events::GuildCreate&) { throw std::runtime_error("handler failed"); });
    std::uint64_t got = 0;
    await_guild(io, d, got);
    io.poll();
    auto counter = d.on<events::GuildCreate>([&](const events::GuildCreate&) { ++later; });
    // The first exception goes on to the caller (the shard logs it).
    CHECK_THROWS_AS(d.dispatch(raw("GUILD_CREATE", R"({"id":"77"})")), int);
    io.poll();
    CHECK(got == 77u);
    CHECK(later == 1);
    CHECK(raw_later == 1);
}

TEST_CASE("removing a subscription while its dispatcher is destroyed on another thread is safe") {
    // ASan watches: the removal must never lock a mutex already destroyed.
    for (int round = 0; round < 200; ++round) {
        auto d = std::make_unique<Dispatcher>();
        std::vector<Subscription> subs;
        for (int i = 0; i < 8; ++i) {
            subs.push_back(d->on<events::TypingStart>([](const events::TypingStart&) {}));
        }
        std::thread remover([&] {
            for (auto& sub : subs) {
                sub.remove();
            }
        });
        d.reset();
        remover.join();
        for (auto& sub : subs) {
            CHECK_FALSE(sub.active());
        }
    }
}

}  // namespace dispatcher_tests
