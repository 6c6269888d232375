// gatewire-bench: figures measured side by side in one run.
//
//   gatewire-bench decode [--fixtures DIR] [--json] [--min-time SECONDS]
//   gatewire-bench shards [--count N] [--max-concurrency N] [--spacing-ms N] [--idle-ms N] [--json]
//   gatewire-bench peers [--events N] [--guild-events N] [--runs N] [--node-dir DIR] ...
//   gatewire-bench fanout [--events N] [--paced N] [--rate N] [--workers 1,2,4] [--shards N]
//
// shards: see shards.cpp. peers: see peers.cpp. fanout: see fan_out.cpp.
// decode: on the 2.8 MB GUILD_CREATE and on a stream of every small fixture
// event, MB/s and events/s of (a) plain zlib inflate of the zlib-stream
// frames, (b) plain zstd decompression of the zstd-stream frames, (c) nlohmann DOM parse converted
// into gatewire's structs, (d) gatewire's typed decode, (e) the whole pipeline: inflate, peek the
// envelope, decode, dispatch to a no-op handler. Ratios d/c and e/a, peak RSS.
// Also gatewire's own inflate of the same frames alone, to show where (e)'s
// inflate stage stands against (a).
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gatewire/detail/envelope.hpp"
#include "gatewire/detail/message_decoder.hpp"
#include "gatewire/detail/zstd_stream_encoder.hpp"
#include "gatewire/dispatch/decode.hpp"
#include "gatewire/dispatch/dispatcher.hpp"
#include "nlohmann_baseline.hpp"
#include "peers.hpp"
#ifdef GATEWIRE_BENCH_WITH_REDIS
#include "fan_out.hpp"
#endif
#include "read_file.hpp"
#include "shards.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

struct Message {
    gatewire::EventType type;
    std::string envelope;  // the whole text on the wire
    std::string data;      // its `d`
};

struct Workload {
    std::string name;
    std::vector<Message> messages;
    std::size_t bytes = 0;  // sum of envelope sizes: every rate is in these bytes
    std::vector<std::vector<std::uint8_t>> zlib_frames;
    std::vector<std::vector<std::uint8_t>> zstd_frames;
};

void add(Workload& w, gatewire::EventType type, const std::string& data, std::uint64_t seq) {
    std::string envelope = R"({"op":0,"s":)" + std::to_string(seq) + R"(,"t":")" +
                           std::string(gatewire::to_string(type)) + R"(","d":)" + data + "}";
    w.bytes += envelope.size();
    w.messages.push_back({type, std::move(envelope), data});
}

void compress(Workload& w) {
    z_stream z{};
    deflateInit(&z, Z_DEFAULT_COMPRESSION);
    gatewire::ZstdStreamEncoder zstd;
    for (const auto& m : w.messages) {
        std::vector<std::uint8_t> out(deflateBound(&z, m.envelope.size()) + 64);
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m.envelope.data()));
        z.avail_in = static_cast<uInt>(m.envelope.size());
        z.next_out = out.data();
        z.avail_out = static_cast<uInt>(out.size());
        deflate(&z, Z_SYNC_FLUSH);  // ends with 00 00 FF FF, as Discord sends it
        out.resize(out.size() - z.avail_out);
        w.zlib_frames.push_back(std::move(out));
        std::string frame = zstd.encode(m.envelope);
        w.zstd_frames.emplace_back(frame.begin(), frame.end());
    }
    deflateEnd(&z);
}

Workload guild_create(const fs::path& fixtures) {
    Workload w{"guild_create_1.json (2.8 MB GUILD_CREATE)", {}, 0, {}, {}};
    add(w, gatewire::EventType::guild_create,
        gatewire::bench::read_file(fixtures / "discord/serenity/guild_create_1.json"), 1);
    compress(w);
    return w;
}

Workload small_events(const fs::path& fixtures) {
    Workload w{"every small fixture event", {}, 0, {}, {}};
    std::uint64_t seq = 1;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fixtures / "discord/serenity")) {
        files.push_back(e.path());
    }
    for (const auto& e : fs::directory_iterator(fixtures / "discord/disgord-session")) {
        files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        if (path.filename() == "guild_create_1.json" || path.extension() != ".json") {
            continue;
        }
        json doc = json::parse(gatewire::bench::read_file(path), nullptr, false);
        if (doc.is_object() && doc.contains("op") && doc.contains("t")) {
            if (doc["op"] != 0) {
                continue;
            }
            if (auto type = gatewire::event_type_from_name(doc["t"].get<std::string>())) {
                add(w, *type, doc["d"].dump(), seq++);
            }
            continue;
        }
        std::string stem = path.stem().string();
        std::string name;
        for (char c : stem.substr(0, stem.find_last_of('_'))) {
            name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (auto type = gatewire::event_type_from_name(name)) {
            add(w, *type, doc.dump(), seq++);
        }
    }
    compress(w);
    return w;
}

struct Rate {
    double mb_per_s = 0;
    double events_per_s = 0;
};

// A shared machine slows whole stretches of a run down. Each measurement gets
// slots spread over several rounds, taking turns with the others, and keeps its
// median slot: a slow stretch then falls on every measurement alike, and the
// ratios stay meaningful.
class Rounds {
  public:
    Rounds(const Workload& w, double min_time) : w_(w), min_time_(min_time) {}

    std::size_t add(std::function<void()> pass) {
        passes_.push_back(std::move(pass));
        return passes_.size() - 1;
    }

    std::vector<Rate> run() {
        constexpr int rounds = 7;
        std::vector<std::vector<double>> seconds_per_pass(passes_.size());
        std::vector<std::size_t> per_slot(passes_.size(), 1);
        for (std::size_t i = 0; i < passes_.size(); ++i) {
            // Warm up (caches, parser capacity) and size the slot.
            double once = time(passes_[i], 1);
            per_slot[i] = std::max<std::size_t>(
                1, static_cast<std::size_t>(min_time_ / rounds / std::max(once, 1e-9)));
        }
        for (int r = 0; r < rounds; ++r) {
            for (std::size_t i = 0; i < passes_.size(); ++i) {
                seconds_per_pass[i].push_back(time(passes_[i], per_slot[i]) /
                                              static_cast<double>(per_slot[i]));
            }
        }
        std::vector<Rate> rates;
        for (auto& samples : seconds_per_pass) {
            std::sort(samples.begin(), samples.end());
            double pass = samples[samples.size() / 2];
            rates.push_back({static_cast<double>(w_.bytes) / 1e6 / pass,
                             static_cast<double>(w_.messages.size()) / pass});
        }
        return rates;
    }

  private:
    static double time(const std::function<void()>& pass, std::size_t times) {
        auto start = Clock::now();
        for (std::size_t i = 0; i < times; ++i) {
            pass();
        }
        return std::chrono::duration<double>(Clock::now() - start).count();
    }

    const Workload& w_;
    double min_time_;
    std::vector<std::function<void()>> passes_;
};

void decompress_all(gatewire::Compression compression,
                    const std::vector<std::vector<std::uint8_t>>& frames,
                    const std::function<void(std::string&)>& each) {
    gatewire::MessageDecoder decoder(compression, 64u << 20);
    for (const auto& frame : frames) {
        auto status = decoder.feed(frame, true);
        while (status == gatewire::DecodeStatus::complete) {
            each(decoder.message());
            if (!decoder.has_pending()) {
                break;
            }
            status = decoder.feed({}, false);
        }
        if (status == gatewire::DecodeStatus::corrupt) {
            throw std::runtime_error("benchmark stream is corrupt");
        }
    }
}

// Decodes one message's `d` into its struct, by runtime type.
template <class Decoder>
void decode_by_type(gatewire::EventType type, Decoder&& decoder) {
    switch (type) {
#define GATEWIRE_X(id, wire, Struct, from) \
    case gatewire::EventType::id: {        \
        gatewire::events::Struct event;    \
        decoder(event);                    \
        break;                             \
    }
        GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X
    }
}

gatewire::RawEvent raw_event(std::string message) {
    gatewire::Envelope envelope;
    if (gatewire::peek_envelope(message, envelope)) {
        throw std::runtime_error("benchmark message is not an envelope");
    }
    gatewire::RawEvent raw;
    raw.seq = envelope.seq.value_or(0);
    raw.name.assign(envelope.type.begin(), envelope.type.end());
    raw.data_offset = static_cast<std::size_t>(envelope.data.data() - message.data());
    raw.data_size = envelope.data.size();
    raw.message = std::move(message);
    return raw;
}

// The floor no client can go below: plain zlib inflate of every frame into
// one reused buffer, one inflate context for the stream.
std::size_t raw_inflate(const Workload& w, std::vector<char>& out) {
    z_stream z{};
    inflateInit(&z);
    std::size_t total = 0;
    for (const auto& frame : w.zlib_frames) {
        z.next_in = const_cast<Bytef*>(frame.data());
        z.avail_in = static_cast<uInt>(frame.size());
        while (z.avail_in > 0) {
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            if (inflate(&z, Z_SYNC_FLUSH) < 0) {
                throw std::runtime_error("inflate failed");
            }
            total += out.size() - z.avail_out;
        }
    }
    inflateEnd(&z);
    return total;
}

// The same for zstd: one decompression context, one reused buffer.
std::size_t raw_zstd(const Workload& w, std::vector<char>& out) {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    std::size_t total = 0;
    for (const auto& frame : w.zstd_frames) {
        ZSTD_inBuffer in{frame.data(), frame.size(), 0};
        while (in.pos < in.size) {
            ZSTD_outBuffer o{out.data(), out.size(), 0};
            if (ZSTD_isError(ZSTD_decompressStream(dctx, &o, &in))) {
                ZSTD_freeDCtx(dctx);
                throw std::runtime_error("zstd failed");
            }
            total += o.pos;
        }
    }
    ZSTD_freeDCtx(dctx);
    return total;
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

long minor_faults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

// What the kernel charges to hand a page back to the process after the
// allocator returned it: touch fresh pages and time it.
double page_fault_us() {
    constexpr std::size_t bytes = 64u << 20;
    void* area = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        return 0;
    }
    long before = minor_faults();
    auto start = Clock::now();
    for (std::size_t at = 0; at < bytes; at += 4096) {
        static_cast<volatile char*>(area)[at] = 1;
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    long faults = minor_faults() - before;
    munmap(area, bytes);
    return faults > 0 ? seconds * 1e6 / static_cast<double>(faults) : 0;
}

// Dispatches every event of the workload's zlib stream to a no-op handler per type.
class Pipeline {
  public:
    Pipeline() {
#define GATEWIRE_X(id, wire, Struct, from) \
    dispatcher_.on<gatewire::events::Struct>([this](const auto&) { ++handled_; });
        GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X
    }
    void pass(const Workload& w) {
        decompress_all(gatewire::Compression::zlib_stream, w.zlib_frames,
                       [&](std::string& m) { dispatcher_.dispatch(raw_event(std::move(m))); });
    }
    std::size_t handled() const {
        return handled_;
    }

  private:
    gatewire::Dispatcher dispatcher_;
    std::size_t handled_ = 0;
};

// glibc hands freed memory back to the kernel as soon as the top of its heap
// is large and free, so a pass that frees a big event's structs pays for
// faulting them in again on the next. The figures with that policy, before
// the allocator is told to keep what it frees.
struct AllocatorDefault {
    Rate inflate, pipeline;
    double faults_per_pass = 0;
};

AllocatorDefault run_with_default_allocator(const Workload& w, double min_time) {
    Rounds rounds(w, min_time);
    std::vector<char> scratch(256 * 1024);
    std::size_t sink = 0;
    Pipeline pipeline;
    long faults = 0, passes = 0;
    rounds.add([&] { sink += raw_inflate(w, scratch); });
    rounds.add([&] {
        long before = minor_faults();
        pipeline.pass(w);
        faults += minor_faults() - before;
        ++passes;
    });
    auto rates = rounds.run();
    if (sink == 0 || pipeline.handled() == 0) {
        throw std::runtime_error("the pipeline delivered nothing");
    }
    return {rates[0], rates[1], static_cast<double>(faults) / static_cast<double>(passes)};
}

struct Result {
    std::string name;
    Rate inflate, zstd, nlohmann, typed, pipeline, gatewire_inflate;
    AllocatorDefault allocator_default;
};

Result run(const Workload& w, double min_time) {
    Rounds rounds(w, min_time);
    std::size_t sink = 0;
    std::vector<char> scratch(256 * 1024);
    rounds.add([&] { sink += raw_inflate(w, scratch); });
    rounds.add([&] { sink += raw_zstd(w, scratch); });
    rounds.add([&] {
        for (const auto& m : w.messages) {
            decode_by_type(m.type,
                           [&](auto& event) { gatewire::bench::nlohmann_decode(m.data, event); });
        }
    });
    // Typed decode on events as the shard hands them over (padded, in place).
    std::vector<gatewire::RawEvent> raws;
    for (const auto& m : w.messages) {
        std::string copy;
        copy.reserve(m.envelope.size() + gatewire::message_padding);
        copy.append(m.envelope);
        raws.push_back(raw_event(std::move(copy)));
    }
    rounds.add([&] {
        for (std::size_t i = 0; i < raws.size(); ++i) {
            decode_by_type(w.messages[i].type, [&](auto& event) {
                if (!gatewire::decode(raws[i], event)) {
                    throw std::runtime_error("a benchmark payload failed to decode");
                }
            });
        }
    });
    Pipeline pipeline;
    rounds.add([&] { pipeline.pass(w); });
    rounds.add([&] {
        decompress_all(gatewire::Compression::zlib_stream, w.zlib_frames,
                       [&](std::string& m) { sink += m.size(); });
    });
    auto rates = rounds.run();
    if (pipeline.handled() == 0 || sink == 0) {
        throw std::runtime_error("the pipeline delivered nothing");
    }
    return {w.name, rates[0], rates[1], rates[2], rates[3], rates[4], rates[5], {}};
}

void print(const Result& r) {
    auto line = [](const char* label, const Rate& rate) {
        std::printf("  %-44s %9.1f MB/s %12.0f events/s\n", label, rate.mb_per_s,
                    rate.events_per_s);
    };
    std::printf("%s\n", r.name.c_str());
    line("(a) zlib-stream inflate", r.inflate);
    line("(b) zstd-stream decompress", r.zstd);
    line("(c) nlohmann DOM parse + convert to structs", r.nlohmann);
    line("(d) gatewire typed decode", r.typed);
    line("(e) pipeline: inflate, peek, decode, dispatch", r.pipeline);
    line("    (e)'s inflate stage alone (gatewire's)", r.gatewire_inflate);
    std::printf("  d/c typed vs nlohmann  %.2fx   (target >= 8)\n",
                r.typed.mb_per_s / r.nlohmann.mb_per_s);
    std::printf("  e/a pipeline vs inflate %.2f   (target >= 0.5)\n",
                r.pipeline.mb_per_s / r.inflate.mb_per_s);
    const auto& d = r.allocator_default;
    std::printf(
        "  with glibc's default trimming: (a) %.1f MB/s, (e) %.1f MB/s, e/a %.2f;\n"
        "    %.0f page faults a pass\n\n",
        d.inflate.mb_per_s, d.pipeline.mb_per_s, d.pipeline.mb_per_s / d.inflate.mb_per_s,
        d.faults_per_pass);
}

json to_json(const Result& r) {
    auto rate = [](const Rate& x) {
        return json{{"mb_per_s", x.mb_per_s}, {"events_per_s", x.events_per_s}};
    };
    return {{"inflate", rate(r.inflate)},
            {"zstd", rate(r.zstd)},
            {"nlohmann", rate(r.nlohmann)},
            {"typed", rate(r.typed)},
            {"pipeline", rate(r.pipeline)},
            {"gatewire_inflate", rate(r.gatewire_inflate)},
            {"typed_vs_nlohmann", r.typed.mb_per_s / r.nlohmann.mb_per_s},
            {"pipeline_vs_inflate", r.pipeline.mb_per_s / r.inflate.mb_per_s},
            {"default_allocator",
             {{"inflate", rate(r.allocator_default.inflate)},
              {"pipeline", rate(r.allocator_default.pipeline)},
              {"pipeline_vs_inflate",
               r.allocator_default.pipeline.mb_per_s / r.allocator_default.inflate.mb_per_s},
              {"page_faults_per_pass", r.allocator_default.faults_per_pass}}}};
}

int usage() {
    std::cerr << "usage: gatewire-bench decode [--fixtures DIR] [--json] [--min-time SECONDS]\n"
                 "       gatewire-bench shards [--count N] [--max-concurrency N] "
                 "[--spacing-ms N] [--idle-ms N] [--json]\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "shards") {
        return gatewire::bench::run_shards(argc, argv);
    }
#ifdef GATEWIRE_BENCH_WITH_REDIS
    if (argc >= 2 && std::string(argv[1]) == "fanout") {
        return gatewire::bench::run_fan_out(argc, argv);
    }
#endif
    if (argc >= 2 && std::string(argv[1]) == "peers") {
        return gatewire::bench::run_peers(argc, argv);
    }
    if (argc >= 2 && std::string(argv[1]) == "peer-client") {
        return gatewire::bench::run_peer_client(argc, argv);
    }
    if (argc < 2 || std::string(argv[1]) != "decode") {
        return usage();
    }
    fs::path fixtures = std::getenv("GATEWIRE_FIXTURES") ? std::getenv("GATEWIRE_FIXTURES")
                                                         : GATEWIRE_DEFAULT_FIXTURES;
    bool as_json = false;
    double min_time = 1.0;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--fixtures" && i + 1 < argc) {
            fixtures = argv[++i];
        } else if (arg == "--json") {
            as_json = true;
        } else if (arg == "--min-time" && i + 1 < argc) {
            min_time = std::atof(argv[++i]);
        } else {
            return usage();
        }
    }
    try {
        Workload big = guild_create(fixtures);
        Workload small = small_events(fixtures);
        std::printf(
            "gatewire-bench decode: %zu bytes GUILD_CREATE; %zu small events, %zu bytes\n\n",
            big.bytes, small.messages.size(), small.bytes);
        double fault_us = page_fault_us();
        AllocatorDefault big_default = run_with_default_allocator(big, min_time / 2);
        AllocatorDefault small_default = run_with_default_allocator(small, min_time / 2);
        // From here on freed memory stays in the process, as in a bot whose heap
        // has settled (and by default with jemalloc or tcmalloc): every figure
        // below then measures work, not the kernel refilling pages.
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        Result rb = run(big, min_time);
        rb.allocator_default = big_default;
        print(rb);
        Result rs = run(small, min_time);
        rs.allocator_default = small_default;
        print(rs);
        long rss = peak_rss_kib();
        std::printf("peak RSS %ld KiB; a page fault costs %.2f us here\n", rss, fault_us);
        if (as_json) {
            double typed_vs_nlohmann = std::min(rb.typed.mb_per_s / rb.nlohmann.mb_per_s,
                                                rs.typed.mb_per_s / rs.nlohmann.mb_per_s);
            double pipeline_vs_inflate = std::min(rb.pipeline.mb_per_s / rb.inflate.mb_per_s,
                                                  rs.pipeline.mb_per_s / rs.inflate.mb_per_s);
            json out = {{"benchmark", "decode"},
                        {"guild_create", to_json(rb)},
                        {"small_events", to_json(rs)},
                        {"typed_vs_nlohmann", typed_vs_nlohmann},  // the lower of the two workloads
                        {"pipeline_vs_inflate", pipeline_vs_inflate},
                        {"peak_rss_kib", rss},
                        {"page_fault_us", fault_us}};
            std::cout << out.dump() << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << "gatewire-bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
