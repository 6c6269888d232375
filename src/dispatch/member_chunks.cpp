#include "gatewire/dispatch/member_chunks.hpp"

#include <iterator>

namespace gatewire {

bool MemberChunkAssembler::expect(const std::string& nonce) {
    return requests_.try_emplace(nonce).second;
}

std::optional<MembersResult> MemberChunkAssembler::add(const events::GuildMembersChunk& chunk) {
    if (!chunk.nonce) {
        return std::nullopt;
    }
    auto it = requests_.find(*chunk.nonce);
    if (it == requests_.end() || chunk.chunk_count <= 0 || chunk.chunk_index < 0 ||
        chunk.chunk_index >= chunk.chunk_count) {
        return std::nullopt;
    }
    Request& r = it->second;
    if (r.received.empty()) {
        r.received.resize(static_cast<std::size_t>(chunk.chunk_count));
        r.result.chunk_count = chunk.chunk_count;
        r.result.guild_id = chunk.guild_id;
    }
    auto index = static_cast<std::size_t>(chunk.chunk_index);
    if (index >= r.received.size() || r.received[index]) {
        return std::nullopt;  // a count that changed, or a chunk seen twice
    }
    r.received[index] = true;
    ++r.result.chunks_received;
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(r.result.members, chunk.members);
    append(r.result.presences, chunk.presences);
    append(r.result.not_found, chunk.not_found);
    if (r.result.chunks_received < r.result.chunk_count) {
        return std::nullopt;
    }
    MembersResult done = std::move(r.result);
    requests_.erase(it);
    return done;
}

std::optional<MembersResult> MemberChunkAssembler::take(const std::string& nonce) {
    auto it = requests_.find(nonce);
    if (it == requests_.end()) {
        return std::nullopt;
    }
    MembersResult partial = std::move(it->second.result);
    requests_.erase(it);
    return partial;
}

}  // namespace gatewire
