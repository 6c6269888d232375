// The few REST endpoints a gateway client asks before connecting: GET
// /gateway/bot, /users/@me and /oauth2/applications/@me (discord.py's login),
// and Fluxer's /.well-known/fluxer.
#include "sim/server_state.hpp"

#include <boost/beast/http.hpp>

namespace gatewire::sim {

using namespace std::chrono_literals;

namespace detail {

net::awaitable<void> Connection::answer_http(const http::request<http::string_body>& request) {
    std::string target(request.target());
    sim.stats().with([&](SimStats& st) { st.http_requests.push_back(target); });
    std::string path = target.substr(0, target.find('?'));
    http::response<http::string_body> response;
    response.version(request.version());
    response.set(http::field::content_type, "application/json");
    response.keep_alive(false);
    bool authorised = sim.config().token.empty() ||
                      request[http::field::authorization] == "Bot " + sim.config().token ||
                      request[http::field::authorization] == sim.config().token;
    if (path.ends_with("/.well-known/fluxer")) {
        response.result(http::status::ok);
        response.body() = sim.server.well_known_json(sim.http_url());
    } else if ((path.ends_with("/gateway/bot") || path.ends_with("/users/@me") ||
                path.ends_with("/applications/@me")) &&
               !authorised) {
        response.result(http::status::unauthorized);
        response.body() = R"({"message":"401: Unauthorized","code":0})";
    } else if (path.ends_with("/gateway/bot")) {
        response.result(http::status::ok);
        response.body() = sim.server.gateway_bot_json(SteadyClock::now());
    } else if (path.ends_with("/users/@me")) {
        // Libraries check their token with it before connecting (discord.py's login).
        response.result(http::status::ok);
        response.body() = GatewayServer::current_user_json();
    } else if (path.ends_with("/oauth2/applications/@me")) {
        response.result(http::status::ok);
        response.body() = GatewayServer::application_json();
    } else {
        response.result(http::status::not_found);
        response.body() = R"({"message":"404: Not Found","code":0})";
    }
    response.prepare_payload();
    beast::error_code ec;
    co_await http::async_write(beast::get_lowest_layer(ws), response, use_awaitable_ec(ec));
    beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace detail

}  // namespace gatewire::sim
