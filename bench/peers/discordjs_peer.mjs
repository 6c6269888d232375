// The @discordjs/ws client of `gatewire-bench peers`: a WebSocketManager with
// zlib-sync (or no compression) against the benchmark's stream server,
// counting events in its dispatch handler. Prints one JSON line: CPU (user +
// sys), wall, peak RSS and context switches from connecting to the last event, and
// in latency mode the monotonic arrival time of each event.
//
// Usage: node discordjs_peer.mjs URL EVENTS small|guild zlib-stream|none [latency]
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from "@discordjs/ws";

const [url, eventsArg, kind, compression, mode] = process.argv.slice(2);
const events = Number(eventsArg);
const latency = mode === "latency";
const wanted = kind === "guild" ? "GUILD_CREATE" : "MESSAGE_CREATE";

// What GET /gateway/bot would answer; the stream server speaks only the gateway.
const rest = {
    get: async () => ({
        url,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 },
    }),
};
const manager = new WebSocketManager({
    token: "bench-token",
    intents: 1 | (1 << 9),
    rest,
    compression: compression === "zlib-stream" ? CompressionMethod.ZlibSync : null,
});

function snapshot() {
    const cpu = process.cpuUsage();
    const usage = process.resourceUsage();
    return {
        cpu_s: (cpu.user + cpu.system) / 1e6,
        switches: usage.voluntaryContextSwitches + usage.involuntaryContextSwitches,
        wall: process.hrtime.bigint(),
    };
}

let seen = 0;
const arrivals = [];
const timer = setTimeout(() => {
    console.error(`timeout after ${seen} of ${events} events`);
    process.exit(1);
}, 300_000);

manager.on(WebSocketShardEvents.Dispatch, (payload) => {
    const arrived = latency ? process.hrtime.bigint() : 0n;
    const event = payload.t ?? payload.data?.t;
    if (event === wanted) {
        if (latency) {
            arrivals.push(arrived.toString());
        }
        if (++seen === events) {
            const end = snapshot();
            clearTimeout(timer);
            const out = {
                cpu_s: end.cpu_s - start.cpu_s,
                wall_s: Number(end.wall - start.wall) / 1e9,
                rss_kib: process.resourceUsage().maxRSS,
                switches: end.switches - start.switches,
            };
            const line = JSON.stringify(out);
            process.stdout.write(
                latency ? `${line.slice(0, -1)},"arrivals_ns":[${arrivals.join(",")}]}\n` : `${line}\n`,
                () => process.exit(0),
            );
        }
    }
});
manager.on(WebSocketShardEvents.Error, (error) => console.error(`error: ${error?.error ?? error}`));

// Connecting, Hello, Identify and READY count too, as for gatewire: a READY
// event may reach this handler only after later frames were already taken in.
const start = snapshot();
await manager.connect();
