// The envelope and every event type. The input is read as a whole envelope,
// and as the `d` of the event type its first byte names. Whatever decodes
// must encode to JSON that decodes to the same JSON again.
#include "fuzz_check.hpp"
#include "gatewire/detail/decode_status.hpp"
#include "gatewire/detail/envelope.hpp"
#include "gatewire/dispatch/decode.hpp"
#include "gatewire/events/event_type.hpp"

using namespace gatewire;
using namespace gatewire::fuzz;

namespace {

void round_trip(EventType type, std::string_view d, bool strict) {
    std::string once;
    DecodeError error;
    std::vector<DecodeError> warnings;
    if (!decode_to_json(type, d, once, &error, {strict}, &warnings)) {
        FUZZ_CHECK(!error.message.empty());
        return;
    }
    std::string twice;
    std::vector<DecodeError> again;
    FUZZ_CHECK(decode_to_json(type, once, twice, &error, {strict}, &again));
    FUZZ_CHECK(again.empty());  // what gatewire writes, it reads without loss
    FUZZ_CHECK(twice == once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string message(reinterpret_cast<const char*>(data), size);
    message.reserve(size + message_padding);
    Envelope envelope;
    if (!peek_envelope(message, envelope) && !envelope.type.empty()) {
        if (auto type = event_type_from_name(envelope.type)) {
            round_trip(*type, envelope.data, false);
        }
    }
    if (size > 0) {
        auto type = static_cast<EventType>(data[0] % event_type_count);
        bool strict = data[0] / event_type_count % 2 == 1;
        round_trip(type, {message.data() + 1, size - 1}, strict);
        // The fixtures start with '{': read them whole too.
        round_trip(type, message, strict);
    }
    return 0;
}
