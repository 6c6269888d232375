// The decoders and encoders of every event, instantiated once here.
#include "gatewire/dispatch/decode.hpp"

#include <algorithm>
#include <string>

#include "dispatch/json_reader.hpp"
#include "dispatch/json_writer.hpp"

namespace gatewire {

namespace {

// One parser per thread for every event type: a thread decoding a mixed
// stream keeps one set of parse buffers, sized to its largest payload, not one
// set per event type it has seen.
simdjson::dom::parser& thread_parser() {
    thread_local simdjson::dom::parser parser;
    return parser;
}

// Where a payload without simdjson's padding is copied to be parsed: one per
// thread, for the same reason.
std::string& thread_padding_buffer() {
    thread_local std::string buffer;
    return buffer;
}

template <class E>
bool decode_buffer(const char* data, std::size_t size, E& out, DecodeError* error,
                   const DecodeOptions& options, std::vector<DecodeError>* warnings,
                   std::uint64_t seq) {
    simdjson::dom::parser& parser = thread_parser();
    detail::ReadContext context;
    context.strict = options.strict;
    if (options.max_expansion != 0) {
        context.budget = std::max(options.min_budget_bytes, options.max_expansion * size);
    }
    auto run = [&]() -> bool {
        simdjson::dom::element root;
        // The caller guarantees the padding: parse in place, no copy.
        if (auto e = parser.parse(data, size, false).get(root)) {
            return context.fail(e);
        }
        if (root.is_null()) {
            return true;  // RESUMED and friends: nothing to decode
        }
        if (!root.is_object() && !root.is_array()) {
            return context.fail("expected an object or an array as the payload");
        }
        if constexpr (requires { E::whole_payload; }) {
            using First = boost::mp11::mp_front<detail::members_of<E>>;
            return detail::read(root, out.*First::pointer, context);
        } else {
            return detail::read(root, out, context);
        }
    };
    if (run()) {
        if (warnings != nullptr) {
            for (auto& w : context.warnings) {
                warnings->push_back(DecodeError{std::string(event_traits<E>::name), seq,
                                                detail::join_path(w.path), std::move(w.message),
                                                true});
            }
        }
        return true;
    }
    if (error != nullptr) {
        error->event = std::string(event_traits<E>::name);
        error->seq = seq;
        error->path = detail::join_path(context.path);
        error->message = std::move(context.message);
        error->warning = false;
    }
    return false;
}

}  // namespace

template <class E>
bool decode_copy(std::string_view d_json, E& out, DecodeError* error, const DecodeOptions& options,
                 std::vector<DecodeError>* warnings, std::uint64_t seq) {
    std::string& padded = thread_padding_buffer();
    padded.reserve(d_json.size() + simdjson::SIMDJSON_PADDING);
    padded.assign(d_json.data(), d_json.size());
    return decode_buffer(padded.data(), padded.size(), out, error, options, warnings, seq);
}

template <Event E>
bool decode(std::string_view d_json, E& out, DecodeError* error, const DecodeOptions& options,
            std::vector<DecodeError>* warnings) {
    return decode_copy(d_json, out, error, options, warnings, 0);
}

template <Event E>
bool decode(const RawEvent& event, E& out, DecodeError* error, const DecodeOptions& options,
            std::vector<DecodeError>* warnings) {
    std::size_t room = event.message.capacity() - event.data_offset;
    return room >= event.data_size + simdjson::SIMDJSON_PADDING
               ? decode_buffer(event.message.data() + event.data_offset, event.data_size, out,
                               error, options, warnings, event.seq)
               : decode_copy(event.data(), out, error, options, warnings, event.seq);
}

template <Event E>
std::string encode_json(const E& event) {
    if constexpr (requires { E::whole_payload; }) {
        using First = boost::mp11::mp_front<detail::members_of<E>>;
        return detail::write(event.*First::pointer).dump();
    } else {
        return detail::write(event).dump();
    }
}

#define GATEWIRE_X(id, wire, Struct, from)                                                 \
    template bool decode<events::Struct>(std::string_view, events::Struct&, DecodeError*,  \
                                         const DecodeOptions&, std::vector<DecodeError>*); \
    template bool decode<events::Struct>(const RawEvent&, events::Struct&, DecodeError*,   \
                                         const DecodeOptions&, std::vector<DecodeError>*); \
    template std::string encode_json<events::Struct>(const events::Struct&);
GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X

bool decode_to_json(EventType type, std::string_view d_json, std::string& out, DecodeError* error,
                    const DecodeOptions& options, std::vector<DecodeError>* warnings) {
    switch (type) {
#define GATEWIRE_X(id, wire, Struct, from)                      \
    case EventType::id: {                                       \
        events::Struct event;                                   \
        if (!decode(d_json, event, error, options, warnings)) { \
            return false;                                       \
        }                                                       \
        out = encode_json(event);                               \
        return true;                                            \
    }
        GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X
    }
    return false;
}

std::string DecodeError::to_string() const {
    std::string text = event.empty() ? std::string("payload") : event;
    if (seq != 0) {
        text += " (seq " + std::to_string(seq) + ")";
    }
    if (!path.empty()) {
        text += " at " + path;
    }
    return text + ": " + message + (warning ? " (left empty; the event was delivered)" : "");
}

}  // namespace gatewire
