// The few REST endpoints a gateway client asks before connecting.
#include "sim/server_state.hpp"

#include <boost/beast/http.hpp>

namespace gatewire::sim {

using namespace std::chrono_literals;

namespace detail {

net::awaitable<void> Connection::answer_http(const http::request<http::string_body>& request) {
    std::string target(request.target());
    sim.with_stats([&](SimStats& st) { st.http_requests.push_back(target); });
    std::string path = target.substr(0, target.find('?'));
    http::response<http::string_body> response;
    response.version(request.version());
    response.set(http::field::content_type, "application/json");
    response.keep_alive(false);
    bool authorised = sim.config.token.empty() ||
                      request[http::field::authorization] == "Bot " + sim.config.token ||
                      request[http::field::authorization] == sim.config.token;
    if (path.ends_with("/.well-known/fluxer")) {
        response.result(http::status::ok);
        response.body() = sim.well_known_json();
    } else if (path.ends_with("/gateway/bot") && !authorised) {
        response.result(http::status::unauthorized);
        response.body() = R"({"message":"401: Unauthorized","code":0})";
    } else if (path.ends_with("/gateway/bot")) {
        response.result(http::status::ok);
        response.body() = sim.gateway_bot_json();
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

std::string Simulator::Impl::gateway_bot_json() {
    auto now = SteadyClock::now();
    std::uint32_t left = session_starts(now);
    auto reset_after =
        std::chrono::duration_cast<std::chrono::milliseconds>(session_starts_reset - now);
    return json{{"url", url()},
                {"shards", config.shards},
                {"session_start_limit",
                 {{"total", config.session_start_total},
                  {"remaining", left},
                  {"reset_after", reset_after.count()},
                  {"max_concurrency", config.max_concurrency}}}}
        .dump();
}

std::string Simulator::Impl::well_known_json() const {
    return json{{"api_code_version", 1},
                {"endpoints", {{"api", http_url() + "/api"}, {"gateway", url()}}}}
        .dump();
}

}  // namespace gatewire::sim
