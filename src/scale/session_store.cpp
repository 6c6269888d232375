#include "gatewire/scale/session_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

namespace gatewire {

std::string to_json(const ResumableSession& session) {
    return nlohmann::json{{"session_id", session.session_id},
                          {"seq", session.seq},
                          {"resume_url", session.resume_url}}
        .dump();
}

std::optional<ResumableSession> resumable_session_from_json(std::string_view text) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object() || !doc.contains("session_id") || !doc["session_id"].is_string() ||
        doc["session_id"].get_ref<const std::string&>().empty() || !doc.contains("seq") ||
        !doc["seq"].is_number_unsigned()) {
        return std::nullopt;
    }
    ResumableSession session;
    session.session_id = doc["session_id"].get<std::string>();
    session.seq = doc["seq"].get<std::uint64_t>();
    if (doc.contains("resume_url") && doc["resume_url"].is_string()) {
        session.resume_url = doc["resume_url"].get<std::string>();
    }
    return session;
}

// --- memory --------------------------------------------------------------------

std::optional<ResumableSession> MemorySessionStore::load(ShardId shard) {
    std::lock_guard lock(mutex_);
    auto found = sessions_.find({shard.id, shard.count});
    if (found == sessions_.end()) {
        return std::nullopt;
    }
    return found->second;
}

void MemorySessionStore::save(ShardId shard, const ResumableSession& session) {
    std::lock_guard lock(mutex_);
    sessions_[{shard.id, shard.count}] = session;
}

void MemorySessionStore::erase(ShardId shard) {
    std::lock_guard lock(mutex_);
    sessions_.erase({shard.id, shard.count});
}

// --- file ----------------------------------------------------------------------

FileSessionStore::FileSessionStore(std::filesystem::path folder) : folder_(std::move(folder)) {
    std::filesystem::create_directories(folder_);
}

std::filesystem::path FileSessionStore::path_of(ShardId shard) const {
    return folder_ /
           ("shard-" + std::to_string(shard.id) + "-of-" + std::to_string(shard.count) + ".json");
}

std::optional<ResumableSession> FileSessionStore::load(ShardId shard) {
    std::ifstream in(path_of(shard));
    if (!in) {
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    return resumable_session_from_json(text.str());
}

void FileSessionStore::save(ShardId shard, const ResumableSession& session) {
    // Write a temporary file and rename it over the old one: a crash leaves
    // either the old session or the new one, never half of either.
    std::filesystem::path target = path_of(shard);
    std::filesystem::path temporary = target;
    temporary += ".tmp";
    std::string text = to_json(session);
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "open " + temporary.string());
    }
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int error = errno;
            ::close(fd);
            throw std::system_error(error, std::generic_category(), "write " + temporary.string());
        }
        written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    std::filesystem::rename(temporary, target);
}

void FileSessionStore::erase(ShardId shard) {
    std::error_code ignored;
    std::filesystem::remove(path_of(shard), ignored);
}

}  // namespace gatewire
