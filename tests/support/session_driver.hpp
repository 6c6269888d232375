// Drives a sans-I/O Session the way a shard does, with time as a plain value.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "gatewire/detail/zstd_stream_encoder.hpp"
#include "gatewire/protocol/session.hpp"

namespace gatewire::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct Driver {
    Session session;
    TimePoint now{std::chrono::hours(1000)};
    std::vector<Action> actions;
    std::optional<ZstdStreamEncoder> server_zstd;  // when the server compresses

    explicit Driver(SessionConfig config) : session(std::move(config)) {}

    static SessionConfig discord(double random = 0.5) {
        SessionConfig config;
        config.token = "secret-token";
        config.url = "wss://gateway.example";
        config.compression = Compression::none;
        config.intents = Intents::guilds | Intents::guild_messages;
        config.random = [random] { return random; };
        return config;
    }
    static SessionConfig fluxer(double random = 0.5) {
        SessionConfig config = discord(random);
        config.profile = profiles::fluxer();
        config.intents = {};  // Fluxer has none
        return config;
    }

    void collect() {
        while (auto a = session.poll()) {
            actions.push_back(std::move(*a));
        }
    }
    void advance(std::chrono::milliseconds by) {
        TimePoint until = now + by;
        // Fire every deadline on the way, as a shard's timer would.
        for (;;) {
            auto deadline = session.next_deadline();
            if (!deadline || *deadline > until) {
                break;
            }
            now = std::max(now, *deadline);
            session.on_tick(now);
            collect();
        }
        now = until;
        session.on_tick(now);
        collect();
    }
    // Runs the clock to the session's next deadline.
    void advance_to_deadline() {
        auto deadline = session.next_deadline();
        REQUIRE(deadline);
        advance(std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now));
    }
    // `count` connects in a row that fail: the backoff grows.
    void fail_connects(int count) {
        for (int i = 0; i < count; ++i) {
            advance_to_deadline();
            session.on_connect_failed(std::make_error_code(std::errc::connection_refused), now);
            collect();
        }
    }
    void server(const std::string& text) {
        std::string bytes = server_zstd ? server_zstd->encode(text) : text;
        session.on_message({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                           true, now);
        collect();
    }
    void hello(int interval = 41250) {
        server(R"({"op":10,"d":{"heartbeat_interval":)" + std::to_string(interval) + "}}");
    }
    void dispatch(std::uint64_t seq, const std::string& type, const std::string& d = "{}") {
        server(R"({"op":0,"s":)" + std::to_string(seq) + R"(,"t":")" + type + R"(","d":)" + d +
               "}");
    }
    void ready(std::uint64_t seq = 1, const std::string& resume_url = "wss://resume.example") {
        dispatch(seq, "READY",
                 R"({"session_id":"abc123","resume_gateway_url":")" + resume_url +
                     R"(","user":{"id":"1"},"guilds":[]})");
    }
    void connect() {
        session.on_connected(now);
        collect();
    }
    void closed(std::optional<std::uint16_t> code) {
        session.on_closed(code, now);
        collect();
    }
    // A session that identified and is ready, with nothing left in `actions`.
    void start_ready(int interval = 41250) {
        session.start(now);
        collect();
        connect();
        hello(interval);
        ready();
        actions.clear();
    }

    template <class A>
    std::vector<A> all() const {
        std::vector<A> out;
        for (const auto& a : actions) {
            if (auto* x = std::get_if<A>(&a)) {
                out.push_back(*x);
            }
        }
        return out;
    }
    std::vector<json> sent(int op = -1) const {
        std::vector<json> out;
        for (const auto& s : all<action::Send>()) {
            json payload = json::parse(s.bytes, nullptr, false);
            if (op < 0 || payload["op"] == op) {
                out.push_back(payload);
            }
        }
        return out;
    }
    std::vector<std::uint64_t> delivered_seqs() const {
        std::vector<std::uint64_t> out;
        for (const auto& d : all<action::Deliver>()) {
            out.push_back(d.event.seq);
        }
        return out;
    }
};

}  // namespace gatewire::test
