/// @file
/// Finds where a JSON document ends in a byte stream, incrementally, without
/// parsing it: tracks nesting depth outside strings.
#pragma once

#include "gatewire/core/export.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gatewire {

class GATEWIRE_API JsonBoundary {
  public:
    /// Scan more bytes of the current document. Returns the offset in `bytes`
    /// just past the document's end, or npos when it has not ended yet.
    std::size_t scan(std::string_view bytes) noexcept;
    void reset() noexcept { *this = JsonBoundary{}; }
    bool started() const noexcept { return started_; }

    static constexpr std::size_t npos = std::string_view::npos;

  private:
    // Inside a document (depth above zero): from `at`, where it ends, or npos.
    std::size_t scan_nested(const char* data, std::size_t at, std::size_t size) noexcept;
    // A quote or bracket inside a document; true when it closes the document.
    bool nested_byte(char c) noexcept;

    std::int64_t depth_ = 0;  ///< 64 bits: no stream is long enough to overflow it
    bool started_ = false;
    bool in_string_ = false;
    bool escaped_ = false;
    bool in_scalar_ = false;  ///< a top-level number/literal: ends at whitespace
};

}  // namespace gatewire
