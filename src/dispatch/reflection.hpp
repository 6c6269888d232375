// What the JSON reader, the writer and the benchmark's baseline share about
// described structs: which container a member is, and a member's JSON name.
// Internal.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/describe/members.hpp>

#include "gatewire/core/nullable.hpp"

namespace gatewire::detail {

// Member names carry a trailing underscore where the JSON name is a keyword.
constexpr std::string_view json_name(std::string_view member) noexcept {
    if (!member.empty() && member.back() == '_') {
        member.remove_suffix(1);
    }
    return member;
}

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_nullable : std::false_type {};
template <class T>
struct is_nullable<Nullable<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_shared : std::false_type {};
template <class T>
struct is_shared<std::shared_ptr<T>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class K, class V>
struct is_map<std::map<K, V>> : std::true_type {};

template <class T>
concept Described = boost::describe::has_describe_members<T>::value;

template <class T>
concept HasNestedProperties = requires {
    T::nested_properties;
};

// A struct that one server sends as an object and another as a bare value
// (a number, an array): `T::bare` points at the member the bare value fills.
template <class T>
concept HasBareShape = requires {
    T::bare;
};

template <class T>
using members_of = boost::describe::describe_members<T, boost::describe::mod_public |
                                                            boost::describe::mod_inherited>;

}  // namespace gatewire::detail
