#include "gatewire/events/event_type.hpp"

#include <array>
#include <cstdint>

namespace gatewire {

namespace {

// Every dispatch looks its name up: an open-addressing hash table, a quarter
// full, so almost every name is found on its first probe.
class NameTable {
  public:
    NameTable() {
        for (std::size_t i = 0; i < event_type_count; ++i) {
            std::size_t slot = hash(event_infos[i].name);
            while (slots_[slot] != 0) {
                slot = (slot + 1) % slots_.size();
            }
            slots_[slot] = static_cast<std::uint8_t>(i + 1);
        }
    }

    std::optional<EventType> find(std::string_view name) const noexcept {
        for (std::size_t slot = hash(name);; slot = (slot + 1) % slots_.size()) {
            std::uint8_t at = slots_[slot];
            if (at == 0) {
                return std::nullopt;
            }
            if (event_infos[at - 1].name == name) {
                return event_infos[at - 1].type;
            }
        }
    }

  private:
    // The length and three characters (picked to tell the names apart: six
    // of ~110 share a slot) in a few instructions, not a pass over the name.
    static std::size_t hash(std::string_view name) noexcept {
        if (name.empty()) {
            return 0;
        }
        std::size_t n = name.size();
        auto from_end = [&](std::size_t k) {
            return static_cast<std::size_t>(
                static_cast<unsigned char>(k <= n ? name[n - k] : name[0]));
        };
        return (n * 193 + from_end(n) * 5 + from_end(5) * 11 + from_end(9) * 97) % 512;
    }

    static_assert(event_type_count < 255);
    std::array<std::uint8_t, 512> slots_{};
};

}  // namespace

std::optional<EventType> event_type_from_name(std::string_view name) noexcept {
    static const NameTable table;
    return table.find(name);
}

}  // namespace gatewire
