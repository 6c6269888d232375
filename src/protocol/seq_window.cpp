#include "protocol/seq_window.hpp"

#include <algorithm>

namespace gatewire::detail {

namespace {
constexpr std::uint64_t words = SeqWindow::span / 64;
}

void SeqWindow::reset(std::uint64_t floor) noexcept {
    floor_ = floor;
    highest_ = floor;
    if (marked_ != 0) {
        std::fill(bits_.begin(), bits_.end(), 0);
        marked_ = 0;
    }
}

bool SeqWindow::test(std::uint64_t seq) const noexcept {
    if (bits_.empty()) {
        return false;
    }
    std::uint64_t at = seq % span;
    return (bits_[at / 64] >> (at % 64)) & 1U;
}

void SeqWindow::set(std::uint64_t seq) {
    if (bits_.empty()) {
        bits_.assign(words, 0);
    }
    std::uint64_t at = seq % span;
    bits_[at / 64] |= std::uint64_t{1} << (at % 64);
    ++marked_;
}

void SeqWindow::clear(std::uint64_t seq) noexcept {
    std::uint64_t at = seq % span;
    bits_[at / 64] &= ~(std::uint64_t{1} << (at % 64));
    --marked_;
}

void SeqWindow::settle() noexcept {
    while (marked_ != 0 && test(floor_ + 1)) {
        clear(floor_ + 1);
        ++floor_;
    }
}

bool SeqWindow::insert(std::uint64_t seq, std::uint64_t& given_up) {
    if (seq <= floor_) {
        return false;
    }
    highest_ = std::max(highest_, seq);
    if (seq == floor_ + 1) {
        ++floor_;  // the usual case: in order, no bit touched
        settle();
        return true;
    }
    if (seq - floor_ > span) {
        given_up += advance_to(seq - span);
    }
    if (test(seq)) {
        return false;
    }
    set(seq);
    return true;
}

std::uint64_t SeqWindow::advance_to(std::uint64_t floor) {
    if (floor <= floor_) {
        return 0;
    }
    std::uint64_t missing = 0;
    std::uint64_t covered = std::min(floor, floor_ + span);
    for (std::uint64_t seq = floor_ + 1; seq <= covered; ++seq) {
        if (test(seq)) {
            clear(seq);
        } else {
            ++missing;
        }
    }
    missing += floor - covered;  // beyond the bitmap nothing was marked
    floor_ = floor;
    highest_ = std::max(highest_, floor);
    settle();
    return missing;
}

}  // namespace gatewire::detail
