// The baseline the decode benchmark compares against: parse a whole
// nlohmann::json DOM, then convert it into the same structs, field by field.
// This is what a DOM-then-convert client pays.
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
#include "gatewire/events/all.hpp"

namespace gatewire::bench {

using nlohmann::json;

using namespace gatewire::detail;  // the traits the decoder uses

template <class T>
void convert(const json& j, T& out);

template <class T>
void convert_fields(const json& object, T& out) {
    boost::mp11::mp_for_each<members_of<T>>([&](auto member) {
        using M = decltype(member);
        auto it = object.find(json_name(M::name));
        if (it != object.end()) {
            convert(*it, out.*M::pointer);
        }
    });
    if constexpr (requires { T::nested_properties; }) {
        auto it = object.find(T::nested_properties);
        if (it != object.end() && it->is_object()) {
            convert_fields(*it, out);
        }
    }
}

template <class T>
void convert(const json& j, T& out) {
    if constexpr (is_optional<T>::value || is_nullable<T>::value || is_shared<T>::value) {
        if (j.is_null()) {
            if constexpr (is_nullable<T>::value) {
                out.set_null();
            } else {
                out.reset();
            }
        } else if constexpr (is_shared<T>::value) {
            auto value = std::make_shared<std::remove_const_t<typename T::element_type>>();
            convert(j, *value);
            out = std::move(value);
        } else {
            convert(j, out.emplace());
        }
    } else if (j.is_null()) {
        return;
    } else if constexpr (std::is_same_v<T, Snowflake>) {
        out = j.is_string()
                  ? Snowflake::parse(j.get_ref<const std::string&>()).value_or(Snowflake{})
                  : Snowflake{j.get<std::uint64_t>()};
    } else if constexpr (std::is_same_v<T, Timestamp>) {
        out = j.is_string() ? parse_timestamp(j.get_ref<const std::string&>()).value_or(Timestamp{})
                            : timestamp_from_unix(j.get<std::int64_t>()).value_or(Timestamp{});
    } else if constexpr (std::is_same_v<T, Permissions>) {
        out.bits = j.is_string() ? Snowflake::parse(j.get_ref<const std::string&>())->value
                                 : j.get<std::uint64_t>();
    } else if constexpr (std::is_same_v<T, RawJson>) {
        out.text = j.dump();
    } else if constexpr (std::is_same_v<T, Secret>) {
        out.value = j.get<std::string>();
    } else if constexpr (std::is_same_v<T, Nonce>) {
        out.text = j.is_string() ? j.get<std::string>() : j.dump();
    } else if constexpr (std::is_same_v<T, StickerTags>) {
        if (j.is_string()) {
            out.items = {j.get<std::string>()};
        } else {
            convert(j, out.items);
        }
    } else if constexpr (std::is_same_v<T, OverwriteType>) {
        out = j.is_string() ? (j == "member" ? OverwriteType::member : OverwriteType::role)
                            : static_cast<OverwriteType>(j.get<int>());
    } else if constexpr (std::is_enum_v<T>) {
        out = static_cast<T>(j.get<std::underlying_type_t<T>>());
    } else if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
        out = j.get<T>();
    } else if constexpr (is_vector<T>::value) {
        out.clear();
        out.reserve(j.size());
        for (const auto& item : j) {
            convert(item, out.emplace_back());
        }
    } else if constexpr (is_map<T>::value) {
        for (const auto& [key, item] : j.items()) {
            if constexpr (std::is_same_v<typename T::key_type, Snowflake>) {
                convert(item, out[Snowflake::parse(key).value_or(Snowflake{})]);
            } else {
                convert(item, out[key]);
            }
        }
    } else {
        convert_fields(j, out);
    }
}

// DOM parse plus conversion of one event's `d`.
template <Event E>
void nlohmann_decode(std::string_view d, E& out) {
    json doc = json::parse(d);
    if constexpr (requires { E::whole_payload; }) {
        using First = boost::mp11::mp_front<members_of<E>>;
        convert(doc, out.*First::pointer);
    } else if (!doc.is_null()) {
        convert(doc, out);
    }
}

}  // namespace gatewire::bench
