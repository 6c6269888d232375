#include "gatewire/core/error.hpp"

#include <string>

#include "gatewire/core/close_code.hpp"
#include "gatewire/core/profile.hpp"

namespace gatewire {
namespace {

class GatewayCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "gatewire"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::decompression_failed:
                return "the compressed stream is corrupt";
            case errc::message_too_large:
                return "a message exceeded the size bound and was skipped";
            case errc::invalid_payload:
                return "a message is not a JSON gateway payload";
            case errc::command_too_large:
                return "the command exceeds the gateway's byte cap and was not sent";
            case errc::not_connected:
                return "the shard is not running";
            case errc::invalid_url:
                return "the gateway URL is not a ws:// or wss:// URL";
            case errc::unsupported_compression:
                return "the profile does not offer this compression";
            case errc::connect_timeout:
                return "connecting to the gateway timed out";
            case errc::stopped:
                return "the shard was stopped";
            case errc::unsupported_command:
                return "this gateway does not take that command";
            case errc::invalid_command:
                return "the command breaks the gateway's rules and was not sent";
            case errc::request_timed_out:
                return "not every reply arrived before the request's deadline";
            case errc::store_unavailable:
                return "the shared identify queue or session store did not answer";
            case errc::http_status:
                return "the HTTP request was answered with an error status";
            case errc::invalid_response:
                return "the HTTP answer is not the JSON expected";
            case errc::identify_rate_limited:
                return "the server did not answer Identify or Resume: its identify budget is spent";
            case errc::events_missed:
                return "events of the session never arrived";
            case errc::stale_dispatch:
                return "a dispatch of a session already given up was dropped";
            case errc::decode_warning:
                return "a field could not be read and was left empty";
            case errc::insecure_url:
                return "cleartext to a host not on loopback (set allow_insecure to allow it)";
            case errc::queue_full:
                return "a bounded queue is full";
            case errc::session_owned_opcode:
                return "Identify, Resume and Heartbeat are sent by the session, not as commands";
            case errc::wait_timed_out:
                return "no event the waiter wanted came before its timeout";
        }
        return "unknown gatewire error " + std::to_string(value);
    }
};

class CloseCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "gateway close"; }
    std::string message(int value) const override {
        // Meanings are shared by both gateways; the Discord table is the superset.
        CloseRule rule = profiles::discord().close_rule(static_cast<std::uint16_t>(value));
        std::string text = "close " + std::to_string(value);
        if (!rule.name.empty()) {
            text += " (" + std::string(rule.name) + "): " + std::string(rule.meaning);
        }
        return text;
    }
};

}  // namespace

const std::error_category& gateway_category() noexcept {
    static const GatewayCategory category;
    return category;
}

const std::error_category& close_category() noexcept {
    static const CloseCategory category;
    return category;
}

std::string_view to_string(CloseAction action) noexcept {
    switch (action) {
        case CloseAction::resume:
            return "resume";
        case CloseAction::identify:
            return "identify";
        case CloseAction::fatal:
            return "fatal";
    }
    return "?";
}

}  // namespace gatewire
