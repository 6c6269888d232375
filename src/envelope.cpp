#include "gatewire/envelope.hpp"

#include <cstdint>
#include <cstring>

#include <simdjson.h>

#include "gatewire/decode_status.hpp"
#include "gatewire/error.hpp"

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

// The common case exactly as the gateways send it: the keys `op`, `s`, `t`
// in any order and then `d`, with no space anywhere. One pass over the head,
// no helper calls but memchr; anything else goes to HeadReader below.
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

// The layout both gateways send, `op`, `s` and `t` as plain scalars and then
// `d` last, read by looking at the head and the tail only, so a payload is
// never scanned twice (the decoder parses `d` anyway). Whatever else it meets
// (escapes, other keys, `d` before the others) makes it give up, and the full
// parser reads the envelope instead. Should a server add a key after `d`, the
// payload's parse reports the surplus as a decode error.
class HeadReader {
  public:
    explicit HeadReader(std::string_view text) : text_(text) {}

    bool read(Envelope& out) {
        skip_space();
        if (!take('{')) {
            return false;
        }
        bool has_op = false, has_seq = false, has_type = false;
        for (;;) {
            std::string_view key;
            skip_space();
            if (!read_plain_string(key)) {
                return false;
            }
            skip_space();
            if (!take(':')) {
                return false;
            }
            skip_space();
            if (key == "op" && !has_op) {
                std::uint64_t op;
                if (!read_number(op) || op > 1000) {
                    return false;
                }
                out.op = static_cast<int>(op);
                has_op = true;
            } else if (key == "s" && !has_seq) {
                if (!take_word("null")) {
                    std::uint64_t seq;
                    if (!read_number(seq)) {
                        return false;
                    }
                    out.seq = seq;
                }
                has_seq = true;
            } else if (key == "t" && !has_type) {
                if (!take_word("null") && !read_plain_string(out.type)) {
                    return false;
                }
                has_type = true;
            } else if (key == "d" && has_op && has_seq && has_type) {
                return read_last_value(out.data);
            } else {
                return false;
            }
            skip_space();
            if (!take(',')) {
                return false;
            }
        }
    }

  private:
    // `d` is an object or array running to the envelope's closing brace.
    bool read_last_value(std::string_view& data) {
        std::string_view rest = trim(text_.substr(pos_));
        if (rest.empty() || rest.back() != '}') {
            return false;
        }
        rest = trim(rest.substr(0, rest.size() - 1));
        if (rest.size() < 2 || !((rest.front() == '{' && rest.back() == '}') ||
                                 (rest.front() == '[' && rest.back() == ']'))) {
            return false;
        }
        data = rest;
        return true;
    }
    bool read_plain_string(std::string_view& value) {
        if (!take('"')) {
            return false;
        }
        // Keys and event names are short: a plain loop beats a library call.
        std::size_t start = pos_;
        for (; pos_ < text_.size(); ++pos_) {
            char c = text_[pos_];
            if (c == '"') {
                value = text_.substr(start, pos_ - start);
                ++pos_;
                return true;
            }
            if (c == '\\') {
                return false;
            }
        }
        return false;
    }
    bool read_number(std::uint64_t& value) {
        std::size_t start = pos_;
        value = 0;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            if (pos_ - start == 19) {
                return false;  // may not fit; the full parser decides
            }
            value = value * 10 + static_cast<std::uint64_t>(text_[pos_] - '0');
            ++pos_;
        }
        return pos_ > start && (pos_ - start == 1 || text_[start] != '0');
    }
    bool take_word(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) {
            return false;
        }
        pos_ += word.size();
        return true;
    }
    bool take(char c) {
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    void skip_space() {
        while (pos_ < text_.size() && is_space(text_[pos_])) {
            ++pos_;
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

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
    if (HeadReader(message).read(out)) {
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
