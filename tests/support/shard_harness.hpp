// A real Shard against a real simulator over loopback, with everything the
// shard reports collected for the test to wait on.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "eventually.hpp"
#include "gatewire/sim/simulator.hpp"
#include "gatewire/transport/shard.hpp"
#include "sim_config.hpp"

namespace gatewire::test {

namespace net = boost::asio;
using namespace std::chrono_literals;

struct Harness {
    sim::Simulator sim;
    net::io_context io;
    std::unique_ptr<Shard> shard;
    std::thread thread;

    // Recursive: the helpers below also run inside wait() predicates.
    mutable std::recursive_mutex mutex;
    std::condition_variable_any changed;
    std::vector<RawEvent> events;
    std::vector<ShardState> states;
    std::vector<std::error_code> errors;
    std::vector<std::string> details;  // of every state change and error, as reported
    std::optional<std::error_code> finished;
    std::function<void(const RawEvent&)> on_event_extra;
    std::function<void(ShardState)> on_state_extra;  // runs on the handler thread

    static sim::SimConfig sim_config(const Profile& profile) {
        return test::quick_sim_config(profile);
    }

    static ShardConfig client_config(const Profile& profile, Compression compression) {
        ShardConfig config;
        config.session.profile = profile;
        config.session.token = "sim-token";
        config.session.compression = compression;
        if (profile.uses_intents) {
            config.session.intents = Intents::guilds | Intents::guild_messages;
        }
        config.session.backoff.initial = 20ms;
        config.session.backoff.max = 200ms;
        config.connect_timeout = 5s;
        config.close_timeout = 1s;
        return config;
    }

    explicit Harness(sim::SimConfig sim_config) : sim(std::move(sim_config)) { sim.start(); }

    void start(ShardConfig config) {
        if (config.session.url.empty()) {
            config.session.url = sim.url();
        }
        shard = std::make_unique<Shard>(io.get_executor(), std::move(config));
        shard->on_event([this](const RawEvent& event) {
            if (on_event_extra) {
                on_event_extra(event);
            }
            std::lock_guard lock(mutex);
            events.push_back(event);
            changed.notify_all();
        });
        shard->on_state([this](ShardState state, std::string_view detail) {
            if (on_state_extra) {
                on_state_extra(state);
            }
            std::lock_guard lock(mutex);
            states.push_back(state);
            details.emplace_back(detail);
            changed.notify_all();
        });
        shard->on_error([this](std::error_code error, std::string_view detail) {
            std::lock_guard lock(mutex);
            errors.push_back(error);
            details.emplace_back(detail);
            changed.notify_all();
        });
        shard->on_finish([this](std::error_code error) {
            std::lock_guard lock(mutex);
            finished = error;
            changed.notify_all();
        });
        shard->start();
        thread = std::thread([this] { io.run(); });
    }

    ~Harness() {
        if (shard) {
            shard->stop();
            wait([&] { return finished.has_value(); }, 10s);
        }
        if (thread.joinable()) {
            thread.join();
        }
        sim.stop();
    }

    // Woken by every event, state and error, and every 10 ms besides: a
    // predicate may also read what changes without a notification (the
    // shard's session or backlog), and must not sit out the whole timeout.
    template <class Predicate>
    bool wait(Predicate predicate, std::chrono::milliseconds timeout = patience) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(mutex);
        while (!predicate()) {
            if (std::chrono::steady_clock::now() >= deadline) {
                return false;
            }
            changed.wait_for(lock, 10ms);
        }
        return true;
    }

    bool wait_events(std::size_t count, std::chrono::milliseconds timeout = patience) {
        return wait([&] { return events.size() >= count; }, timeout);
    }

    bool wait_ready() {
        return wait([&] { return !states.empty() && states.back() == ShardState::ready; });
    }

    bool wait_sim(const std::function<bool(const sim::SimStats&)>& predicate) {
        return sim.wait_until(predicate, patience);
    }

    std::vector<std::uint64_t> dispatch_seqs() const {
        std::lock_guard lock(mutex);
        std::vector<std::uint64_t> out;
        for (const auto& e : events) {
            if (e.seq != 0 && e.name != "RESUMED") {  // Fluxer's RESUMED repeats a seq
                out.push_back(e.seq);
            }
        }
        return out;
    }

    std::size_t count_named(std::string_view name) const {
        std::lock_guard lock(mutex);
        return std::count_if(events.begin(), events.end(),
                             [&](const RawEvent& e) { return e.name == name; });
    }

    bool has_error(std::error_code code) const {
        std::lock_guard lock(mutex);
        return std::find(errors.begin(), errors.end(), code) != errors.end();
    }

    void send_messages(int from, int to) {
        for (int i = from; i <= to; ++i) {
            sim.dispatch("MESSAGE_CREATE", R"({"id":")" + std::to_string(1000 + i) +
                                               R"(","content":"m)" + std::to_string(i) + R"("})");
        }
    }
};

// Every seq from 1 to `last` exactly once. Not always in order: Fluxer lets
// a live event overtake a resume's replay.
inline void check_exactly_once(std::vector<std::uint64_t> seqs, std::uint64_t last) {
    std::vector<std::uint64_t> expected(last);
    std::iota(expected.begin(), expected.end(), 1);
    std::sort(seqs.begin(), seqs.end());
    CHECK(seqs == expected);
}

struct Mode {
    const Profile* profile;
    Compression compression;
};

inline std::vector<Mode> all_modes() {
    return {{&profiles::discord(), Compression::zlib_stream},
            {&profiles::discord(), Compression::zstd_stream},
            {&profiles::discord(), Compression::none},
            {&profiles::fluxer(), Compression::zstd_stream},
            {&profiles::fluxer(), Compression::none}};
}

inline std::string name_of(const Mode& mode) {
    return mode.profile->name + "/" + std::string(to_string(mode.compression));
}

}  // namespace gatewire::test
