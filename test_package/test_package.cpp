// Decodes one event through the packaged library: headers, library and its
// dependencies all found.
#include <gatewire/dispatch/decode.hpp>
#include <gatewire/events/all.hpp>

#include <cstdio>

int main() {
    gatewire::events::TypingStart typing;
    gatewire::DecodeError error;
    if (!gatewire::decode(R"({"channel_id":"1234567890123456789","user_id":"7","timestamp":1})",
                          typing, &error)) {
        std::fprintf(stderr, "%s\n", error.to_string().c_str());
        return 1;
    }
    std::printf("gatewire test_package: channel %s\n", typing.channel_id.to_string().c_str());
    return typing.channel_id.value == 1234567890123456789u ? 0 : 1;
}
