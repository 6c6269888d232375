// Fan-out through Redis Streams against a real redis-server: a publisher in
// the gateway process, workers reading through a consumer group, a worker
// killed mid-stream, a gateway killed and restarted, Redis itself stopped
// and started again under a running shard.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "../support/eventually.hpp"
#include "../support/sim_config.hpp"
#include "gatewire/client/client.hpp"
#include "gatewire/redis/event_publisher.hpp"
#include "gatewire/redis/event_worker.hpp"
#include "redis_support.hpp"

using namespace gatewire;
using namespace std::chrono_literals;
using test::eventually;
using test::patience;
using test::Process;
using test::read_lines;
using test::test_redis;

namespace {

RawEvent made_event(std::uint32_t shard, std::uint64_t seq, std::string d = "{}") {
    RawEvent event;
    event.shard_id = shard;
    event.seq = seq;
    event.name = "MESSAGE_CREATE";
    event.message = std::move(d);
    event.data_size = event.message.size();
    return event;
}

// A worker running on a thread of its own, remembering what it handled.
struct WorkerThread {
    struct Handled {
        std::uint32_t shard;
        std::string session;
        std::uint64_t seq;
        std::string name;
    };
    RedisEventWorker worker;
    mutable std::mutex mutex;
    std::vector<Handled> handled;
    std::thread thread;

    WorkerThread(RedisOptions options, EventWorkerConfig config)
        : worker(std::move(options), std::move(config)) {
        worker.on_raw([this](const RawEvent& e) {
            std::lock_guard lock(mutex);
            handled.push_back({e.shard_id, e.session_id, e.seq, e.name});
        });
        thread = std::thread([this] { worker.run(); });
    }
    ~WorkerThread() {
        worker.stop();
        thread.join();
    }
    std::size_t count(std::string_view name) const {
        std::lock_guard lock(mutex);
        std::size_t n = 0;
        for (const auto& h : handled) {
            n += h.name == name;
        }
        return n;
    }
    std::vector<Handled> copy() const {
        std::lock_guard lock(mutex);
        return handled;
    }
};

EventWorkerConfig worker_config(const RedisOptions& options, std::uint32_t shards,
                                std::string consumer) {
    EventStreams streams;
    streams.shard_count = shards;
    EventWorkerConfig config;
    config.streams = streams.all_keys(options.key_prefix);
    config.consumer = std::move(consumer);
    return config;
}

std::string typing_in(std::uint64_t guild, int n) {
    return R"({"channel_id":"1","guild_id":")" + std::to_string(guild) + R"(","user_id":")" +
           std::to_string(n + 1) + R"(","timestamp":1795435200})";
}

}  // namespace

TEST_CASE("a worker hands published dispatches to typed handlers with shard, session and seq") {
    auto options = test_redis();
    sim::Simulator sim(test::quick_sim_config(profiles::discord()));
    sim.start();
    RedisEventPublisher publisher(options);
    boost::asio::io_context io;
    ShardConfig config;
    config.session.url = sim.url();
    config.session.token = Secret("sim-token");
    config.session.intents = Intents::guilds | Intents::guild_messages;
    Client client(io.get_executor(), config);
    publisher.attach(client);
    std::mutex seen_mutex;
    std::vector<RawEvent> seen;  // as the gateway process handled them
    client.on_raw([&](const RawEvent& e) {
        std::lock_guard lock(seen_mutex);
        seen.push_back(e);
    });
    client.start();
    std::thread io_thread([&] { io.run(); });

    struct Typed {
        std::string content;
        std::uint64_t seq;
        std::string session;
    };
    std::mutex typed_mutex;
    std::vector<Typed> typed;
    RedisEventWorker worker(options, worker_config(options, 1, "only"));
    worker.on<events::MessageCreate>([&](const events::MessageCreate& m, const EventContext& c) {
        std::lock_guard lock(typed_mutex);
        typed.push_back({m.content.value_or(""), c.seq, std::string(c.session_id)});
    });
    std::thread worker_thread([&] { worker.run(); });

    REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, patience));
    constexpr int events = 300;
    for (int i = 0; i < events; ++i) {
        sim.dispatch("MESSAGE_CREATE",
                     R"({"id":")" + std::to_string(1000 + i) +
                         R"(","channel_id":"5","author":{"id":"7","username":"u"},"content":"n)" +
                         std::to_string(i) + R"(","timestamp":"2026-12-03T10:00:00Z"})");
    }
    REQUIRE(eventually([&] {
        std::lock_guard lock(typed_mutex);
        return typed.size() == events;
    }));
    auto session = client.session();
    REQUIRE(session);
    {
        std::lock_guard lock(typed_mutex);
        for (int i = 0; i < events; ++i) {
            CHECK(typed[i].content == "n" + std::to_string(i));  // in order, each once
            CHECK(typed[i].session == session->session_id);
            if (i > 0) {
                CHECK(typed[i].seq == typed[i - 1].seq + 1);
            }
        }
    }

    // The same events offered again (a replay after a resume) are skipped:
    // the stream holds each event once.
    RedisConnection redis(options);
    std::string stream = EventStreams{}.key_of(options.key_prefix, 0, Snowflake());
    auto length = redis.command({"XLEN", stream}).integer;
    CHECK(length == events + 1);  // READY too
    // Offered again, everything the gateway handled is skipped: READY and the
    // events, and on a loaded machine a RESUMED too. The ASan suite run six
    // at a time on two cores stalled the shard past its heartbeat, it resumed,
    // and RESUMED (seq 0) reached the raw handler: 303 skipped, not 301.
    PublisherStats before = publisher.stats();
    std::size_t offered = 0;
    {
        std::lock_guard lock(seen_mutex);
        CHECK(std::count_if(seen.begin(), seen.end(), [](const RawEvent& e) {
                  return e.name == "MESSAGE_CREATE";
              }) == events);  // the gateway handled each once
        for (const auto& e : seen) {
            publisher.publish(e);
        }
        offered = seen.size();
    }
    REQUIRE(publisher.flush(patience));
    PublisherStats after = publisher.stats();
    CHECK(after.published == before.published);
    // A round trip whose answer was lost (a command timeout) is retried, and
    // what it had written counts as skipped again.
    if (after.failures == before.failures) {
        CHECK(after.skipped - before.skipped == offered);
    } else {
        CHECK(after.skipped - before.skipped >= offered);
    }
    CHECK(redis.command({"XLEN", stream}).integer == length);

    worker.stop();
    worker_thread.join();
    client.stop();
    io_thread.join();
    CHECK(worker.stats().handled == events + 1);
    CHECK(worker.stats().duplicates == 0);
}

TEST_CASE("two workers share a stream: one is killed mid-stream, the other takes over") {
    auto options = test_redis();
    std::string address = options.host + ":" + std::to_string(options.port);
    constexpr std::uint64_t events = 600;
    {
        RedisEventPublisher publisher(options);
        RawEvent ready = made_event(0, 1,
                                    R"({"v":10,"session_id":"s1","user":{"id":"1","username":"b"},)"
                                    R"("guilds":[],"resume_gateway_url":"ws://127.0.0.1:1"})");
        ready.name = "READY";
        publisher.publish(ready);  // the session the events below belong to
        for (std::uint64_t seq = 2; seq <= events; ++seq) {
            publisher.publish(made_event(0, seq));
        }
        REQUIRE(publisher.flush(patience));
    }
    std::string out = std::filesystem::temp_directory_path() /
                      ("gatewire-worker-" + std::to_string(::getpid()) + "-");
    auto worker = [&](const std::string& name) {
        std::remove((out + name).c_str());
        return std::vector<std::string>{GATEWIRE_TEST_WORKER,
                                        "--redis",
                                        address,
                                        "--prefix",
                                        options.key_prefix,
                                        "--consumer",
                                        name,
                                        "--handle-ms",
                                        "4",
                                        "--batch",
                                        "5",
                                        "--claim-idle-ms",
                                        "1000",
                                        "--out",
                                        out + name};
    };
    Process a(worker("a"));
    Process b(worker("b"));
    REQUIRE(eventually([&] { return read_lines(out + "a").size() >= 60; }));
    a.end(SIGKILL);

    // What the killed worker had read and not acknowledged: the only events
    // that may be handled twice.
    RedisConnection redis(options);
    std::string stream = EventStreams{}.key_of(options.key_prefix, 0, Snowflake());
    std::set<std::string> in_flight;
    RedisReply pending =
        redis.command({"XPENDING", stream, "gatewire-workers", "-", "+", "1000", "a"});
    for (const auto& entry : pending.elements) {
        const std::string& id = entry.elements.at(0).text;
        RedisReply fields = redis.command({"XRANGE", stream, id, id});
        REQUIRE(fields.elements.size() == 1);
        const auto& values = fields.elements[0].elements.at(1).elements;
        for (std::size_t i = 0; i + 1 < values.size(); i += 2) {
            if (values[i].text == "seq") {
                in_flight.insert(values[i + 1].text);
            }
        }
    }
    CHECK(in_flight.size() <= 5);  // one read's worth at most

    auto seqs_of = [&](const std::string& name) {
        std::multiset<std::string> seqs;
        for (const auto& line : read_lines(out + name)) {
            std::istringstream in(line);
            std::string shard, session, seq;
            in >> shard >> session >> seq;
            seqs.insert(seq);
        }
        return seqs;
    };
    REQUIRE(eventually(
        [&] {
            auto all = seqs_of("a");
            auto by_b = seqs_of("b");
            all.insert(by_b.begin(), by_b.end());
            return std::set<std::string>(all.begin(), all.end()).size() == events;
        },
        60s));
    b.end(SIGTERM);

    auto by_a = seqs_of("a");
    auto by_b = seqs_of("b");
    CHECK(std::set<std::string>(by_a.begin(), by_a.end()).size() == by_a.size());
    CHECK(std::set<std::string>(by_b.begin(), by_b.end()).size() == by_b.size());
    for (const auto& seq : by_b) {
        if (by_a.count(seq)) {
            CHECK(in_flight.count(seq) == 1);  // handled twice only if in flight at the kill
        }
    }
    CHECK(redis.command({"XPENDING", stream, "gatewire-workers"}).elements.at(0).integer == 0);
    std::remove((out + "a").c_str());
    std::remove((out + "b").c_str());
}

TEST_CASE("a gateway killed and restarted resumes from its session store, workers see no gap") {
    auto options = test_redis();
    std::string address = options.host + ":" + std::to_string(options.port);
    sim::Simulator sim(test::quick_sim_config(profiles::discord()));
    sim.start();
    std::string out =
        std::filesystem::temp_directory_path() / ("gatewire-gateway-" + std::to_string(::getpid()));
    std::vector<std::string> gateway{GATEWIRE_TEST_NODE,
                                     "--url",
                                     sim.url(),
                                     "--redis",
                                     address,
                                     "--prefix",
                                     options.key_prefix,
                                     "--shards",
                                     "0-0/1",
                                     "--spacing-ms",
                                     "100",
                                     "--publish",
                                     "1",
                                     "--out",
                                     out};
    WorkerThread worker(options, worker_config(options, 1, "w"));

    auto node = std::make_unique<Process>(gateway);
    REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, patience));
    for (int i = 0; i < 50; ++i) {
        sim.dispatch("TYPING_START", typing_in(1, i));
    }
    REQUIRE(eventually([&] { return worker.count("TYPING_START") >= 20; }));
    node->end(SIGKILL);  // mid-stream, without a word
    for (int i = 50; i < 100; ++i) {
        sim.dispatch("TYPING_START", typing_in(1, i));
    }
    node = std::make_unique<Process>(gateway);
    REQUIRE(sim.wait_until([](const auto& s) { return s.resumes == 1 && s.ready_sessions == 1; },
                           patience));
    REQUIRE(eventually([&] { return worker.count("TYPING_START") == 100; }));
    std::this_thread::sleep_for(300ms);  // room for a duplicate to show
    node->end(SIGTERM);
    CHECK(sim.stats().identifies == 1);

    auto handled = worker.copy();
    std::set<std::uint64_t> seqs;
    std::set<std::string> sessions;
    for (const auto& h : handled) {
        CHECK(seqs.insert(h.seq).second);  // each once
        sessions.insert(h.session);
    }
    CHECK(sessions.size() == 1);
    CHECK(*seqs.begin() == 1);
    CHECK(*seqs.rbegin() == seqs.size());  // 1 … n without a gap
    CHECK(worker.count("TYPING_START") == 100);
    sim.stop();
    std::remove(out.c_str());
}

TEST_CASE(
    "redis stopped and started again under a running shard: it heartbeats on, loses nothing") {
    // A redis-server of this test's own, on a port it keeps across the restart.
    std::string dir = std::filesystem::temp_directory_path() /
                      ("gatewire-redis-restart-" + std::to_string(::getpid()));
    auto redis_server = [&](const std::string& action, const std::string& port = "") {
        std::string command = std::string(GATEWIRE_REDIS_FIXTURE) + " " + action + " " + dir +
                              (port.empty() ? "" : " " + port) + " >/dev/null";
        REQUIRE(std::system(command.c_str()) == 0);
    };
    redis_server("start");
    std::string address = read_lines(dir + "/address").at(0);
    auto options = *parse_redis_address(address);
    options.key_prefix = "restart";
    options.timeout = 300ms;

    sim::Simulator sim(test::quick_sim_config(profiles::discord()));
    sim.start();
    EventPublisherConfig fan_out;
    fan_out.buffer_bytes = 2048;  // full after a few events: the shard must wait
    fan_out.retry_delay = 100ms;
    RedisEventPublisher publisher(options, fan_out);
    boost::asio::io_context io;
    ShardConfig config;
    config.session.url = sim.url();
    config.session.token = Secret("sim-token");
    config.event_queue_capacity = 8;
    Client client(io.get_executor(), config);
    publisher.attach(client);
    client.start();
    std::thread io_thread([&] { io.run(); });
    auto worker_options = worker_config(options, 1, "w");
    worker_options.retry_delay = 100ms;
    WorkerThread worker(options, worker_options);

    REQUIRE(sim.wait_until([](const auto& s) { return s.ready_sessions == 1; }, patience));
    for (int i = 0; i < 20; ++i) {
        sim.dispatch("TYPING_START", typing_in(1, i));
    }
    REQUIRE(eventually([&] { return worker.count("TYPING_START") == 20; }));

    std::string port = address.substr(address.rfind(':') + 1);
    redis_server("stop");
    for (int i = 20; i < 220; ++i) {
        sim.dispatch("TYPING_START", typing_in(1, i));
    }
    auto before = sim.stats().heartbeats;
    // The publisher's buffer fills, the handlers wait, the shard's queue
    // fills and it stops reading; its heartbeats go on.
    REQUIRE(eventually([&] { return client.backlog().events >= 8; }));
    std::this_thread::sleep_for(2500ms);  // five heartbeat intervals
    auto during = sim.stats();
    CHECK(during.heartbeats >= before + 3);
    CHECK(during.connections == 1);
    CHECK(client.state() == ShardState::ready);

    redis_server("start", port);
    REQUIRE(eventually([&] { return worker.count("TYPING_START") == 220; }, 60s));
    auto after = sim.stats();
    CHECK(after.connections == 1);  // the session never dropped
    CHECK(after.identifies == 1);
    std::set<std::uint64_t> seqs;
    for (const auto& h : worker.copy()) {
        seqs.insert(h.seq);
    }
    CHECK(seqs.size() == 221);  // READY and every event, none twice in the end
    client.stop();
    io_thread.join();
    sim.stop();
    redis_server("stop");
}

TEST_CASE(
    "an entry that is not what a publisher writes is reported and acknowledged, and the "
    "stream goes on") {
    auto options = test_redis();
    std::string stream = EventStreams{}.key_of(options.key_prefix, 0, Snowflake());
    RedisConnection redis(options);
    auto add = [&](std::initializer_list<std::string_view> fields) {
        std::vector<std::string_view> command{"XADD", stream, "*"};
        command.insert(command.end(), fields.begin(), fields.end());
        REQUIRE(redis.command(command).kind == RedisReply::Kind::text);
    };
    add({"t", "TYPING_START", "shard", "0", "session", "s", "seq", "1", "d", typing_in(7, 1)});
    add({"t", "TYPING_START", "shard", "0", "session", "s", "seq", "2"});
    add({"t", "TYPING_START", "shard", "0", "session", "s", "seq", "3x", "d", "{}"});
    add({"t", "TYPING_START", "shard", "0", "session", "s", "seq", "4", "d", typing_in(7, 4)});

    RedisEventWorker worker(options, worker_config(options, 1, "only"));
    std::mutex mutex;
    std::vector<std::uint64_t> typed;
    std::vector<std::string> problems;
    worker.on<events::TypingStart>([&](const events::TypingStart&, const EventContext& context) {
        std::lock_guard lock(mutex);
        typed.push_back(context.seq);
    });
    worker.on_error([&](std::error_code error, std::string_view detail) {
        std::lock_guard lock(mutex);
        if (error == errc::invalid_payload) {
            problems.emplace_back(detail);
        }
    });
    std::thread thread([&] { worker.run(); });
    bool done = eventually([&] {
        std::lock_guard lock(mutex);
        return typed.size() == 2 && problems.size() == 2;
    });
    worker.stop();
    thread.join();
    REQUIRE(done);
    CHECK(typed == std::vector<std::uint64_t>{1, 4});
    CHECK(worker.stats().malformed == 2);
    CHECK(worker.stats().handled == 2);
    CHECK(problems[0].find("field d is missing") != std::string::npos);
    CHECK(problems[1].find("seq is not a number") != std::string::npos);
    // Acknowledged: no worker gets them again.
    CHECK(redis.command({"XPENDING", stream, "gatewire-workers"}).elements.at(0).integer == 0);
}

TEST_CASE("stream entries: the guild an event is routed by, and the fields an entry needs") {
    RawEvent message;
    message.name = "MESSAGE_CREATE";
    message.message = R"({"id":"9","guild_id":"81384788765712384","channel_id":"2"})";
    message.data_size = message.message.size();
    CHECK(routing_guild(message) == Snowflake{81384788765712384});
    RawEvent guild = message;
    guild.name = "GUILD_CREATE";
    CHECK(routing_guild(guild) == Snowflake{9});  // a guild's own events: its id
    RawEvent none = message;
    none.message = R"([1,2])";
    none.data_size = none.message.size();
    CHECK(routing_guild(none) == Snowflake());

    auto entry = [](std::initializer_list<const char*> texts) {
        RedisReply fields;
        fields.kind = RedisReply::Kind::array;
        for (const char* text : texts) {
            RedisReply element;
            element.kind = RedisReply::Kind::text;
            element.text = text;
            fields.elements.push_back(element);
        }
        return fields;
    };
    std::string problem;
    auto event = parse_stream_entry(
        entry({"seq", "5", "d", "{}", "t", "READY", "session", "abc", "shard", "2", "new", "x"}),
        problem);
    REQUIRE(event);
    CHECK(event->name == "READY");
    CHECK(event->shard_id == 2);
    CHECK(event->seq == 5);
    CHECK(event->resume_seq == 5);
    CHECK(event->session_id == "abc");
    CHECK(event->data() == "{}");
    CHECK_FALSE(parse_stream_entry(
        entry({"t", "READY", "shard", "2", "session", "abc", "seq", "5", "d", "{}", "seq", "6"}),
        problem));
    CHECK(problem == "field seq is there twice");
    CHECK_FALSE(parse_stream_entry(
        entry({"t", "READY", "shard", "-1", "session", "abc", "seq", "5", "d", "{}"}), problem));
    CHECK(problem == "shard is not a number");
    CHECK_FALSE(parse_stream_entry(entry({"t", "READY", "shard"}), problem));
    CHECK(problem == "its fields are not name-value pairs");
}
