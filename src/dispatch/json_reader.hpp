// The one generic decoder: simdjson's DOM (whose parser picks the CPU's best
// kernel at run time) walked straight into described structs.
// Internal; the public entry points are in gatewire/dispatch/decode.hpp.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <simdjson.h>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include "dispatch/reflection.hpp"
#include "gatewire/model/channel.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/message.hpp"
#include "gatewire/model/sticker.hpp"

namespace gatewire::detail {

namespace dom = simdjson::dom;

// A field that could not be read and was left empty: the event goes on.
struct ReadWarning {
    std::vector<std::string> path;  // innermost first, completed while unwinding
    std::string message;
};

struct ReadContext {
    std::string message;
    std::vector<std::string> path;  // innermost first, while unwinding
    // Strict: any unreadable field fails the event. Otherwise it costs only
    // that field (or that array element), recorded here.
    bool strict = false;
    std::vector<ReadWarning> warnings;
    // What the decoded value may still allocate, in bytes (container
    // elements, long strings). Past it the decode fails, strict or not: a
    // payload of empty objects must not become hundreds of megabytes.
    std::size_t budget = std::numeric_limits<std::size_t>::max();
    bool over_budget = false;

    bool charge(std::size_t bytes) {
        if (bytes <= budget) {
            budget -= bytes;
            return true;
        }
        over_budget = true;
        budget = 0;
        return fail("the decoded event would take more memory than DecodeOptions allows");
    }

    bool fail(std::string why) {
        message = std::move(why);
        return false;
    }
    bool fail(simdjson::error_code code) { return fail(simdjson::error_message(code)); }

    // The failure just unwound to a field that can be dropped: keep it as a
    // warning and go on. False in strict mode (the failure goes on unwinding).
    bool forgive() {
        if (strict || over_budget) {
            return false;
        }
        warnings.push_back({std::move(path), std::move(message)});
        path.clear();
        message.clear();
        return true;
    }
    // Puts `segment` in front of the paths of warnings made since `since`.
    void prefix(std::size_t since, std::string_view segment) {
        for (std::size_t i = since; i < warnings.size(); ++i) {
            warnings[i].path.emplace_back(segment);
        }
    }
};

inline const char* json_type_name(dom::element v) {
    switch (v.type()) {
        case dom::element_type::ARRAY:
            return "an array";
        case dom::element_type::OBJECT:
            return "an object";
        case dom::element_type::INT64:
        case dom::element_type::UINT64:
        case dom::element_type::DOUBLE:
            return "a number";
        case dom::element_type::STRING:
            return "a string";
        case dom::element_type::BOOL:
            return "a boolean";
        case dom::element_type::NULL_VALUE:
            return "null";
    }
    return "something else";
}

inline bool wrong_type(dom::element v, ReadContext& c, const char* expected,
                       simdjson::error_code code) {
    if (code != simdjson::INCORRECT_TYPE) {
        return c.fail(code);  // a number out of range, say
    }
    return c.fail(std::string("expected ") + expected + ", got " + json_type_name(v));
}

template <class T>
bool read(dom::element v, T& out, ReadContext& c);

// Whether reading a T can leave warnings of its own (fields inside it).
template <class T>
constexpr bool can_hold_warnings() {
    if constexpr (is_optional<T>::value) {
        return can_hold_warnings<typename T::value_type>();
    } else if constexpr (is_nullable<T>::value) {
        using Inner = std::remove_cvref_t<decltype(std::declval<const T&>().as_optional())>;
        return can_hold_warnings<typename Inner::value_type>();
    } else if constexpr (is_shared<T>::value) {
        return can_hold_warnings<std::remove_const_t<typename T::element_type>>();
    } else {
        return is_vector<T>::value || is_map<T>::value || Described<T> ||
               std::is_same_v<T, StickerTags>;
    }
}

// --- scalars --------------------------------------------------------------

inline bool read_string(dom::element v, std::string& out, ReadContext& c) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) {
        return wrong_type(v, c, "a string", e);
    }
    // Short strings live inside the object already counted.
    if (s.size() >= sizeof(std::string) && !c.charge(s.size())) {
        return false;
    }
    out.assign(s.data(), s.size());
    return true;
}

inline bool read_snowflake(dom::element v, Snowflake& out, ReadContext& c) {
    std::string_view s;
    if (!v.get_string().get(s)) {
        if (auto id = Snowflake::parse(s)) {
            out = *id;
            return true;
        }
        return c.fail("expected a snowflake, got \"" + std::string(s.substr(0, 32)) + "\"");
    }
    if (v.is_uint64() || v.is_int64()) {
        std::uint64_t n = 0;
        if (auto e = v.get_uint64().get(n)) {
            return c.fail(e);
        }
        out = Snowflake{n};  // old payloads send small ids as numbers
        return true;
    }
    return c.fail(std::string("expected a snowflake string, got ") + json_type_name(v));
}

inline bool read_timestamp(dom::element v, Timestamp& out, ReadContext& c) {
    std::string_view s;
    if (!v.get_string().get(s)) {
        if (auto t = parse_timestamp(s)) {
            out = *t;
            return true;
        }
        return c.fail("expected an ISO 8601 timestamp, got \"" + std::string(s.substr(0, 40)) +
                      "\"");
    }
    std::int64_t n = 0;
    if (!v.get_int64().get(n)) {
        if (auto t = timestamp_from_unix(n)) {
            out = *t;
            return true;
        }
        return c.fail("a Unix time out of range: " + std::to_string(n));
    }
    return c.fail(std::string("expected a timestamp, got ") + json_type_name(v));
}

inline bool read_permissions(dom::element v, Permissions& out, ReadContext& c) {
    std::string_view s;
    if (!v.get_string().get(s)) {
        if (auto bits = Snowflake::parse(s)) {  // same grammar: unsigned decimal
            out.bits = bits->value;
            return true;
        }
        return c.fail("expected a decimal permission set, got \"" + std::string(s.substr(0, 32)) +
                      "\"");
    }
    if (!v.get_uint64().get(out.bits)) {
        return true;  // v6-era payloads send a number
    }
    return c.fail(std::string("expected a permission string, got ") + json_type_name(v));
}

inline bool read_raw(dom::element v, RawJson& out, ReadContext&) {
    out.text = simdjson::minify(v);
    return true;
}

inline bool read_nonce(dom::element v, Nonce& out, ReadContext& c) {
    if (v.is_string()) {
        return read_string(v, out.text, c);
    }
    if (v.is_number()) {
        out.text = simdjson::minify(v);
        return true;
    }
    return c.fail(std::string("expected a string or a number, got ") + json_type_name(v));
}

inline bool read_sticker_tags(dom::element v, StickerTags& out, ReadContext& c) {
    std::string_view s;
    if (v.get_string().get(s)) {
        return read(v, out.items, c);  // Fluxer: a list
    }
    out.items.clear();
    while (!s.empty()) {
        auto comma = s.find(',');
        std::string_view tag = s.substr(0, comma);
        while (!tag.empty() && tag.front() == ' ') {
            tag.remove_prefix(1);
        }
        while (!tag.empty() && tag.back() == ' ') {
            tag.remove_suffix(1);
        }
        if (!tag.empty()) {
            out.items.emplace_back(tag);
        }
        s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
    }
    return true;
}

inline bool read_overwrite_type(dom::element v, OverwriteType& out, ReadContext& c) {
    std::string_view s;
    if (!v.get_string().get(s)) {
        if (s == "role" || s == "member") {
            out = s == "role" ? OverwriteType::role : OverwriteType::member;
            return true;
        }
        return c.fail("expected 0, 1, \"role\" or \"member\", got \"" +
                      std::string(s.substr(0, 32)) + "\"");
    }
    std::int64_t n = 0;
    if (auto e = v.get_int64().get(n)) {
        return wrong_type(v, c, "an overwrite type", e);
    }
    out = static_cast<OverwriteType>(n);
    return true;
}

// An integer sent as a decimal string ("0"), as Spacebar does.
template <class Int>
bool read_integer_text(std::string_view s, Int& out, ReadContext& c) {
    Int n{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
        return c.fail("expected an integer, got \"" + std::string(s.substr(0, 32)) + "\"");
    }
    out = n;
    return true;
}

template <class Int>
bool read_integer(dom::element v, Int& out, ReadContext& c) {
    if constexpr (std::is_unsigned_v<Int>) {
        std::uint64_t n = 0;
        if (auto e = v.get_uint64().get(n)) {
            if (std::string_view s; e == simdjson::INCORRECT_TYPE && !v.get_string().get(s)) {
                return read_integer_text(s, out, c);
            }
            return wrong_type(v, c, "an unsigned integer", e);
        }
        if (n > std::numeric_limits<Int>::max()) {
            return c.fail("integer " + std::to_string(n) + " out of range");
        }
        out = static_cast<Int>(n);
    } else {
        std::int64_t n = 0;
        if (auto e = v.get_int64().get(n)) {
            if (std::string_view s; e == simdjson::INCORRECT_TYPE && !v.get_string().get(s)) {
                return read_integer_text(s, out, c);
            }
            return wrong_type(v, c, "an integer", e);
        }
        if (n < std::numeric_limits<Int>::min() || n > std::numeric_limits<Int>::max()) {
            return c.fail("integer " + std::to_string(n) + " out of range");
        }
        out = static_cast<Int>(n);
    }
    return true;
}

// --- described structs ----------------------------------------------------

// The first eight bytes of a key, zero-padded, as one word: most keys are
// that short, so one comparison tells a match.
inline std::uint64_t key_head(const char* data, std::size_t size, bool padded) noexcept {
    std::uint64_t head = 0;
    if (padded) {
        // A key in simdjson's string buffer has readable bytes after it (its
        // terminator and the buffer's padding): load a whole word, then mask.
        static_assert(simdjson::SIMDJSON_PADDING >= 8);
        std::memcpy(&head, data, 8);
    } else {
        std::memcpy(&head, data, size < 8 ? size : 8);
    }
    if constexpr (std::endian::native == std::endian::big) {
        head = __builtin_bswap64(head);
    }
    return size >= 8 ? head : head & ((std::uint64_t{1} << (8 * size)) - 1);
}

// The last eight bytes of a key at least nine long, as one word.
inline std::uint64_t key_tail(const char* data, std::size_t size) noexcept {
    std::uint64_t tail;
    std::memcpy(&tail, data + size - 8, 8);
    return tail;
}

template <class T>
struct FieldEntry {
    std::string_view name;
    bool (*read)(dom::element, T&, ReadContext&);
    void (*reset)(T&);       // back to empty, for a field that could not be read
    std::uint64_t head = 0;  // key_head(name)
    std::uint64_t tail = 0;  // key_tail(name), for names longer than eight

    // Up to sixteen bytes, a key is its head and tail words (they overlap):
    // two comparisons and no loop whose exit the branch predictor must guess.
    bool matches(std::string_view key, std::uint64_t key_head) const noexcept {
        if (key.size() != name.size() || key_head != head) {
            return false;
        }
        if (key.size() <= 8) {
            return true;
        }
        if (key_tail(key.data(), key.size()) != tail) {
            return false;
        }
        return key.size() <= 16 ||
               std::memcmp(key.data() + 8, name.data() + 8, key.size() - 16) == 0;
    }
};

// A struct's fields by JSON name: an open-addressing hash over (length,
// first, middle, last character), sized so probes are short. Servers send a
// type's fields in a stable order (not ours), so the table also learns which
// field came after which last time and tries that first.
template <class T>
struct FieldTable {
    static constexpr std::size_t count = boost::mp11::mp_size<members_of<T>>::value;
    static constexpr std::size_t slots = [] {
        std::size_t n = 8;
        while (n < count * 4) {
            n *= 2;
        }
        return n;
    }();

    std::array<FieldEntry<T>, count> entries{};
    std::array<std::uint8_t, slots> index{};  // entry + 1; 0 is empty
    std::uint8_t required = 0;                // the entry + 1 of a required `id`; 0: none
    // The entry seen after entry i - 1 (after none, for 0). Only a guess, so
    // threads racing on it (relaxed) cost nothing but a probe.
    mutable std::array<std::atomic<std::uint8_t>, count + 1> next{};

    static constexpr std::size_t hash(std::string_view key) noexcept {
        if (key.empty()) {
            return 0;
        }
        return (key.size() * 131u + static_cast<unsigned char>(key.front()) * 31u +
                static_cast<unsigned char>(key.back()) * 7u +
                static_cast<unsigned char>(key[key.size() / 2])) &
               (slots - 1);
    }

    FieldTable() {
        for (std::size_t i = 0; i < next.size(); ++i) {
            next[i].store(static_cast<std::uint8_t>(i), std::memory_order_relaxed);  // our order
        }
        std::size_t i = 0;
        boost::mp11::mp_for_each<members_of<T>>([&](auto member) {
            using M = decltype(member);
            std::string_view name = json_name(M::name);
            using Field = std::remove_cvref_t<decltype(std::declval<T&>().*M::pointer)>;
            entries[i] = {name,
                          [](dom::element v, T& obj, ReadContext& c) {
                              if constexpr (can_hold_warnings<Field>()) {
                                  std::size_t since = c.warnings.size();
                                  bool ok = read(v, obj.*M::pointer, c);
                                  if (ok && c.warnings.size() != since) {
                                      c.prefix(since, json_name(M::name));
                                  }
                                  return ok;
                              } else {
                                  return read(v, obj.*M::pointer,
                                              c);  // a scalar: no warnings beneath
                              }
                          },
                          [](T& obj) { obj.*M::pointer = Field{}; },
                          key_head(name.data(), name.size(), false),
                          name.size() > 8 ? key_tail(name.data(), name.size()) : 0};
            // An object's own id is required: absent, it would read as 0.
            if (std::is_same_v<Field, Snowflake> && name == "id") {
                required = static_cast<std::uint8_t>(i + 1);
            }
            std::size_t slot = hash(name);
            while (index[slot] != 0) {
                slot = (slot + 1) & (slots - 1);
            }
            index[slot] = static_cast<std::uint8_t>(i + 1);
            ++i;
        });
    }

    // The entry for `key`, which follows the entry `previous` - 1 (0: the
    // first key). `key` must come from simdjson's string buffer (see key_head).
    const FieldEntry<T>* find(std::string_view key, std::size_t previous) const noexcept {
        std::uint64_t head = key_head(key.data(), key.size(), true);
        std::size_t guess = next[previous].load(std::memory_order_relaxed);
        if (guess < count && entries[guess].matches(key, head)) {
            return &entries[guess];
        }
        const FieldEntry<T>* found = probe(key, head);
        if (found != nullptr) {
            next[previous].store(static_cast<std::uint8_t>(found - entries.data()),
                                 std::memory_order_relaxed);
        }
        return found;
    }

  private:
    const FieldEntry<T>* probe(std::string_view key, std::uint64_t head) const noexcept {
        for (std::size_t slot = hash(key);; slot = (slot + 1) & (slots - 1)) {
            std::uint8_t at = index[slot];
            if (at == 0) {
                return nullptr;
            }
            if (entries[at - 1].matches(key, head)) {
                return &entries[at - 1];
            }
        }
    }
};

template <class T>
const FieldTable<T>& field_table() {
    static_assert(FieldTable<T>::count < 255, "too many fields for the index");
    static const FieldTable<T> table;
    return table;
}

template <class T>
bool read_fields(dom::object object, T& out, ReadContext& c) {
    const auto& table = field_table<T>();
    std::size_t previous = 0;
    bool required_seen = table.required == 0;
    for (auto [key, value] : object) {
        const FieldEntry<T>* entry = table.find(key, previous);
        if (entry == nullptr) {
            if constexpr (HasNestedProperties<T>) {
                if (key == T::nested_properties) {
                    std::size_t since = c.warnings.size();
                    dom::object nested;
                    bool ok = !value.get_object().get(nested)
                                  ? read_fields(nested, out, c)
                                  : wrong_type(value, c, "an object", simdjson::INCORRECT_TYPE);
                    if (!ok && !c.forgive()) {
                        c.path.emplace_back(key);
                        return false;
                    }
                    c.prefix(since, key);
                }
            }
            continue;  // unknown fields are ignored
        }
        previous = static_cast<std::size_t>(entry - table.entries.data()) + 1;
        required_seen = required_seen || previous == table.required;
        if (!entry->read(value, out, c)) {
            if (!c.forgive()) {
                c.path.emplace_back(entry->name);
                return false;
            }
            c.warnings.back().path.emplace_back(entry->name);
            entry->reset(out);  // this field alone is lost
        }
    }
    if (!required_seen) {
        std::string_view name = table.entries[table.required - 1].name;
        c.fail("required field absent");
        if (!c.forgive()) {
            c.path.emplace_back(name);
            return false;
        }
        c.prefix(c.warnings.size() - 1, name);
    }
    return true;
}

// --- the dispatcher over types ---------------------------------------------

template <class T>
bool read(dom::element v, T& out, ReadContext& c) {
    if constexpr (is_optional<T>::value || is_nullable<T>::value || is_shared<T>::value) {
        if (v.is_null()) {
            if constexpr (is_nullable<T>::value) {
                out.set_null();
            } else {
                out.reset();
            }
            return true;
        }
        if constexpr (is_shared<T>::value) {
            auto value = std::make_shared<std::remove_const_t<typename T::element_type>>();
            if (!read(v, *value, c)) {
                return false;
            }
            out = std::move(value);
            return true;
        } else {
            return read(v, out.emplace(), c);
        }
    } else {
        // A null where a plain value is expected leaves the default: servers
        // send null for "nothing" in places the docs call non-nullable.
        if (v.is_null()) {
            return true;
        }
        if constexpr (std::is_same_v<T, bool>) {
            if (auto e = v.get_bool().get(out)) {
                return wrong_type(v, c, "a boolean", e);
            }
            return true;
        } else if constexpr (std::is_same_v<T, OverwriteType>) {
            return read_overwrite_type(v, out, c);
        } else if constexpr (std::is_enum_v<T>) {
            std::underlying_type_t<T> n{};
            if (!read_integer(v, n, c)) {
                return false;
            }
            out = static_cast<T>(n);
            return true;
        } else if constexpr (std::is_integral_v<T>) {
            return read_integer(v, out, c);
        } else if constexpr (std::is_floating_point_v<T>) {
            double d = 0;
            if (auto e = v.get_double().get(d)) {
                return wrong_type(v, c, "a number", e);
            }
            out = static_cast<T>(d);
            return true;
        } else if constexpr (std::is_same_v<T, std::string>) {
            return read_string(v, out, c);
        } else if constexpr (std::is_same_v<T, Snowflake>) {
            return read_snowflake(v, out, c);
        } else if constexpr (std::is_same_v<T, Timestamp>) {
            return read_timestamp(v, out, c);
        } else if constexpr (std::is_same_v<T, Permissions>) {
            return read_permissions(v, out, c);
        } else if constexpr (std::is_same_v<T, RawJson>) {
            return read_raw(v, out, c);
        } else if constexpr (std::is_same_v<T, Secret>) {
            return read_string(v, out.value, c);
        } else if constexpr (std::is_same_v<T, Nonce>) {
            return read_nonce(v, out, c);
        } else if constexpr (std::is_same_v<T, StickerTags>) {
            return read_sticker_tags(v, out, c);
        } else if constexpr (is_vector<T>::value) {
            dom::array array;
            if (auto e = v.get_array().get(array)) {
                return wrong_type(v, c, "an array", e);
            }
            out.clear();
            if (!c.charge(array.size() * sizeof(typename T::value_type))) {
                return false;
            }
            out.reserve(array.size());
            std::size_t index = 0;
            for (dom::element item : array) {
                std::size_t since = c.warnings.size();
                if (!read(item, out.emplace_back(), c)) {
                    if (!c.forgive()) {
                        c.path.push_back("[" + std::to_string(index) + "]");
                        return false;
                    }
                    out.pop_back();  // this element alone is lost
                }
                if (c.warnings.size() != since) {
                    c.prefix(since, "[" + std::to_string(index) + "]");
                }
                ++index;
            }
            return true;
        } else if constexpr (is_map<T>::value) {
            dom::object object;
            if (auto e = v.get_object().get(object)) {
                return wrong_type(v, c, "an object", e);
            }
            // A map node: the pair and about four pointers of bookkeeping.
            if (!c.charge(object.size() * (sizeof(typename T::value_type) + 4 * sizeof(void*)))) {
                return false;
            }
            for (auto [key, value] : object) {
                typename T::key_type k{};
                if constexpr (std::is_same_v<typename T::key_type, Snowflake>) {
                    auto id = Snowflake::parse(key);
                    if (!id) {
                        c.path.emplace_back(key);
                        return c.fail("expected a snowflake as the key");
                    }
                    k = *id;
                } else {
                    k = typename T::key_type(key);
                }
                std::size_t since = c.warnings.size();
                if (!read(value, out[k], c)) {
                    if (!c.forgive()) {
                        c.path.emplace_back(key);
                        return false;
                    }
                    out.erase(k);
                }
                if (c.warnings.size() != since) {
                    c.prefix(since, key);
                }
            }
            return true;
        } else if constexpr (Described<T>) {
            if constexpr (HasBareShape<T>) {
                if (!v.is_object()) {
                    return read(v, out.*T::bare, c);  // the other server's shape
                }
            }
            dom::object object;
            if (auto e = v.get_object().get(object)) {
                return wrong_type(v, c, "an object", e);
            }
            return read_fields(object, out, c);
        } else {
            static_assert(sizeof(T) == 0, "no JSON reader for this type");
        }
    }
}

// Joins the unwound path: ["id", "[2]", "mentions"] -> "mentions[2].id".
inline std::string join_path(const std::vector<std::string>& reversed) {
    std::string path;
    for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) {
        if (!path.empty() && !it->empty() && it->front() != '[') {
            path += '.';
        }
        path += *it;
    }
    return path;
}

}  // namespace gatewire::detail
