// Room for a message whose length a WebSocket frame header announced.
#pragma once

#include <algorithm>
#include <cstddef>

namespace gatewire::detail {

/// Makes `buffer` hold `held + bytes_to_come + padding` bytes, where the
/// announced `bytes_to_come` fits the bound (`room_left`, what `held` leaves
/// of it): sized once, a large message does not copy itself and touch fresh
/// pages at every doubling. Never grown by less than double, so a message
/// sent in many small frames, each announcing its own rest, is not copied
/// once per frame. A length past the bound is not believed.
template <class Buffer>
void reserve_announced(Buffer& buffer, std::size_t held, std::size_t bytes_to_come,
                       std::size_t room_left, std::size_t padding) {
    if (bytes_to_come == 0 || bytes_to_come > room_left) {
        return;
    }
    std::size_t need = held + bytes_to_come + padding;
    if (need > buffer.capacity()) {
        buffer.reserve(std::max(need, 2 * buffer.capacity()));
    }
}

}  // namespace gatewire::detail
