// TLS as every client connection of gatewire uses it: the system's trusted
// certificates (plus an optional PEM file), peer verification, server name
// indication and host name verification.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl.hpp>

namespace gatewire::detail {

inline void configure_client_tls(boost::asio::ssl::context& tls, const std::string& ca_file) {
    tls.set_verify_mode(boost::asio::ssl::verify_peer);
    tls.set_default_verify_paths();
    if (!ca_file.empty()) {
        tls.load_verify_file(ca_file);
    }
}

/// One context per set of trusted certificates, shared by every connection
/// that uses it (an SSL_CTX serves many connections at once): loading the
/// system store costs milliseconds and hundreds of KiB, too much to pay per
/// shard. It lives while a connection holds it.
inline std::shared_ptr<boost::asio::ssl::context> shared_client_tls(const std::string& ca_file) {
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<boost::asio::ssl::context>> contexts;
    std::lock_guard lock(mutex);
    if (auto existing = contexts[ca_file].lock()) {
        return existing;
    }
    auto made = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    configure_client_tls(*made, ca_file);
    contexts[ca_file] = made;
    return made;
}

/// Before the handshake: the host name to ask for and to verify.
template <class SslStream>
boost::system::error_code expect_host(SslStream& stream, const std::string& host) {
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
        return {static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category()};
    }
    stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
    return {};
}

}  // namespace gatewire::detail
