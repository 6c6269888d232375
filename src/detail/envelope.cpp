#include "gatewire/detail/envelope.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include <simdjson.h>

#include "gatewire/core/error.hpp"
#include "gatewire/detail/decode_status.hpp"

namespace gatewire {
namespace {

static_assert(message_padding >= simdjson::SIMDJSON_PADDING);

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// One parser per thread: shards on one I/O thread share its buffers.
simdjson::ondemand::parser& thread_parser() {
    thread_local simdjson::ondemand::parser parser;
    return parser;
}

// The layout both gateways send: `op`, `s` and `t` as plain scalars, in any
// order, then `d` last, with no space anywhere. It is read from its ends, the
// head and the closing brace, so a payload is never scanned twice (the
// decoder parses `d` anyway). Whatever else it meets (spaces, escapes, other
// keys, `d` before the others) makes it give up, and the full parser reads
// the envelope instead. Should a server add a key after `d`, the payload's
// parse reports the surplus as a decode error.
bool read_compact(std::string_view text, Envelope& out) {
    const char* at = text.data();
    const char* end = at + text.size();
    auto read_digits = [&](std::uint64_t& value) {
        const char* start = at;
        value = 0;
        while (at < end && static_cast<unsigned char>(*at - '0') <= 9 && at - start < 19) {
            value = value * 10 + static_cast<std::uint64_t>(*at - '0');
            ++at;
        }
        // No digit, a leading zero or too many digits: not the common case.
        return at > start && (at - start == 1 || *start != '0') &&
               (at == end || static_cast<unsigned char>(*at - '0') > 9);
    };
    auto is_null = [&] {
        return end - at >= 4 && at[0] == 'n' && at[1] == 'u' && at[2] == 'l' && at[3] == 'l';
    };
    if (text.size() < 2 || *at != '{' || end[-1] != '}') {
        return false;
    }
    ++at;
    unsigned seen = 0;  // 1: op, 2: s, 4: t
    while (end - at >= 4 && at[0] == '"') {
        unsigned key;
        if (at[2] == '"' && at[3] == ':') {
            key = at[1] == 's' ? 2u : at[1] == 't' ? 4u : at[1] == 'd' ? 8u : 0u;
            at += 4;
        } else if (end - at >= 5 && at[1] == 'o' && at[2] == 'p' && at[3] == '"' && at[4] == ':') {
            key = 1;
            at += 5;
        } else {
            return false;
        }
        if (key == 0 || (seen & key) != 0) {
            return false;
        }
        if (key == 8) {
            // `d` runs to the envelope's closing brace.
            std::string_view data(at, static_cast<std::size_t>(end - 1 - at));
            if (seen != 7 || data.size() < 2 ||
                !((data.front() == '{' && data.back() == '}') ||
                  (data.front() == '[' && data.back() == ']'))) {
                return false;
            }
            out.data = data;
            return true;
        }
        seen |= key;
        std::uint64_t number;
        if (key == 1) {
            if (!read_digits(number) || number > 1000) {
                return false;
            }
            out.op = static_cast<int>(number);
        } else if (is_null()) {
            at += 4;
        } else if (key == 2) {
            if (!read_digits(number)) {
                return false;
            }
            out.seq = number;
        } else {
            if (*at != '"') {
                return false;
            }
            const char* name = at + 1;
            const void* quote = std::memchr(name, '"', static_cast<std::size_t>(end - name));
            if (quote == nullptr) {
                return false;
            }
            std::size_t size = static_cast<std::size_t>(static_cast<const char*>(quote) - name);
            if (std::memchr(name, '\\', size) != nullptr) {
                return false;
            }
            out.type = std::string_view(name, size);
            at = name + size + 1;
        }
        if (at == end || *at != ',') {
            return false;
        }
        ++at;
    }
    return false;
}

}  // namespace

std::error_code peek_envelope(const std::string& message, Envelope& out) {
    out = Envelope{};
    if (message.capacity() < message.size() + simdjson::SIMDJSON_PADDING) {
        return errc::invalid_payload;
    }
    if (read_compact(message, out)) {
        return {};
    }
    out = Envelope{};
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
            if (value.get_int64().get(op) || op < std::numeric_limits<int>::min() ||
                op > std::numeric_limits<int>::max()) {
                return errc::invalid_payload;  // not read as some other op
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
            out.data = trim(raw);  // raw_json keeps the spaces after the value
        }
    }
    if (!has_op) {
        return errc::invalid_payload;
    }
    return {};
}

}  // namespace gatewire
