// gatewire-bench peers: gatewire against @discordjs/ws end to end, over a real
// socket, in one run.
//
// One server thread serves one pre-built stream per scenario (small real
// MESSAGE_CREATEs or the 2.8 MB GUILD_CREATE; zlib-stream, zstd-stream or
// none): the frames are compressed and framed before the clock starts, so the
// server only writes bytes. A client that only reads and counts bytes shows
// how fast the server alone pushes the stream. Each client runs as a process
// of its own and measures itself from connecting to its last event: CPU (user +
// sys), wall, peak RSS and context switches. Then the same at 1 000 events/s,
// for the time from the server's write of a message to the handler's first
// line.
#include "peers.hpp"
#include "read_file.hpp"

#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "gatewire/client/client.hpp"
#include "gatewire/detail/envelope.hpp"
#include "gatewire/detail/message_decoder.hpp"
#include "gatewire/detail/zstd_stream_encoder.hpp"
#include "gatewire/dispatch/dispatcher.hpp"

extern char** environ;

namespace gatewire::bench::peers {

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

std::int64_t monotonic_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               SteadyClock::now().time_since_epoch())
        .count();
}

// ---- What the server sends ------------------------------------------------

enum class Kind { small, guild };

std::string_view to_string(Kind kind) {
    return kind == Kind::small ? "small" : "guild";
}

// Messages as whole server-to-client WebSocket frames (unmasked, final),
// compressed on one stream per connection as the gateway does.
class FrameEncoder {
  public:
    explicit FrameEncoder(Compression compression) : compression_(compression) {
        if (compression_ == Compression::zlib_stream) {
            deflateInit(&zlib_, Z_DEFAULT_COMPRESSION);
        }
    }
    ~FrameEncoder() {
        if (compression_ == Compression::zlib_stream) {
            deflateEnd(&zlib_);
        }
    }
    FrameEncoder(const FrameEncoder&) = delete;
    FrameEncoder& operator=(const FrameEncoder&) = delete;

    std::string payload(std::string_view message) {
        switch (compression_) {
            case Compression::none:
                return std::string(message);
            case Compression::zstd_stream:
                return zstd_.encode(message);
            case Compression::zlib_stream:
                break;
        }
        std::string out;
        zlib_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
        zlib_.avail_in = static_cast<uInt>(message.size());
        do {
            std::size_t at = out.size();
            out.resize(at + message.size() / 2 + 256);
            zlib_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
            zlib_.avail_out = static_cast<uInt>(out.size() - at);
            deflate(&zlib_, Z_SYNC_FLUSH);  // ends with 00 00 FF FF, as the gateway's
            out.resize(out.size() - zlib_.avail_out);
        } while (zlib_.avail_out == 0);
        return out;
    }

    void append_frame(std::string& out, std::string_view payload_bytes) const {
        out += static_cast<char>(compression_ == Compression::none ? 0x81 : 0x82);
        std::size_t n = payload_bytes.size();
        if (n < 126) {
            out += static_cast<char>(n);
        } else if (n < 65536) {
            out += static_cast<char>(126);
            out += static_cast<char>(n >> 8);
            out += static_cast<char>(n & 0xff);
        } else {
            out += static_cast<char>(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out += static_cast<char>((n >> shift) & 0xff);
            }
        }
        out += payload_bytes;
    }

    std::string frame(std::string_view message) {
        std::string out;
        append_frame(out, payload(message));
        return out;
    }

  private:
    Compression compression_;
    z_stream zlib_{};
    ZstdStreamEncoder zstd_;
};

const char* const hello_message =
    R"({"op":10,"s":null,"t":null,"d":{"heartbeat_interval":600000}})";
const char* const identify_message =
    R"({"op":2,"d":{"token":"bench-token","intents":513,"properties":{"os":"linux","browser":"bench","device":"bench"}}})";

std::string ready_message(const std::string& url) {
    return R"({"op":0,"s":1,"t":"READY","d":{"v":10,"user":{"id":"1300000000000000001",)"
           R"("username":"bench","discriminator":"0","bot":true},"guilds":[],)"
           R"("session_id":"bench-session","resume_gateway_url":")" +
           url + R"(","shard":[0,1],"application":{"id":"1300000000000000001","flags":0}}})";
}

std::string dispatch_message(std::uint64_t seq, std::string_view type, std::string_view data) {
    std::string out = R"({"op":0,"s":)" + std::to_string(seq) + R"(,"t":")";
    out += type;
    out += R"(","d":)";
    out += data;
    out += "}";
    return out;
}

// The real MESSAGE_CREATEs among the fixtures; each event gets an id and a
// content of its own so the stream does not repeat itself byte for byte.
class MessageSource {
  public:
    explicit MessageSource(const fs::path& fixtures) {
        for (const char* name :
             {"serenity/message_create_1.json", "serenity/message_create_2.json",
              "serenity/message_create_3.json", "disgord-session/6_0_MESSAGE_CREATE.json",
              "disgord-session/13_0_MESSAGE_CREATE.json"}) {
            json doc = json::parse(read_file(fixtures / "discord" / name));
            datas_.push_back(doc.contains("op") ? doc["d"] : doc);
        }
    }
    std::string data(std::size_t i, const std::string& content) const {
        json d = datas_[i % datas_.size()];
        d["id"] = std::to_string(1400000000000000000ull + i);
        d["content"] = content;
        return d.dump();
    }

  private:
    std::vector<json> datas_;
};

struct Stream {
    Kind kind = Kind::small;
    Compression compression = Compression::zlib_stream;
    std::size_t events = 0;
    std::string hello;                  // the Hello frame
    std::string rest;                   // READY and the events, framed
    std::vector<std::string> payloads;  // the same, unframed (for the in-process figure)
    std::size_t json_bytes = 0;         // the events' JSON, before compression
};

Stream build_stream(Kind kind, Compression compression, std::size_t events,
                    const fs::path& fixtures, const std::string& url, bool keep_payloads) {
    Stream s;
    s.kind = kind;
    s.compression = compression;
    s.events = events;
    FrameEncoder encoder(compression);
    std::string hello = encoder.payload(hello_message);
    encoder.append_frame(s.hello, hello);
    if (keep_payloads) {
        s.payloads.push_back(std::move(hello));  // the stream begins with it
    }
    auto add = [&](const std::string& message) {
        std::string payload = encoder.payload(message);
        encoder.append_frame(s.rest, payload);
        if (keep_payloads) {
            s.payloads.push_back(std::move(payload));
        }
    };
    add(ready_message(url));
    if (kind == Kind::small) {
        MessageSource source(fixtures);
        for (std::size_t i = 0; i < events; ++i) {
            std::string message = dispatch_message(i + 2, "MESSAGE_CREATE",
                                                   source.data(i, "message " + std::to_string(i)));
            s.json_bytes += message.size();
            add(message);
        }
    } else {
        json d = json::parse(read_file(fixtures / "discord/serenity/guild_create_1.json"));
        std::string data = d.dump();
        for (std::size_t i = 0; i < events; ++i) {
            std::string message = dispatch_message(i + 2, "GUILD_CREATE", data);
            s.json_bytes += message.size();
            add(message);
        }
    }
    return s;
}

// ---- The server -------------------------------------------------------------

// Serves one connection at a time on a thread of its own: the WebSocket
// handshake, Hello, then (once the Identify came) whatever `send` writes,
// then reads until the client goes.
class StreamServer {
  public:
    StreamServer() : acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
        acceptor_.non_blocking(true);
    }
    ~StreamServer() { finish(); }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()); }

    void serve(std::string hello, std::function<void(tcp::socket&)> send) {
        finish();
        stop_ = false;
        thread_ = std::thread([this, hello = std::move(hello), send = std::move(send)] {
            tcp::socket socket(io_);
            for (;;) {
                boost::system::error_code ec;
                acceptor_.accept(socket, ec);
                if (!ec) {
                    break;
                }
                if ((ec != net::error::would_block && ec != net::error::try_again) || stop_) {
                    return;
                }
                pollfd wait{acceptor_.native_handle(), POLLIN, 0};
                ::poll(&wait, 1, 100);
            }
            try {
                socket.set_option(tcp::no_delay(true));
                websocket::stream<tcp::socket> ws(std::move(socket));
                ws.accept();
                net::write(ws.next_layer(), net::buffer(hello));
                beast::flat_buffer buffer;
                ws.read(buffer);  // the Identify
                send(ws.next_layer());
                for (;;) {
                    buffer.clear();
                    ws.read(buffer);  // heartbeats, then the close
                }
            } catch (const std::exception&) {
                // the client went
            }
        });
    }

    // Stops waiting for a client that never came; waits for the thread.
    void finish() {
        stop_ = true;
        if (thread_.joinable()) {
            thread_.join();
        }
    }

  private:
    net::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
};

// The server alone: a client that only reads the stream's bytes.
double server_alone_seconds(StreamServer& server, const Stream& s) {
    server.serve(s.hello, [&](tcp::socket& socket) { net::write(socket, net::buffer(s.rest)); });
    net::io_context io;
    websocket::stream<tcp::socket> ws(io);
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), server.port()});
    ws.handshake("127.0.0.1:" + std::to_string(server.port()), "/?v=10&encoding=json");
    beast::flat_buffer buffer;
    ws.read(buffer);  // Hello: nothing more comes before the Identify
    ws.write(net::buffer(std::string_view(identify_message)));
    auto start = SteadyClock::now();
    std::vector<char> chunk(1 << 20);
    std::size_t received = 0;
    while (received < s.rest.size()) {
        received += ws.next_layer().read_some(net::buffer(chunk));
    }
    double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    ws.next_layer().close();
    server.finish();
    return seconds;
}

// ---- Client processes -------------------------------------------------------

struct Measured {
    bool ok = false;
    std::string error;
    double cpu_s = 0, wall_s = 0;
    long rss_kib = 0;
    double switches = 0;
    std::vector<std::int64_t> arrivals_ns;
    double events_per_cpu_s(std::size_t events) const {
        return cpu_s > 0 ? static_cast<double>(events) / cpu_s : 0;
    }
};

Measured failed(std::string error) {
    Measured m;
    m.error = std::move(error);
    return m;
}

// Runs argv (under `timeout`), returns its last line of output as JSON.
Measured run_child(std::vector<std::string> args) {
    std::string name = args.at(0);
    // GATEWIRE_BENCH_CLIENT_PREFIX runs each client under a profiler: "perf record -g --".
    if (const char* prefix = std::getenv("GATEWIRE_BENCH_CLIENT_PREFIX")) {
        std::istringstream words(prefix);
        std::vector<std::string> front;
        for (std::string word; words >> word;) {
            front.push_back(word);
        }
        args.insert(args.begin(), front.begin(), front.end());
    }
    args.insert(args.begin(), {"timeout", "600"});
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) {
        return failed("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, "timeout", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    std::string text;
    char chunk[65536];
    for (ssize_t n; (n = read(out[0], chunk, sizeof chunk)) > 0;) {
        text.append(chunk, static_cast<std::size_t>(n));
    }
    close(out[0]);
    if (spawned != 0) {
        return failed("cannot start " + name);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    auto end = text.find_last_not_of('\n');
    auto begin = text.rfind('\n', end == std::string::npos ? 0 : end);
    std::string line = text.substr(begin == std::string::npos ? 0 : begin + 1);
    json doc = json::parse(line, nullptr, false);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !doc.is_object()) {
        return failed(name + " failed (status " + std::to_string(status) + "): " + line);
    }
    Measured m;
    m.ok = true;
    m.cpu_s = doc.value("cpu_s", 0.0);
    m.wall_s = doc.value("wall_s", 0.0);
    m.rss_kib = doc.value("rss_kib", 0L);
    m.switches = doc.value("switches", 0.0);
    if (doc.contains("arrivals_ns")) {
        m.arrivals_ns = doc["arrivals_ns"].get<std::vector<std::int64_t>>();
    }
    return m;
}

struct Peer {
    std::string label;
    std::string key;  // gatewire, gatewire-io, discordjs
};

const std::vector<Peer>& peers() {
    static const std::vector<Peer> list{
        {"gatewire, typed, handlers off the I/O thread (default)", "gatewire"},
        {"gatewire, typed, handlers on the I/O thread", "gatewire-io"},
        {"@discordjs/ws 2.0.4 + zlib-sync", "discordjs"},
    };
    return list;
}

struct Options {
    std::size_t events = 200000;
    std::size_t guild_events = 40;
    std::size_t latency_events = 3000;
    int runs = 3;
    fs::path fixtures;
    fs::path node_dir;  // holds node_modules with @discordjs/ws and zlib-sync; empty: not run
    fs::path self;
    std::string only;  // KIND, KIND/COMPRESSION or latency; empty: everything

    bool wants(std::string_view scenario) const {
        return only.empty() || scenario == only ||
               scenario.substr(0, only.size() + 1) == only + "/";
    }
};

bool node_supports(Compression c) {
    return c != Compression::zstd_stream;  // @discordjs/ws 2.0.4 has no zstd-stream
}

Measured run_peer(const Options& o, const Peer& peer, const std::string& url, Kind kind,
                  Compression compression, std::size_t events, bool latency) {
    std::vector<std::string> args;
    if (peer.key == "discordjs") {
        args = {"node", (o.node_dir / "discordjs_peer.mjs").string()};
    } else {
        args = {o.self.string(), "peer-client"};
    }
    args.insert(args.end(), {url, std::to_string(events), std::string(to_string(kind)),
                             std::string(gatewire::to_string(compression))});
    if (peer.key != "discordjs") {
        args.push_back(peer.key == "gatewire-io"       ? "on-io"
                       : peer.key.starts_with("floor") ? peer.key
                                                       : "off-io");
    }
    if (latency) {
        args.push_back("latency");
    }
    return run_child(std::move(args));
}

// One WebSocket message through gatewire's pipeline without its I/O: inflate,
// peek, typed decode, dispatch.
void decode_and_dispatch(MessageDecoder& decoder, Dispatcher& dispatcher,
                         std::span<const std::uint8_t> payload) {
    auto status = decoder.feed(payload, true);
    while (status == DecodeStatus::complete) {
        std::string& message = decoder.message();
        Envelope envelope;
        if (!peek_envelope(message, envelope)) {
            RawEvent raw;
            raw.seq = envelope.seq.value_or(0);
            raw.name.assign(envelope.type.begin(), envelope.type.end());
            raw.data_offset = static_cast<std::size_t>(envelope.data.data() - message.data());
            raw.data_size = envelope.data.size();
            raw.message = std::move(message);
            dispatcher.dispatch(raw);
        }
        if (!decoder.has_pending()) {
            break;
        }
        status = decoder.feed({}, false);
    }
}

// The in-process pipeline on the same events (events per CPU-second of this
// thread): inflate, peek, typed decode, dispatch, as `gatewire-bench decode`.
double in_process_events_per_cpu_s(const Stream& s) {
    auto thread_cpu = [] {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
    };
    std::vector<double> rates;
    for (int pass = 0; pass < 3; ++pass) {
        Dispatcher dispatcher;
        std::size_t handled = 0;
        dispatcher.on<events::MessageCreate>([&](const events::MessageCreate&) { ++handled; });
        MessageDecoder decoder(s.compression, 64u << 20);
        double start = thread_cpu();
        for (const auto& payload : s.payloads) {
            decode_and_dispatch(
                decoder, dispatcher,
                {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
        }
        double cpu = thread_cpu() - start;
        if (handled != s.events) {
            throw std::runtime_error("the in-process pipeline handled " + std::to_string(handled) +
                                     " of " + std::to_string(s.events) + " events");
        }
        rates.push_back(static_cast<double>(handled) / cpu);
    }
    std::sort(rates.begin(), rates.end());
    return rates[1];
}

double median(std::vector<double> v) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::string rate_text(double per_s) {
    char text[32];
    if (per_s >= 1e6) {
        std::snprintf(text, sizeof text, "%.2fM", per_s / 1e6);
    } else if (per_s >= 1e4) {
        std::snprintf(text, sizeof text, "%.0fk", per_s / 1e3);
    } else {
        std::snprintf(text, sizeof text, "%.1f", per_s);
    }
    return text;
}

// Runs every peer `o.runs` times on one scenario; prints each run and the medians.
void run_scenario(const Options& o, StreamServer& server, Kind kind, Compression compression,
                  std::size_t events) {
    bool in_process = kind == Kind::small && compression == Compression::zlib_stream;
    Stream s = build_stream(kind, compression, events, o.fixtures, server.url(), in_process);
    std::printf("\n%s: %zu %s, %s (%.1f MB of JSON, %.1f MB on the wire)\n",
                kind == Kind::small ? "small events" : "GUILD_CREATE", events,
                kind == Kind::small ? "real MESSAGE_CREATEs" : "2.8 MB GUILD_CREATEs",
                std::string(gatewire::to_string(compression)).c_str(),
                static_cast<double>(s.json_bytes) / 1e6, static_cast<double>(s.rest.size()) / 1e6);
    std::printf("  %-56s %12s %8s %8s %9s %10s\n", "client", "events/CPU-s", "CPU s", "wall s",
                "peak RSS", "switches/ev");
    std::vector<std::vector<double>> rates(peers().size());
    std::vector<double> server_rates, fastest_wall_rates;
    // Measured in each run right after its clients, so that a ratio compares
    // figures of the same minutes on a machine whose speed drifts.
    std::vector<double> pipeline_rates;
    for (int run = 1; run <= o.runs; ++run) {
        double alone = server_alone_seconds(server, s);
        server_rates.push_back(static_cast<double>(events) / alone);
        std::printf("  run %d: the server alone pushes %s events/s (wall)\n", run,
                    rate_text(server_rates.back()).c_str());
        double fastest = 0;
        for (std::size_t p = 0; p < peers().size(); ++p) {
            const Peer& peer = peers()[p];
            if (peer.key == "discordjs" && (o.node_dir.empty() || !node_supports(compression))) {
                continue;
            }
            server.serve(s.hello,
                         [&](tcp::socket& socket) { net::write(socket, net::buffer(s.rest)); });
            Measured m = run_peer(o, peer, server.url(), kind, compression, events, false);
            server.finish();
            if (!m.ok) {
                throw std::runtime_error(peer.label + ": " + m.error);
            }
            rates[p].push_back(m.events_per_cpu_s(events));
            fastest = std::max(fastest, static_cast<double>(events) / m.wall_s);
            std::printf("  %-56s %12s %8.3f %8.3f %6ld MiB %10.3f\n", peer.label.c_str(),
                        rate_text(rates[p].back()).c_str(), m.cpu_s, m.wall_s, m.rss_kib / 1024,
                        m.switches / static_cast<double>(events));
        }
        fastest_wall_rates.push_back(fastest);
        if (in_process) {
            pipeline_rates.push_back(in_process_events_per_cpu_s(s));
        }
    }
    std::printf("  medians of %d runs:", o.runs);
    for (std::size_t p = 0; p < peers().size(); ++p) {
        if (!rates[p].empty()) {
            std::printf(" %s %s;", peers()[p].key.c_str(), rate_text(median(rates[p])).c_str());
        }
    }
    std::printf(" server alone %s events/s\n", rate_text(median(server_rates)).c_str());
    double gatewire = median(rates[0]);
    if (!rates[2].empty()) {
        std::printf("  ratio gatewire (default) / @discordjs/ws: %.2fx per run:",
                    gatewire / median(rates[2]));
        for (std::size_t r = 0; r < rates[2].size(); ++r) {
            std::printf(" %.2fx", rates[0][r] / rates[2][r]);
        }
        std::printf("\n");
    }
    std::printf("  the server alone / the fastest client, wall: %.1fx\n",
                median(server_rates) / std::max(1.0, median(fastest_wall_rates)));
    if (in_process) {
        std::printf(
            "  in-process pipeline on the same events, measured after each run's clients: "
            "%s events/CPU-s; end to end / in-process %.2f, per run:",
            rate_text(median(pipeline_rates)).c_str(), gatewire / median(pipeline_rates));
        for (std::size_t r = 0; r < pipeline_rates.size(); ++r) {
            std::printf(" %.2f", rates[0][r] / pipeline_rates[r]);
        }
        std::printf("\n");
    }
}

// At 1 000 events/s, paced by the server: the time from the server's write of
// a message to the first line of the client's handler, per event, both on the
// same monotonic clock. The clock is read as the write starts: read as it
// returned, a reader already awake on the other core could stamp first (the
// floor row measured -3.8 us at p50 that way).
void run_latency(const Options& o, StreamServer& server) {
    std::printf(
        "\nlatency at 1 000 events/s, %zu small MESSAGE_CREATEs, zlib-stream: "
        "the start of the server's write to the handler's first line\n",
        o.latency_events);
    std::printf("  %-56s %9s %9s %9s\n", "client", "p50 us", "p99 us", "max us");
    MessageSource source(o.fixtures);
    std::vector<std::string> datas;
    for (std::size_t i = 0; i < o.latency_events; ++i) {
        datas.push_back(dispatch_message(i + 2, "MESSAGE_CREATE",
                                         source.data(i, "message " + std::to_string(i))));
    }
    // The floors: a process that only wakes for each frame (a blocking read,
    // no inflate, no decode), the machine's wake-up and loopback path that
    // every client pays; then the same with gatewire's pipeline run on each
    // frame in that thread, which adds what a cold pipeline costs after a
    // millisecond asleep. The rest of a gatewire row is Asio and the session.
    std::vector<Peer> clients = peers();
    clients.push_back({"floor: a blocking read of each frame, nothing else", "floor"});
    clients.push_back({"floor + gatewire's inflate, decode, dispatch; no Asio", "floor-decode"});
    for (const Peer& peer : clients) {
        if (peer.key == "discordjs" && o.node_dir.empty()) {
            continue;
        }
        auto encoder = std::make_shared<FrameEncoder>(Compression::zlib_stream);
        std::vector<std::int64_t> written(o.latency_events);
        std::string url = server.url();
        server.serve(encoder->frame(hello_message), [&](tcp::socket& socket) {
            net::write(socket, net::buffer(encoder->frame(ready_message(url))));
            auto start = SteadyClock::now() + std::chrono::milliseconds(20);
            for (std::size_t i = 0; i < datas.size(); ++i) {
                std::string frame = encoder->frame(datas[i]);
                std::this_thread::sleep_until(start + std::chrono::milliseconds(i));
                written[i] = monotonic_ns();
                net::write(socket, net::buffer(frame));
            }
        });
        Measured m =
            run_peer(o, peer, url, Kind::small, Compression::zlib_stream, o.latency_events, true);
        server.finish();
        if (!m.ok || m.arrivals_ns.size() != written.size()) {
            throw std::runtime_error(peer.label + ": " + m.error);
        }
        std::vector<double> us;
        for (std::size_t i = 0; i < written.size(); ++i) {
            us.push_back(static_cast<double>(m.arrivals_ns[i] - written[i]) / 1e3);
        }
        std::sort(us.begin(), us.end());
        std::printf("  %-56s %9.1f %9.1f %9.1f\n", peer.label.c_str(), us[us.size() / 2],
                    us[us.size() * 99 / 100], us.back());
    }
}

int usage() {
    std::cerr << "usage: gatewire-bench peers [--events N] [--guild-events N] "
                 "[--latency-events N] [--runs N] [--node-dir DIR] [--fixtures DIR]\n"
                 "       [--only small|guild|small/zlib-stream|…|latency]\n"
                 "  --node-dir: a folder whose node_modules hold @discordjs/ws 2.0.4 and "
                 "zlib-sync (scripts/bench-peers installs them); without it only gatewire runs\n";
    return 2;
}

struct Snapshot {
    double cpu_s = 0;
    long switches = 0;
    SteadyClock::time_point wall;
};

Snapshot snapshot() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto seconds = [](timeval t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return Snapshot{seconds(u.ru_utime) + seconds(u.ru_stime), u.ru_nvcsw + u.ru_nivcsw,
                    SteadyClock::now()};
}

json figures(const Snapshot& start, const Snapshot& end) {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return {{"cpu_s", end.cpu_s - start.cpu_s},
            {"wall_s", std::chrono::duration<double>(end.wall - start.wall).count()},
            {"rss_kib", u.ru_maxrss},
            {"switches", end.switches - start.switches}};
}

// The latency floors: one thread blocked in a read, stamping each frame as it
// lands (nothing else), or stamping in a typed handler after gatewire's
// pipeline ran on that frame on the same thread (no Asio, no session).
int run_floor_client(const std::string& url, std::size_t events, bool decode) {
    auto at = url.rfind(':');
    auto port = static_cast<std::uint16_t>(std::stoul(url.substr(at + 1)));
    net::io_context io;
    websocket::stream<tcp::socket> ws(io);
    Snapshot start = snapshot();
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    ws.handshake("127.0.0.1:" + std::to_string(port), "/?v=10&encoding=json&compress=zlib-stream");
    std::vector<std::int64_t> arrivals;
    arrivals.reserve(events);
    Dispatcher dispatcher;
    dispatcher.on<events::MessageCreate>(
        [&](const events::MessageCreate&) { arrivals.push_back(monotonic_ns()); });
    MessageDecoder decoder(Compression::zlib_stream, 64u << 20);
    beast::flat_buffer buffer;
    auto read = [&] {
        buffer.clear();
        ws.read(buffer);
        auto bytes = buffer.data();
        return std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(bytes.data()),
                                             bytes.size());
    };
    // Hello and READY open the zlib stream: inflated too, or the rest is not.
    decode_and_dispatch(decoder, dispatcher, read());
    ws.write(net::buffer(std::string_view(identify_message)));
    decode_and_dispatch(decoder, dispatcher, read());
    for (std::size_t i = 0; i < events; ++i) {
        auto frame = read();
        if (decode) {
            decode_and_dispatch(decoder, dispatcher, frame);
        } else {
            arrivals.push_back(monotonic_ns());
        }
    }
    if (arrivals.size() != events) {
        std::cerr << "peer-client floor: " << arrivals.size() << " of " << events << " events\n";
        return 1;
    }
    json out = figures(start, snapshot());
    out["arrivals_ns"] = arrivals;
    ws.next_layer().close();
    std::cout << out.dump() << std::endl;
    return 0;
}

}  // namespace

}  // namespace gatewire::bench::peers

namespace gatewire::bench {

int run_peers(int argc, char** argv) {
    using namespace peers;
    Options o;
    const char* env = std::getenv("GATEWIRE_FIXTURES");
    o.fixtures = env ? env : GATEWIRE_DEFAULT_FIXTURES;
    o.self = fs::read_symlink("/proc/self/exe");
    auto number = [&](int& i) -> std::size_t {
        if (i + 1 >= argc) {
            throw std::invalid_argument(std::string(argv[i]) + " needs a value");
        }
        std::string_view text = argv[++i];
        std::size_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || end != text.data() + text.size() || value == 0) {
            throw std::invalid_argument(std::string(argv[i - 1]) + ": not a positive number");
        }
        return value;
    };
    try {
        for (int i = 2; i < argc; ++i) {
            std::string arg = argv[i];
            if (arg == "--events") {
                o.events = number(i);
            } else if (arg == "--guild-events") {
                o.guild_events = number(i);
            } else if (arg == "--latency-events") {
                o.latency_events = number(i);
            } else if (arg == "--runs") {
                o.runs = static_cast<int>(std::min<std::size_t>(number(i), 100));
            } else if (arg == "--node-dir" && i + 1 < argc) {
                o.node_dir = argv[++i];
            } else if (arg == "--only" && i + 1 < argc) {
                o.only = argv[++i];
            } else if (arg == "--fixtures" && i + 1 < argc) {
                o.fixtures = argv[++i];
            } else {
                return usage();
            }
        }
    } catch (const std::invalid_argument& e) {
        std::cerr << "gatewire-bench peers: " << e.what() << "\n";
        return 2;
    }
    try {
        if (!o.node_dir.empty()) {
            fs::copy_file(fs::path(GATEWIRE_BENCH_SOURCE_DIR) / "peers/discordjs_peer.mjs",
                          o.node_dir / "discordjs_peer.mjs", fs::copy_options::overwrite_existing);
        }
        std::printf(
            "gatewire-bench peers on %u cores: each client a process of its own, "
            "measured from connecting to its last event\n",
            std::thread::hardware_concurrency());
        if (o.node_dir.empty()) {
            std::printf("no --node-dir: @discordjs/ws is not run\n");
        }
        StreamServer server;
        for (Kind kind : {Kind::small, Kind::guild}) {
            for (Compression c :
                 {Compression::zlib_stream, Compression::zstd_stream, Compression::none}) {
                if (o.wants(std::string(to_string(kind)) + "/" +
                            std::string(gatewire::to_string(c)))) {
                    run_scenario(o, server, kind, c,
                                 kind == Kind::small ? o.events : o.guild_events);
                }
            }
        }
        if (o.wants("latency")) {
            run_latency(o, server);
        }
        std::printf("\npeers: every scenario ran\n");
    } catch (const std::exception& e) {
        std::cerr << "gatewire-bench peers: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

// gatewire-bench peer-client URL EVENTS small|guild COMPRESSION off-io|on-io|floor|floor-decode
//                            [latency]
// One gatewire client with a typed handler (or, for the floors, a blocking
// reader of frames); prints its figures as one JSON line.
int run_peer_client(int argc, char** argv) {
    using namespace peers;
    if (argc < 7) {
        std::cerr << "usage: gatewire-bench peer-client URL EVENTS small|guild COMPRESSION "
                     "off-io|on-io|floor|floor-decode [latency]\n";
        return 2;
    }
    std::string url = argv[2];
    std::size_t events = std::stoul(argv[3]);
    Kind kind = std::string_view(argv[4]) == "guild" ? Kind::guild : Kind::small;
    auto compression = parse_compression(argv[5]);
    bool on_io = std::string_view(argv[6]) == "on-io";
    bool latency = argc > 7 && std::string_view(argv[7]) == "latency";
    if (!compression) {
        std::cerr << "unknown compression " << argv[5] << "\n";
        return 2;
    }
    if (std::string_view(argv[6]).starts_with("floor")) {
        try {
            return run_floor_client(url, events, std::string_view(argv[6]) == "floor-decode");
        } catch (const std::exception& e) {
            std::cerr << "peer-client floor: " << e.what() << "\n";
            return 1;
        }
    }

    net::io_context io;
    ShardConfig config;
    config.session.url = url;
    config.session.token = "bench-token";
    config.session.compression = *compression;
    config.session.intents = Intents::guilds | Intents::guild_messages;
    std::optional<Client> client;
    if (on_io) {
        client.emplace(io.get_executor(), config, io.get_executor());
    } else {
        client.emplace(io.get_executor(), config);
    }
    Snapshot end;
    std::size_t seen = 0;
    std::vector<std::int64_t> arrivals;
    arrivals.reserve(latency ? events : 0);
    auto count = [&] {
        if (latency) {
            arrivals.push_back(monotonic_ns());
        }
        if (++seen == events) {
            end = snapshot();
            client->stop();
        }
    };
    if (kind == Kind::small) {
        client->on<events::MessageCreate>([&](const events::MessageCreate&) { count(); });
    } else {
        client->on<events::GuildCreate>([&](const events::GuildCreate&) { count(); });
    }
    client->on_error([](std::error_code error, std::string_view detail) {
        std::cerr << "peer-client: " << error.message() << ": " << detail << "\n";
    });
    Snapshot start = snapshot();  // connecting, Hello, Identify and READY count too
    client->start();
    io.run();
    if (seen < events) {
        std::cerr << "peer-client: " << seen << " of " << events << " events\n";
        return 1;
    }
    json out = figures(start, end);
    if (latency) {
        out["arrivals_ns"] = arrivals;
    }
    std::cout << out.dump() << std::endl;
    return 0;
}

}  // namespace gatewire::bench
