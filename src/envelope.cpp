#include "gatewire/envelope.hpp"

#include <simdjson.h>

#include "gatewire/decode_status.hpp"
#include "gatewire/error.hpp"

namespace gatewire {
namespace {

static_assert(message_padding >= simdjson::SIMDJSON_PADDING);

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                             text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// One parser per thread: shards on one I/O thread share its buffers.
simdjson::ondemand::parser& thread_parser() {
    thread_local simdjson::ondemand::parser parser;
    return parser;
}

}  // namespace

std::error_code peek_envelope(const std::string& message, Envelope& out) {
    out = Envelope{};
    if (message.capacity() < message.size() + simdjson::SIMDJSON_PADDING) {
        return errc::invalid_payload;
    }
    simdjson::padded_string_view input(message.data(), message.size(), message.capacity());
    simdjson::ondemand::document doc;
    if (thread_parser().iterate(input).get(doc)) {
        return errc::invalid_payload;
    }
    simdjson::ondemand::object object;
    if (doc.get_object().get(object)) {
        return errc::invalid_payload;
    }
    bool has_op = false;
    for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key)) {
            return errc::invalid_payload;
        }
        simdjson::ondemand::value value;
        if (field.value().get(value)) {
            return errc::invalid_payload;
        }
        if (key == "op") {
            int64_t op;
            if (value.get_int64().get(op)) {
                return errc::invalid_payload;
            }
            out.op = static_cast<int>(op);
            has_op = true;
        } else if (key == "s") {
            bool null = false;
            if (value.is_null().get(null)) {
                return errc::invalid_payload;
            }
            if (!null) {
                uint64_t seq;
                if (value.get_uint64().get(seq)) {
                    return errc::invalid_payload;
                }
                out.seq = seq;
            }
        } else if (key == "t") {
            bool null = false;
            if (value.is_null().get(null)) {
                return errc::invalid_payload;
            }
            if (!null) {
                std::string_view token = trim(value.raw_json_token());
                // Event names are plain upper-case words: no escapes to undo.
                if (token.size() < 2 || token.front() != '"' || token.back() != '"' ||
                    token.find('\\') != std::string_view::npos) {
                    return errc::invalid_payload;
                }
                out.type = token.substr(1, token.size() - 2);
            }
        } else if (key == "d") {
            simdjson::ondemand::json_type type;
            if (value.type().get(type)) {
                return errc::invalid_payload;
            }
            std::string_view raw;
            simdjson::error_code error = simdjson::SUCCESS;
            if (type == simdjson::ondemand::json_type::object) {
                simdjson::ondemand::object d;
                error = value.get_object().get(d);
                if (!error) {
                    error = d.raw_json().get(raw);
                }
            } else if (type == simdjson::ondemand::json_type::array) {
                simdjson::ondemand::array d;
                error = value.get_array().get(d);
                if (!error) {
                    error = d.raw_json().get(raw);
                }
            } else {
                raw = trim(value.raw_json_token());
            }
            if (error) {
                return errc::invalid_payload;
            }
            out.data = raw;
        }
    }
    if (!has_op) {
        return errc::invalid_payload;
    }
    return {};
}

}  // namespace gatewire
