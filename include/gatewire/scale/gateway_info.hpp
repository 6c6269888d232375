/// @file
/// What a bot asks before it connects: the gateway URL and, on Discord, the
/// recommended shard count and the identify budget (`GET /gateway/bot`, over
/// HTTPS with the bot token). On Fluxer the gateway URL of an instance comes
/// from its discovery document (`GET /.well-known/fluxer` → endpoints.gateway).
///
/// @code
///   gatewire::GatewayInfoRequest request;
///   request.token = token;
///   auto info = gatewire::fetch_gateway_info(request);  // blocking
///   cluster_config.shards = {0, info.shards - 1, info.shards};
///   cluster_config.session_start_limit = info.session_start_limit;
/// @endcode
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>

#include "gatewire/core/export.hpp"
#include "gatewire/core/profile.hpp"
#include "gatewire/core/secret.hpp"
#include "gatewire/scale/identify_scheduler.hpp"

namespace gatewire {

struct GatewayInfoRequest {
    Profile profile = profiles::discord();
    Secret token;  ///< Discord: the bot token (sent as `Bot <token>`); never logged
    /// Empty: https://discord.com/api/v10 (Discord), https://api.fluxer.app/v1 (Fluxer).
    std::string api_url;
    std::chrono::milliseconds timeout{15000};
    std::string ca_file;  ///< extra trusted certificates (PEM), as ShardConfig::ca_file
    /// Allow http:// to a host other than loopback (the token in clear).
    bool allow_insecure = false;
};

struct GatewayInfo {
    std::string url;           ///< the gateway's WebSocket URL
    std::uint32_t shards = 1;  ///< recommended shard count (Fluxer: 1)
    /// Discord only; max_concurrency tells the identify buckets.
    std::optional<SessionStartLimit> session_start_limit;
};

/// Reads the answer of GET /gateway/bot or of /.well-known/fluxer; empty when
/// it is not one.
GATEWIRE_API std::optional<GatewayInfo> parse_gateway_info(const Profile& profile,
                                                           std::string_view body);

using GatewayInfoHandler = std::function<void(std::error_code, GatewayInfo)>;

/// Asks on `io`; `done` runs there. Errors: the network's, the TLS
/// verification's, errc::http_status (401 for a bad token), errc::invalid_response.
GATEWIRE_API void async_fetch_gateway_info(boost::asio::any_io_executor io,
                                           GatewayInfoRequest request, GatewayInfoHandler done);

/// The same, blocking on an io_context of its own; throws std::system_error.
GATEWIRE_API GatewayInfo fetch_gateway_info(GatewayInfoRequest request);

}  // namespace gatewire
