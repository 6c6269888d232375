#include "gatewire/detail/json_boundary.hpp"

namespace gatewire {

std::size_t JsonBoundary::scan(std::string_view bytes) noexcept {
    const char* data = bytes.data();
    const std::size_t size = bytes.size();
    for (std::size_t i = 0; i < size; ++i) {
        const char c = data[i];
        if (in_string_) {
            if (escaped_) {
                escaped_ = false;
            } else if (c == '\\') {
                escaped_ = true;
            } else if (c == '"') {
                in_string_ = false;
                if (depth_ == 0) {
                    return i + 1;  // a top-level string
                }
            }
            continue;
        }
        if (in_scalar_ && depth_ == 0 && (c == '"' || c == '{' || c == '[')) {
            in_scalar_ = false;  // a bare word (not JSON) ends where a document starts
            return i;
        }
        switch (c) {
            case '"':
                started_ = true;
                in_string_ = true;
                break;
            case '{':
            case '[':
                started_ = true;
                ++depth_;
                break;
            case '}':
            case ']':
                if (--depth_ <= 0) {
                    depth_ = 0;
                    return i + 1;
                }
                break;
            case ' ':
            case '\t':
            case '\r':
            case '\n':
                if (in_scalar_ && depth_ == 0) {
                    in_scalar_ = false;
                    return i;
                }
                break;
            default:
                if (depth_ == 0) {
                    started_ = true;
                    in_scalar_ = true;
                }
                break;
        }
    }
    return npos;
}

}  // namespace gatewire
