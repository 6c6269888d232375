// The session state machine, driven by a script: each input byte picks the
// next thing that happens (a connection opens or fails, the server sends
// Hello, READY, a dispatch, RESUMED, op 7, op 9, an ACK, garbage, closes
// with some code; time passes; the owner sends commands, pauses reading,
// stops), the bytes after it give the details. Invariants: no event of a
// session is delivered twice, the queues stay bounded, and the token is in
// no detail, reason or URL the session gives out.
#include <chrono>
#include <optional>
#include <set>

#include "fuzz_check.hpp"
#include "gatewire/protocol/session.hpp"

using namespace gatewire;
using namespace gatewire::fuzz;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view token = "fuzz-token-7f3a9c";

struct Script {
    Bytes bytes;
    std::size_t at = 0;
    bool done() const { return at >= bytes.size(); }
    std::uint8_t byte() { return done() ? 0 : bytes[at++]; }
    std::uint16_t word() { return static_cast<std::uint16_t>(byte() << 8 | byte()); }
};

void check_secret(std::string_view text) {
    FUZZ_CHECK(text.find(token) == std::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Script script{{data, size}};
    SessionConfig config;
    config.token = std::string(token);
    config.url = "wss://gateway.example";
    config.compression = Compression::none;
    bool fluxer = script.byte() % 2 == 1;
    if (fluxer) {
        config.profile = profiles::fluxer();
    } else {
        config.intents = Intents::guilds | Intents::guild_messages;
    }
    config.random = [] { return 0.5; };
    Session session(std::move(config));
    TimePoint now{std::chrono::hours(1000)};

    // Seqs delivered since the last READY: a resume must not repeat one.
    std::set<std::uint64_t> delivered;
    std::uint64_t acknowledged = 0;
    std::string session_id;
    std::uint64_t last_seq = 0;

    auto collect = [&] {
        std::size_t taken = 0;
        while (auto action = session.poll()) {
            FUZZ_CHECK(++taken < 100000);
            if (auto* deliver = std::get_if<action::Deliver>(&*action)) {
                const RawEvent& event = deliver->event;
                if (tracing()) {
                    std::fprintf(stderr, "deliver %s seq %llu resume_seq %llu\n",
                                 event.name.c_str(), static_cast<unsigned long long>(event.seq),
                                 static_cast<unsigned long long>(event.resume_seq));
                }
                if (event.name == "READY") {
                    delivered.clear();
                    acknowledged = 0;
                }
                // A dispatch without a seq cannot be told apart from another;
                // RESUMED carries the seq the resume reached, already delivered.
                if (event.seq != 0 && event.name != "RESUMED") {
                    FUZZ_CHECK(delivered.insert(event.seq).second);
                }
                // What a resume may ask after only grows, and never passes
                // what was delivered (a gap filled may carry it past this seq).
                FUZZ_CHECK(event.resume_seq >= acknowledged);
                FUZZ_CHECK(event.resume_seq == 0 || event.name == "RESUMED" ||
                           (!delivered.empty() && event.resume_seq <= *delivered.rbegin()));
                acknowledged = event.resume_seq;
            } else if (auto* report = std::get_if<action::Report>(&*action)) {
                check_secret(report->detail);
                check_secret(report->error.message());
            } else if (auto* change = std::get_if<action::StateChange>(&*action)) {
                check_secret(change->detail);
            } else if (auto* close = std::get_if<action::Close>(&*action)) {
                check_secret(close->reason);
            } else if (auto* connect = std::get_if<action::Connect>(&*action)) {
                check_secret(connect->url);
            } else if (auto* finish = std::get_if<action::Finish>(&*action)) {
                check_secret(finish->error.message());
            } else if (auto* send = std::get_if<action::Send>(&*action)) {
                if (send->op != 2 && send->op != 6) {
                    check_secret(send->bytes);
                }
                if (send->op == 2) {
                    // A new Identify forgets the old session: what follows is
                    // another session's, even before its READY.
                    delivered.clear();
                    acknowledged = 0;
                }
            }
        }
        FUZZ_CHECK(session.queued_commands() <= 10000);
    };
    auto server = [&](const std::string& text) {
        session.on_message({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, true,
                           now);
    };
    auto dispatch = [&](std::uint64_t seq, std::string_view type, std::string_view d) {
        server(R"({"op":0,"s":)" + std::to_string(seq) + R"(,"t":")" + std::string(type) +
               R"(","d":)" + std::string(d) + "}");
    };

    while (!script.done()) {
        switch (script.byte() % 20) {
            case 0:
                session.start(now);
                break;
            case 1:
                session.on_connected(now);
                break;
            case 2:
                session.on_connect_failed(std::make_error_code(std::errc::connection_refused), now);
                break;
            case 3:
                server(R"({"op":10,"d":{"heartbeat_interval":)" +
                       std::to_string(script.word() * 16) + "}}");
                break;
            case 4:
                session_id = "s" + std::to_string(script.byte() % 4);
                last_seq = script.byte() % 8;
                dispatch(
                    last_seq, "READY",
                    R"({"session_id":")" + session_id +
                        R"(","resume_gateway_url":"wss://resume.example","user":{"id":"1"},"guilds":[]})");
                break;
            case 5:
            case 6:
            case 7: {
                // Mostly the next seq, sometimes one out of order or repeated.
                std::uint8_t how = script.byte();
                std::uint64_t seq = how < 160 ? ++last_seq : last_seq - how % 8 + how % 3;
                dispatch(seq, "MESSAGE_CREATE", R"({"id":"5","content":"hi"})");
                break;
            }
            case 8:
                if (script.byte() % 2 == 0) {
                    server(R"({"op":0,"s":)" + std::to_string(last_seq + script.byte() % 4) +
                           R"(,"t":"RESUMED","d":{}})");
                } else {
                    server(R"({"op":0,"t":"RESUMED","s":null,"d":{}})");
                }
                break;
            case 9:
                server(R"({"op":7,"d":null})");
                break;
            case 10:
                server(script.byte() % 2 == 0 ? R"({"op":9,"d":true})" : R"({"op":9,"d":false})");
                break;
            case 11:
                server(R"({"op":11})");
                break;
            case 12:
                server(R"({"op":1,"d":null})");
                break;
            case 13: {
                std::uint16_t code = script.word();
                if (code % 3 == 0) {
                    session.on_closed(std::nullopt, now);
                } else {
                    session.on_closed(
                        static_cast<std::uint16_t>(code % 2 == 0 ? 4000 + code % 20 : code), now);
                }
                break;
            }
            case 14:
            case 15: {
                now += std::chrono::milliseconds{script.word()} * 10;
                session.on_tick(now);
                break;
            }
            case 16: {
                std::size_t length = script.byte();
                std::string raw;
                for (std::size_t i = 0; i < length && !script.done(); ++i) {
                    raw += static_cast<char>(script.byte());
                }
                server(raw);
                break;
            }
            case 17:
                (void)session.send_command(
                    script.byte() % 2 == 0 ? 3 : 8,
                    R"({"since":null,"activities":[],"status":"online","afk":false})", now);
                break;
            case 18:
                session.set_reading_paused(script.byte() % 2 == 0, now);
                break;
            case 19:
                session.stop(now, script.byte() % 2 == 0);
                break;
        }
        collect();
        if (auto resumable = session.resumable()) {
            check_secret(resumable->session_id);
            check_secret(resumable->resume_url);
        }
    }
    return 0;
}
