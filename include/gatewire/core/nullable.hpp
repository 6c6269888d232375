/// @file
/// A field that can be absent, present as null, or present with a value. Use it
/// where the protocol gives null a meaning of its own ("nick": null removes a
/// nickname; a missing "nick" leaves it as it was).
#pragma once

#include <optional>
#include <utility>

namespace gatewire {

template <class T>
class Nullable {
  public:
    constexpr Nullable() = default;
    constexpr Nullable(std::nullptr_t) noexcept : null_(true) {}
    constexpr Nullable(T value) : value_(std::move(value)) {}

    constexpr bool is_absent() const noexcept { return !null_ && !value_; }
    constexpr bool is_null() const noexcept { return null_; }
    constexpr bool has_value() const noexcept { return value_.has_value(); }
    constexpr explicit operator bool() const noexcept { return has_value(); }

    constexpr T& operator*() & { return *value_; }
    constexpr const T& operator*() const& { return *value_; }
    constexpr T* operator->() { return &*value_; }
    constexpr const T* operator->() const { return &*value_; }
    constexpr const T& value() const& { return value_.value(); }
    template <class U>
    constexpr T value_or(U&& fallback) const& {
        return value_.value_or(std::forward<U>(fallback));
    }
    /// The value, if any, as a plain optional (absent and null both empty).
    constexpr const std::optional<T>& as_optional() const noexcept { return value_; }

    constexpr void set_null() noexcept {
        value_.reset();
        null_ = true;
    }
    template <class... Args>
    constexpr T& emplace(Args&&... args) {
        null_ = false;
        return value_.emplace(std::forward<Args>(args)...);
    }
    constexpr void reset() noexcept {
        value_.reset();
        null_ = false;
    }

    constexpr bool operator==(const Nullable&) const = default;

  private:
    std::optional<T> value_;
    bool null_ = false;
};

}  // namespace gatewire
