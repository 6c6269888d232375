// What a worker reads back from Redis, and what a publisher routes by. The
// input's lines are an entry's fields (name, value, …) as XREADGROUP returns
// them; a few become other reply kinds. An entry that parses, written back
// as a publisher writes it, parses to the same event. Its `d` (or, when it
// does not parse, the whole input) is routed by guild, once read in place
// from inside a larger message and once copied: both must agree.
#include <string>

#include "fuzz_check.hpp"
#include "gatewire/redis/event_stream.hpp"

using namespace gatewire;
using namespace gatewire::fuzz;

namespace {

RedisReply text_reply(std::string text) {
    RedisReply reply;
    reply.kind = RedisReply::Kind::text;
    reply.text = std::move(text);
    return reply;
}

RedisReply written_back(const RawEvent& event) {
    RedisReply fields;
    fields.kind = RedisReply::Kind::array;
    for (std::string text :
         {std::string("t"), event.name, std::string("shard"), std::to_string(event.shard_id),
          std::string("session"), event.session_id, std::string("seq"), std::to_string(event.seq),
          std::string("d"), std::string(event.data())}) {
        fields.elements.push_back(text_reply(std::move(text)));
    }
    return fields;
}

Snowflake routed(std::string_view name, std::string_view d, bool in_place) {
    RawEvent event;
    event.name = name;
    std::string prefix = R"({"t":")" + event.name + R"(","s":1,"op":0,"d":)";
    event.message = prefix;
    event.message.append(d).append("}");
    if (in_place) {
        event.message.reserve(event.message.size() + 128);
    } else {
        event.message.shrink_to_fit();
    }
    event.data_offset = prefix.size();
    event.data_size = d.size();
    return routing_guild(event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes bytes{data, size};
    Choices choices(bytes);
    RedisReply fields;
    fields.kind = RedisReply::Kind::array;
    for (Bytes line : split_after(bytes, "\n")) {
        std::string text(text_of(line));
        if (!text.empty() && text.back() == '\n') {
            text.pop_back();
        }
        RedisReply element = text_reply(std::move(text));
        if (choices.below(64) == 0) {
            element.kind = choices.below(2) ? RedisReply::Kind::nil : RedisReply::Kind::integer;
        }
        fields.elements.push_back(std::move(element));
    }

    std::string problem;
    std::optional<RawEvent> event = parse_stream_entry(fields, problem);
    std::string_view d = text_of(bytes);
    if (event) {
        FUZZ_CHECK(problem.empty());
        FUZZ_CHECK(!event->name.empty());
        FUZZ_CHECK(event->resume_seq == event->seq);
        std::string again_problem;
        std::optional<RawEvent> again = parse_stream_entry(written_back(*event), again_problem);
        FUZZ_CHECK(again);
        FUZZ_CHECK(again->name == event->name && again->shard_id == event->shard_id &&
                   again->session_id == event->session_id && again->seq == event->seq &&
                   again->data() == event->data());
        d = event->data();
    } else {
        FUZZ_CHECK(!problem.empty());
    }

    for (std::string_view name : {"MESSAGE_CREATE", "GUILD_CREATE"}) {
        Snowflake in_place = routed(name, d, true);
        FUZZ_CHECK(in_place == routed(name, d, false));
        if (in_place.value != 0) {
            FUZZ_CHECK(d.find(std::to_string(in_place.value)) != std::string_view::npos);
        }
    }
    return 0;
}
