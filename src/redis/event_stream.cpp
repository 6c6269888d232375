#include "gatewire/redis/event_stream.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace gatewire {

std::string EventStreams::key_of(std::string_view prefix, std::uint32_t shard_id,
                                 Snowflake guild) const {
    std::string key(prefix);
    if (partition == Partition::shard) {
        return key.append(":events:shard:").append(std::to_string(shard_id));
    }
    std::uint64_t bucket = guild_buckets == 0 ? 0 : guild.value % guild_buckets;
    return key.append(":events:guilds:").append(std::to_string(bucket));
}

std::vector<std::string> EventStreams::all_keys(std::string_view prefix) const {
    std::vector<std::string> keys;
    if (partition == Partition::shard) {
        for (std::uint32_t id = 0; id < shard_count; ++id) {
            keys.push_back(key_of(prefix, id, Snowflake()));
        }
    } else {
        for (std::uint32_t bucket = 0; bucket < std::max<std::uint32_t>(1, guild_buckets);
             ++bucket) {
            keys.push_back(key_of(prefix, 0, Snowflake(bucket)));
        }
    }
    return keys;
}

Snowflake routing_guild(const RawEvent& event) {
    static thread_local simdjson::ondemand::parser parser;
    // Always from a copy padded with zeros: read in place, what simdjson
    // makes of a malformed `d` depends on the bytes after it (the fuzz target
    // found one routed two ways), and a guild's events must share a stream.
    static thread_local std::string padded;
    std::string_view d = event.data();
    padded.assign(d);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::padded_string_view input(padded.data(), d.size(), padded.size());
    bool about_guild = event.name == "GUILD_CREATE" || event.name == "GUILD_UPDATE" ||
                       event.name == "GUILD_DELETE";
    simdjson::ondemand::document doc;
    simdjson::ondemand::object object;
    if (parser.iterate(input).get(doc) || doc.get_object().get(object)) {
        return Snowflake();
    }
    std::string_view text;
    if (object.find_field_unordered(about_guild ? "id" : "guild_id").get_string().get(text)) {
        return Snowflake();
    }
    return Snowflake::parse(text).value_or(Snowflake());
}

namespace {

// A decimal number and nothing else, as the publisher writes them.
template <class Number>
bool parse_number(const std::string& text, Number& out) {
    const char* end = text.data() + text.size();
    auto [at, error] = std::from_chars(text.data(), end, out);
    return !text.empty() && error == std::errc() && at == end;
}

}  // namespace

std::optional<RawEvent> parse_stream_entry(const RedisReply& fields, std::string& problem) {
    if (fields.kind != RedisReply::Kind::array || fields.elements.size() % 2 != 0) {
        problem = "its fields are not name-value pairs";
        return std::nullopt;
    }
    constexpr std::array<std::string_view, 5> names{"t", "shard", "session", "seq", "d"};
    std::array<const std::string*, names.size()> values{};
    for (std::size_t i = 0; i < fields.elements.size(); i += 2) {
        const RedisReply& name = fields.elements[i];
        const RedisReply& value = fields.elements[i + 1];
        if (name.kind != RedisReply::Kind::text || value.kind != RedisReply::Kind::text) {
            problem = "a field or its value is not a string";
            return std::nullopt;
        }
        auto known = std::find(names.begin(), names.end(), name.text);
        if (known == names.end()) {
            continue;  // a field a later publisher adds
        }
        auto& slot = values[static_cast<std::size_t>(known - names.begin())];
        if (slot) {
            problem = "field " + name.text + " is there twice";
            return std::nullopt;
        }
        slot = &value.text;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (!values[i]) {
            problem = "field " + std::string(names[i]) + " is missing";
            return std::nullopt;
        }
    }
    RawEvent event;
    if (!parse_number(*values[1], event.shard_id)) {
        problem = "shard is not a number";
        return std::nullopt;
    }
    if (!parse_number(*values[3], event.seq)) {
        problem = "seq is not a number";
        return std::nullopt;
    }
    if (values[0]->empty()) {
        problem = "t is empty";
        return std::nullopt;
    }
    event.name = *values[0];
    event.session_id = *values[2];
    event.message = *values[4];
    event.resume_seq = event.seq;
    event.data_offset = 0;
    event.data_size = event.message.size();
    return event;
}

}  // namespace gatewire
