// An @discordjs/ws WebSocketManager against gatewire-sim, with zlib-stream
// (node's own zlib: CompressionMethod.ZlibNative).
//
// Usage: node discordjs_ws.mjs GATEWAY_URL MESSAGES
// Its REST base is the simulator's (GET /gateway/bot); prints READY, RESUMED
// and exits 0 once every message of the demo scenario (MESSAGES + 10, five
// sent while it was away after op 7) has come exactly once.
import { REST } from "@discordjs/rest";
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from "@discordjs/ws";

const [gateway, messagesArg] = process.argv.slice(2);
const expected = Number(messagesArg) + 10;
const rest = new REST({ api: gateway.replace("ws://", "http://") + "/api", version: "10" });
rest.setToken("sim-token");
const manager = new WebSocketManager({
    token: "sim-token",
    intents: 1 | (1 << 9) | (1 << 15), // guilds, guild_messages, message_content
    rest,
    compression: CompressionMethod.ZlibNative,
});

const seen = [];
const timer = setTimeout(() => {
    console.log(`TIMEOUT after ${seen.length} messages`);
    process.exit(1);
}, 90_000);

manager.on(WebSocketShardEvents.Dispatch, (payload) => {
    const event = payload.t ?? payload.data?.t;
    const data = payload.d ?? payload.data?.d;
    if (event === "READY" || event === "RESUMED") {
        console.log(`DISPATCH ${event}`);
    } else if (event === "MESSAGE_CREATE") {
        seen.push(Number(data.content.split(" ").pop()));
        if (seen.length >= expected) {
            clearTimeout(timer);
            const sorted = [...seen].sort((a, b) => a - b);
            const ok = sorted.every((n, i) => n === i + 1);
            console.log(ok ? `DONE ${seen.length} messages, each once` : `WRONG ${seen}`);
            manager.destroy().finally(() => process.exit(ok ? 0 : 1));
        }
    }
});
manager.on(WebSocketShardEvents.Resumed, () => console.log("RESUMED"));
manager.on(WebSocketShardEvents.Error, (error) => console.log(`ERROR ${error?.error ?? error}`));

await manager.connect();
