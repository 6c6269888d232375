// Which sequence numbers of one session have been delivered. Internal.
//
// Servers do not always send a session's dispatches in seq order: a resume may
// put live events on the new socket before the replayed ones, and a server
// that compresses each message on its own task may send neighbours swapped. So
// "seq <= the highest seen" does not mean "seen". The window keeps a floor
// (every seq up to it was delivered, or given up on) and one bit for each of
// the `span` seqs above it.
#pragma once

#include <cstdint>
#include <vector>

namespace gatewire::detail {

class SeqWindow {
  public:
    /// How far above the floor a seq may arrive before the oldest missing ones
    /// are given up on: more than a full replay buffer (Fluxer keeps 4 096).
    static constexpr std::uint64_t span = 16384;

    /// Forget everything: every seq up to `floor` counts as delivered.
    void reset(std::uint64_t floor = 0) noexcept;

    /// Marks `seq` delivered. False when it already was (a duplicate).
    /// `given_up` grows by the missing seqs pushed below the floor to make room.
    bool insert(std::uint64_t seq, std::uint64_t& given_up);

    /// Every seq up to `floor` is over: delivered, or never to come (the server
    /// said so, e.g. RESUMED after its replay). Returns how many were missing.
    std::uint64_t advance_to(std::uint64_t floor);

    /// Every seq up to here was delivered or given up: what a resume asks after.
    std::uint64_t floor() const noexcept { return floor_; }
    std::uint64_t highest() const noexcept { return highest_; }

  private:
    bool test(std::uint64_t seq) const noexcept;
    void set(std::uint64_t seq);
    void clear(std::uint64_t seq) noexcept;
    void settle() noexcept;  // raises the floor over seqs already delivered

    std::uint64_t floor_ = 0;
    std::uint64_t highest_ = 0;
    std::uint64_t marked_ = 0;         // bits set above the floor
    std::vector<std::uint64_t> bits_;  // span bits, made at the first seq out of order
};

}  // namespace gatewire::detail
