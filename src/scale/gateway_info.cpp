#include "gatewire/scale/gateway_info.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <nlohmann/json.hpp>

#include "detail/tls_client.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/core/url.hpp"

namespace gatewire {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t max_body_bytes = 1024 * 1024;

std::string default_api_url(const Profile& profile) {
    return profile.name == "fluxer" ? "https://api.fluxer.app/v1" : "https://discord.com/api/v10";
}

bool discovers_gateway(const Profile& profile) {
    // Fluxer's /gateway/bot answers placeholders; its discovery document is the truth.
    return profile.name == "fluxer";
}

template <class Stream>
net::awaitable<std::pair<beast::error_code, http::response<http::string_body>>> exchange(
    Stream& stream, const Url& url, const std::string& target, const std::string& authorization) {
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, url.host);
    request.set(http::field::user_agent, "gatewire/0.1");
    request.set(http::field::accept, "application/json");
    if (!authorization.empty()) {
        request.set(http::field::authorization, authorization);
    }
    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
    if (!ec) {
        beast::flat_buffer buffer;
        co_await http::async_read(stream, buffer, parser,
                                  net::redirect_error(net::use_awaitable, ec));
    }
    co_return std::pair{ec, parser.release()};
}

net::awaitable<void> fetch(net::any_io_executor io, GatewayInfoRequest request,
                           GatewayInfoHandler done) {
    const Profile& profile = request.profile;
    std::string base = request.api_url.empty() ? default_api_url(profile) : request.api_url;
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    auto url = Url::parse(base);
    if (!url || (url->scheme != "http" && url->scheme != "https")) {
        done(errc::invalid_url, {});
        co_return;
    }
    if (url->cleartext_to_remote() && !request.allow_insecure) {
        done(errc::insecure_url, {});  // `Authorization: Bot …` would cross the network in clear
        co_return;
    }
    std::string path = url->target == "/" ? "" : url->target;
    std::string target =
        path + (discovers_gateway(profile) ? "/.well-known/fluxer" : "/gateway/bot");
    std::string authorization =
        discovers_gateway(profile) || request.token.empty() ? "" : "Bot " + request.token.value;

    beast::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = co_await resolver.async_resolve(url->host, url->port,
                                                     net::redirect_error(net::use_awaitable, ec));
    std::pair<beast::error_code, http::response<http::string_body>> answer;
    if (!ec && url->secure) {
        auto tls = detail::shared_client_tls(request.ca_file);
        beast::ssl_stream<beast::tcp_stream> stream(io, *tls);
        beast::get_lowest_layer(stream).expires_after(request.timeout);
        co_await beast::get_lowest_layer(stream).async_connect(
            endpoints, net::redirect_error(net::use_awaitable, ec));
        if (!ec) {
            ec = detail::expect_host(stream, url->host);
        }
        if (!ec) {
            co_await stream.async_handshake(net::ssl::stream_base::client,
                                            net::redirect_error(net::use_awaitable, ec));
        }
        if (!ec) {
            answer = co_await exchange(stream, *url, target, authorization);
            ec = answer.first;
        }
    } else if (!ec) {
        beast::tcp_stream stream(io);
        stream.expires_after(request.timeout);
        co_await stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
        if (!ec) {
            answer = co_await exchange(stream, *url, target, authorization);
            ec = answer.first;
        }
    }
    if (ec) {
        done(ec == beast::error::timeout ? std::error_code(errc::connect_timeout)
                                         : static_cast<std::error_code>(ec),
             {});
        co_return;
    }
    if (answer.second.result_int() != 200) {
        done(errc::http_status, {});
        co_return;
    }
    auto info = parse_gateway_info(profile, answer.second.body());
    if (!info) {
        done(errc::invalid_response, {});
        co_return;
    }
    done({}, std::move(*info));
}

}  // namespace

std::optional<GatewayInfo> parse_gateway_info(const Profile& profile, std::string_view body) {
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object()) {
        return std::nullopt;
    }
    GatewayInfo info;
    if (discovers_gateway(profile)) {
        if (!doc.contains("endpoints") || !doc["endpoints"].is_object() ||
            !doc["endpoints"].contains("gateway") || !doc["endpoints"]["gateway"].is_string()) {
            return std::nullopt;
        }
        info.url = doc["endpoints"]["gateway"].get<std::string>();
        return info;
    }
    // Counts must fit their type: 2^32 shards is not read as 0.
    constexpr std::uint64_t most = std::numeric_limits<std::uint32_t>::max();
    if (!doc.contains("url") || !doc["url"].is_string() || !doc.contains("shards") ||
        !doc["shards"].is_number_unsigned() || doc["shards"].get<std::uint64_t>() == 0 ||
        doc["shards"].get<std::uint64_t>() > most) {
        return std::nullopt;
    }
    info.url = doc["url"].get<std::string>();
    info.shards = doc["shards"].get<std::uint32_t>();
    if (doc.contains("session_start_limit") && doc["session_start_limit"].is_object()) {
        const auto& limit = doc["session_start_limit"];
        auto number = [&](const char* key) -> std::optional<std::uint64_t> {
            if (!limit.contains(key) || !limit[key].is_number_unsigned()) {
                return std::nullopt;
            }
            return limit[key].get<std::uint64_t>();
        };
        auto total = number("total");
        auto remaining = number("remaining");
        auto reset_after = number("reset_after");
        auto max_concurrency = number("max_concurrency");
        if (!total || !remaining || !reset_after || !max_concurrency || *max_concurrency == 0 ||
            *total > most || *remaining > most || *max_concurrency > most ||
            *reset_after > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        info.session_start_limit = SessionStartLimit{
            static_cast<std::uint32_t>(*total), static_cast<std::uint32_t>(*remaining),
            std::chrono::milliseconds(*reset_after), static_cast<std::uint32_t>(*max_concurrency)};
    }
    return info;
}

void async_fetch_gateway_info(net::any_io_executor io, GatewayInfoRequest request,
                              GatewayInfoHandler done) {
    net::co_spawn(io, fetch(io, std::move(request), std::move(done)), net::detached);
}

GatewayInfo fetch_gateway_info(GatewayInfoRequest request) {
    net::io_context io;
    std::error_code error;
    GatewayInfo info;
    async_fetch_gateway_info(io.get_executor(), std::move(request),
                             [&](std::error_code e, GatewayInfo i) {
                                 error = e;
                                 info = std::move(i);
                             });
    io.run();
    if (error) {
        throw std::system_error(error, "fetching the gateway's information");
    }
    return info;
}

}  // namespace gatewire
