#include "protocol/ready_fields.hpp"

#include <simdjson.h>

#include "gatewire/core/error.hpp"
#include "gatewire/core/url.hpp"

namespace gatewire::detail {

ReadyFields read_ready(const Envelope& envelope, const std::string& message, const Profile& profile,
                       bool allow_insecure) {
    ReadyFields ready;
    std::size_t offset = static_cast<std::size_t>(envelope.data.data() - message.data());
    simdjson::padded_string_view d(envelope.data.data(), envelope.data.size(),
                                   message.capacity() - offset);
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    std::string_view id;
    if (!parser.iterate(d).get(doc) && !doc["session_id"].get_string().get(id)) {
        ready.session_id = std::string(id);
    } else {
        ready.problems.emplace_back(errc::invalid_payload,
                                    "READY without a session_id: resuming will not work");
    }
    std::string_view url;
    if (profile.has_resume_gateway_url && !parser.iterate(d).get(doc) &&
        !doc["resume_gateway_url"].get_string().get(url)) {
        // The server picks this URL: one that cannot be parsed, or would
        // carry the token in clear, is not followed.
        auto parsed = Url::parse(url);
        if (!parsed) {
            ready.problems.emplace_back(errc::invalid_url,
                                        "ignored READY's resume_gateway_url: not a URL");
        } else if (parsed->cleartext_to_remote() && !allow_insecure) {
            ready.problems.emplace_back(
                errc::insecure_url, "ignored READY's cleartext resume_gateway_url; resuming on " +
                                        std::string(profile.name) + "'s gateway URL instead");
        } else {
            ready.resume_url = std::string(url);
        }
    }
    return ready;
}

}  // namespace gatewire::detail
