// The one generic encoder: a described struct to nlohmann::json, field by
// field, so what is printed is exactly what was decoded. Internal.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <nlohmann/json.hpp>

#include "dispatch/reflection.hpp"
#include "gatewire/model/channel.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/message.hpp"
#include "gatewire/model/sticker.hpp"

namespace gatewire::detail {

template <class T>
nlohmann::ordered_json write(const T& value);

// Whether a member holds anything worth writing (absent optionals do not).
template <class T>
bool present(const T& value) {
    if constexpr (is_optional<T>::value) {
        return value.has_value();
    } else if constexpr (is_nullable<T>::value) {
        return !value.is_absent();
    } else if constexpr (is_shared<T>::value) {
        return value != nullptr;
    } else if constexpr (std::is_same_v<T, RawJson>) {
        return !value.empty();
    } else {
        return true;
    }
}

template <class T>
nlohmann::ordered_json write(const T& value) {
    using json = nlohmann::ordered_json;
    if constexpr (is_optional<T>::value) {
        return value ? write(*value) : json(nullptr);
    } else if constexpr (is_nullable<T>::value) {
        return value.has_value() ? write(*value) : json(nullptr);
    } else if constexpr (is_shared<T>::value) {
        return value ? write(*value) : json(nullptr);
    } else if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T>) {
        return json(value);
    } else if constexpr (std::is_enum_v<T>) {
        return json(static_cast<std::underlying_type_t<T>>(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
        return json(value);
    } else if constexpr (std::is_same_v<T, Snowflake>) {
        return json(value.to_string());
    } else if constexpr (std::is_same_v<T, Timestamp>) {
        // Dates the text form cannot carry go out as Unix milliseconds, which
        // the reader takes back.
        return has_text_form(value) ? json(format_timestamp(value))
                                    : json(unix_milliseconds(value));
    } else if constexpr (std::is_same_v<T, Permissions>) {
        return json(std::to_string(value.bits));
    } else if constexpr (std::is_same_v<T, RawJson>) {
        return value.empty() ? json(nullptr) : json::parse(value.text, nullptr, false);
    } else if constexpr (std::is_same_v<T, Secret>) {
        return json("[redacted]");
    } else if constexpr (std::is_same_v<T, Nonce>) {
        return json(value.text);
    } else if constexpr (std::is_same_v<T, StickerTags>) {
        return write(value.items);
    } else if constexpr (is_vector<T>::value) {
        json array = json::array();
        for (const auto& item : value) {
            array.push_back(write(item));
        }
        return array;
    } else if constexpr (is_map<T>::value) {
        json object = json::object();
        for (const auto& [key, item] : value) {
            if constexpr (std::is_same_v<typename T::key_type, Snowflake>) {
                object[key.to_string()] = write(item);
            } else {
                object[std::string(key)] = write(item);
            }
        }
        return object;
    } else if constexpr (Described<T>) {
        if constexpr (HasBareShape<T>) {
            // Only the bare member set: it arrived bare, so it leaves bare.
            bool others = false;
            boost::mp11::mp_for_each<members_of<T>>([&](auto member) {
                using M = decltype(member);
                if constexpr (!std::is_same_v<decltype(M::pointer), decltype(T::bare)>) {
                    others = others || present(value.*M::pointer);
                } else if (M::pointer != T::bare) {
                    others = others || present(value.*M::pointer);
                }
            });
            if (!others) {
                return write(value.*T::bare);
            }
        }
        json object = json::object();
        boost::mp11::mp_for_each<members_of<T>>([&](auto member) {
            using M = decltype(member);
            const auto& field = value.*M::pointer;
            if (present(field)) {
                object[std::string(json_name(M::name))] = write(field);
            }
        });
        return object;
    } else {
        static_assert(sizeof(T) == 0, "no JSON writer for this type");
    }
}

}  // namespace gatewire::detail
