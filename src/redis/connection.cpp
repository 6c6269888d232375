#include "gatewire/redis/connection.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <system_error>

#include "gatewire/core/error.hpp"

namespace gatewire {

struct RedisConnection::Context {
    redisContext* handle = nullptr;
    ~Context() {
        if (handle) {
            redisFree(handle);
        }
    }
};

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
    return {static_cast<time_t>(ms.count() / 1000),
            static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

RedisReply convert(const redisReply* reply) {
    RedisReply out;
    switch (reply->type) {
        case REDIS_REPLY_INTEGER:
            out.kind = RedisReply::Kind::integer;
            out.integer = reply->integer;
            break;
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
        case REDIS_REPLY_ERROR:
            out.kind = reply->type == REDIS_REPLY_STRING   ? RedisReply::Kind::text
                       : reply->type == REDIS_REPLY_STATUS ? RedisReply::Kind::status
                                                           : RedisReply::Kind::error;
            out.text.assign(reply->str, reply->len);
            break;
        case REDIS_REPLY_ARRAY:
            out.kind = RedisReply::Kind::array;
            for (std::size_t i = 0; i < reply->elements; ++i) {
                out.elements.push_back(convert(reply->element[i]));
            }
            break;
        default:
            break;
    }
    return out;
}

template <class Arguments>
int append(redisContext* context, const Arguments& arguments) {
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    pointers.reserve(arguments.size());
    lengths.reserve(arguments.size());
    for (const auto& a : arguments) {
        pointers.push_back(a.data());
        lengths.push_back(a.size());
    }
    return redisAppendCommandArgv(context, static_cast<int>(arguments.size()), pointers.data(),
                                  lengths.data());
}

redisReply* get_reply(redisContext* context) {
    void* reply = nullptr;
    if (redisGetReply(context, &reply) != REDIS_OK) {
        return nullptr;
    }
    return static_cast<redisReply*>(reply);
}

template <class Arguments>
redisReply* run(redisContext* context, const Arguments& arguments) {
    if (append(context, arguments) != REDIS_OK) {
        return nullptr;
    }
    return get_reply(context);
}

bool parse_port(std::string_view text, std::uint16_t& port) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    return error == std::errc() && end == text.data() + text.size() && port != 0;
}

}  // namespace

std::optional<RedisOptions> parse_redis_address(std::string_view address) {
    RedisOptions options;
    constexpr std::string_view scheme = "redis://";
    if (address.substr(0, scheme.size()) == scheme) {
        address.remove_prefix(scheme.size());
        if (auto at = address.rfind('@'); at != std::string_view::npos) {
            std::string_view credentials = address.substr(0, at);
            auto colon = credentials.find(':');
            options.password = std::string(
                colon == std::string_view::npos ? credentials : credentials.substr(colon + 1));
            address.remove_prefix(at + 1);
        }
        if (auto slash = address.find('/'); slash != std::string_view::npos) {
            std::string_view db = address.substr(slash + 1);
            auto [end, error] = std::from_chars(db.data(), db.data() + db.size(), options.database);
            if (!db.empty() && (error != std::errc() || end != db.data() + db.size())) {
                return std::nullopt;
            }
            address = address.substr(0, slash);
        }
    }
    auto colon = address.rfind(':');
    if (colon != std::string_view::npos) {
        if (!parse_port(address.substr(colon + 1), options.port)) {
            return std::nullopt;
        }
        address = address.substr(0, colon);
    }
    if (address.empty()) {
        return std::nullopt;
    }
    options.host = std::string(address);
    return options;
}

RedisConnection::RedisConnection(RedisOptions options) : options_(std::move(options)) {}

RedisConnection::~RedisConnection() = default;

std::string RedisConnection::key(std::string_view suffix) const {
    return options_.key_prefix + ":" + std::string(suffix);
}

void RedisConnection::connect_locked() {
    auto made = std::make_unique<Context>();
    made->handle =
        redisConnectWithTimeout(options_.host.c_str(), options_.port, to_timeval(options_.timeout));
    if (!made->handle || made->handle->err) {
        std::string why = made->handle ? made->handle->errstr : "out of memory";
        throw std::system_error(
            errc::store_unavailable,
            "redis " + options_.host + ":" + std::to_string(options_.port) + ": " + why);
    }
    redisSetTimeout(made->handle, to_timeval(options_.timeout));
    context_ = std::move(made);
    auto expect_ok = [&](const std::vector<std::string>& arguments) {
        redisReply* reply = run(context_->handle, arguments);
        bool ok = reply && reply->type == REDIS_REPLY_STATUS;
        std::string why = reply && reply->type == REDIS_REPLY_ERROR
                              ? std::string(reply->str, reply->len)
                              : "no reply";
        if (reply) {
            freeReplyObject(reply);
        }
        if (!ok) {
            context_.reset();
            throw std::system_error(errc::store_unavailable, "redis " + arguments[0] + ": " + why);
        }
    };
    if (!options_.password.empty()) {
        expect_ok({"AUTH", options_.password});
    }
    if (options_.database != 0) {
        expect_ok({"SELECT", std::to_string(options_.database)});
    }
}

void RedisConnection::fail_locked() {
    // The connection is broken (or timed out): drop it; the next command reconnects.
    std::string why = context_->handle->errstr;
    context_.reset();
    owed_replies_ = 0;
    throw std::system_error(errc::store_unavailable, "redis: " + why);
}

void RedisConnection::drain_locked() {
    for (; owed_replies_ > 0; --owed_replies_) {
        redisReply* reply = get_reply(context_->handle);
        if (!reply) {
            fail_locked();
        }
        freeReplyObject(reply);
    }
}

namespace {

template <class Arguments>
RedisReply command_on(RedisConnection& connection, const Arguments& arguments) {
    auto replies =
        connection.pipeline({std::vector<std::string_view>(arguments.begin(), arguments.end())});
    return std::move(replies.front());
}

}  // namespace

RedisReply RedisConnection::command(const std::vector<std::string>& arguments) {
    return command_on(*this, arguments);
}

RedisReply RedisConnection::command(const std::vector<std::string_view>& arguments) {
    return command_on(*this, arguments);
}

RedisReply RedisConnection::command(std::initializer_list<std::string_view> arguments) {
    return command_on(*this, arguments);
}

std::vector<RedisReply> RedisConnection::pipeline(
    const std::vector<std::vector<std::string_view>>& commands) {
    std::lock_guard lock(mutex_);
    if (!context_) {
        connect_locked();
    }
    for (const auto& arguments : commands) {
        if (append(context_->handle, arguments) != REDIS_OK) {
            fail_locked();
        }
    }
    drain_locked();
    std::vector<RedisReply> out;
    out.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        redisReply* reply = get_reply(context_->handle);
        if (!reply) {
            fail_locked();
        }
        out.push_back(convert(reply));
        freeReplyObject(reply);
    }
    return out;
}

void RedisConnection::send(std::initializer_list<std::string_view> arguments) {
    std::lock_guard lock(mutex_);
    if (!context_) {
        connect_locked();
    }
    if (append(context_->handle, arguments) != REDIS_OK) {
        fail_locked();
    }
    int done = 0;
    while (!done) {
        if (redisBufferWrite(context_->handle, &done) != REDIS_OK) {
            fail_locked();
        }
    }
    ++owed_replies_;
}

}  // namespace gatewire
