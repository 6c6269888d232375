"""A discord.py bot (Debian's python3-discord) against gatewire-sim.

Usage: discord_py_bot.py GATEWAY_URL MESSAGES
discord.py's REST base and its gateway URL are pointed at the simulator
(ws://127.0.0.1:PORT): its login asks /users/@me and /oauth2/applications/@me
there, and it connects with zlib-stream, resuming on READY's
resume_gateway_url. Prints READY, RESUMED and MESSAGE n as they come, and exits 0 once every
message of the demo scenario (MESSAGES + 10, five of them sent while it was
away after op 7) has come exactly once.
"""
import asyncio
import sys

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

gateway, messages = sys.argv[1], int(sys.argv[2])
Route.BASE = gateway.replace("ws://", "http://") + "/api/v10"
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway + "/")
expected = messages + 10

intents = discord.Intents.default()
intents.message_content = True


class Bot(discord.Client):
    def __init__(self):
        # on_ready waits for the guilds to settle; READY itself is what is checked.
        super().__init__(intents=intents, enable_debug_events=True)
        self.seen = []

    async def on_connect(self):
        print("CONNECT", flush=True)

    async def on_socket_event_type(self, event_type):
        if event_type in ("READY", "RESUMED"):
            print(f"DISPATCH {event_type}", flush=True)

    async def on_resumed(self):
        print("RESUMED", flush=True)

    async def on_message(self, message):
        number = int(message.content.rsplit(" ", 1)[1])
        self.seen.append(number)
        print(f"MESSAGE {number}", flush=True)
        if len(self.seen) >= expected:
            await self.close()


async def main():
    bot = Bot()
    try:
        await asyncio.wait_for(bot.start("sim-token", reconnect=True), timeout=90)
    except asyncio.TimeoutError:
        print(f"TIMEOUT after {len(bot.seen)} messages", flush=True)
        sys.exit(1)
    if sorted(bot.seen) != list(range(1, expected + 1)):
        print(f"WRONG messages: {bot.seen}", flush=True)
        sys.exit(1)
    print(f"DONE {len(bot.seen)} messages, each once", flush=True)


asyncio.run(main())
