// A program of a gatewire user: built against an installed gatewire (CMake
// package or pkg-config) or a source tree, it decodes an event and routes it
// through the typed dispatcher.
#include <gatewire/gatewire.hpp>

#include <cstdio>
#include <string>

int main() {
    std::string payload =
        R"({"id":"1234567890123456789","channel_id":"42","content":"hello",)"
        R"("author":{"id":"7","username":"someone"},"timestamp":"2026-11-23T10:00:00+00:00"})";
    gatewire::events::MessageCreate message;
    gatewire::DecodeError error;
    if (!gatewire::decode(payload, message, &error)) {
        std::fprintf(stderr, "decode failed: %s\n", error.to_string().c_str());
        return 1;
    }
    int delivered = 0;
    gatewire::Dispatcher dispatcher;
    auto subscription = dispatcher.on<gatewire::events::MessageCreate>(
        [&](const gatewire::events::MessageCreate& m) { delivered += m.content == "hello"; });
    gatewire::RawEvent raw;
    raw.name = "MESSAGE_CREATE";
    raw.message = R"({"op":0,"s":1,"t":"MESSAGE_CREATE","d":)" + payload + "}";
    raw.data_offset = raw.message.find("\"d\":") + 4;
    raw.data_size = payload.size();
    dispatcher.dispatch(raw);
    if (message.id.value != 1234567890123456789u || delivered != 1) {
        std::fprintf(stderr, "unexpected result\n");
        return 1;
    }
    std::printf("gatewire consumer: decoded message %s and delivered it\n",
                message.id.to_string().c_str());
    return 0;
}
