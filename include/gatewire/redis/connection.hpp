/// @file
/// One connection to a Redis server, shared by the Redis-backed identify
/// queue and session store (part of `gatewire::redis`, built with
/// GATEWIRE_WITH_REDIS). Commands are short and bounded by a timeout; a
/// broken connection is made again on the next command.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatewire/core/export.hpp"

namespace gatewire {

struct RedisOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string password;  ///< empty: no AUTH
    int database = 0;
    std::chrono::milliseconds timeout{1000};  ///< connecting, and each command
    /// Every key starts with this; give each bot (or each environment) its own.
    std::string key_prefix = "gatewire";
};

/// Options from "host:port" or "redis://[:password@]host[:port][/db]";
/// empty when malformed.
GATEWIRE_API std::optional<RedisOptions> parse_redis_address(std::string_view address);

struct RedisReply {
    enum class Kind { nil, integer, text, status, error, array };
    Kind kind = Kind::nil;
    long long integer = 0;
    std::string text;  ///< a bulk string, a status or an error
    std::vector<RedisReply> elements;
};

class GATEWIRE_API RedisConnection {
  public:
    explicit RedisConnection(RedisOptions options);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    /// Runs one command (binary-safe arguments) and returns its reply, an
    /// error reply included. Throws std::system_error(errc::store_unavailable)
    /// when the server cannot be reached in time. Thread-safe.
    RedisReply command(const std::vector<std::string>& arguments);
    RedisReply command(const std::vector<std::string_view>& arguments);
    RedisReply command(std::initializer_list<std::string_view> arguments);
    /// Several commands in one round trip; their replies, in order.
    std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string_view>>& commands);
    /// Writes a command without waiting for its reply (an acknowledgement
    /// that must leave at once); the reply is read, and an error reply
    /// discarded, before the next command's.
    void send(std::initializer_list<std::string_view> arguments);

    const RedisOptions& options() const noexcept { return options_; }
    /// `key_prefix` + ":" + `suffix`.
    std::string key(std::string_view suffix) const;

  private:
    struct Context;
    void connect_locked();
    /// Reads the replies of send()s; throws when the connection broke.
    void drain_locked();
    [[noreturn]] void fail_locked();

    RedisOptions options_;
    std::mutex mutex_;
    std::unique_ptr<Context> context_;
    std::size_t owed_replies_ = 0;
};

}  // namespace gatewire
