// wss:// verifies the server's certificate chain and host name by default.
// A loopback TLS WebSocket server with a certificate made here, in memory.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "gatewire/transport/shard.hpp"

namespace tls_tests {

using namespace gatewire;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;

namespace {

struct Pem {
    std::string certificate;
    std::string key;
};

// A self-signed certificate for DNS name "localhost" only.
Pem make_certificate() {
    EVP_PKEY* key = EVP_EC_gen("prime256v1");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("gatewire test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    auto to_string = [](BIO* bio) {
        char* data = nullptr;
        long size = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(size));
        BIO_free(bio);
        return out;
    };
    BIO* cert_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, cert);
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    Pem pem{to_string(cert_bio), to_string(key_bio)};
    X509_free(cert);
    EVP_PKEY_free(key);
    return pem;
}

// Accepts TLS WebSocket connections and sends Hello; counts upgrades.
struct TlsServer {
    net::io_context io;
    ssl::context tls{ssl::context::tls_server};
    net::ip::tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), 0}};
    std::atomic<int> upgrades{0};
    std::thread thread;

    explicit TlsServer(const Pem& pem) {
        tls.use_certificate_chain(net::buffer(pem.certificate));
        tls.use_private_key(net::buffer(pem.key), ssl::context::pem);
        net::co_spawn(io, accept_loop(), net::detached);
        thread = std::thread([this] { io.run(); });
    }
    ~TlsServer() {
        net::post(io, [this] { io.stop(); });
        thread.join();
    }
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }

    net::awaitable<void> accept_loop() {
        for (;;) {
            beast::error_code ec;
            auto socket =
                co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
            if (ec) {
                co_return;
            }
            net::co_spawn(io, serve(std::move(socket)), net::detached);
        }
    }

    net::awaitable<void> serve(net::ip::tcp::socket socket) {
        beast::websocket::stream<ssl::stream<beast::tcp_stream>> ws(std::move(socket), tls);
        beast::error_code ec;
        co_await ws.next_layer().async_handshake(ssl::stream_base::server,
                                                 net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        co_await ws.async_accept(net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        ++upgrades;
        std::string hello = R"({"op":10,"d":{"heartbeat_interval":41250}})";
        co_await ws.async_write(net::buffer(hello), net::redirect_error(net::use_awaitable, ec));
        beast::flat_buffer buffer;
        while (!ec) {
            co_await ws.async_read(buffer, net::redirect_error(net::use_awaitable, ec));
            buffer.clear();
        }
    }
};

struct Outcome {
    int upgrades;
    std::vector<std::string> errors;
    bool identified;
};

Outcome connect(const std::string& host, const std::string& ca_file, TlsServer& server) {
    net::io_context io;
    ShardConfig config;
    config.session.url = "wss://" + host + ":" + std::to_string(server.port());
    config.session.token = "t";
    config.session.compression = Compression::none;
    config.session.backoff.initial = 50ms;
    config.ca_file = ca_file;
    config.connect_timeout = 5s;
    Shard shard(io.get_executor(), config);
    std::mutex mutex;
    Outcome outcome{0, {}, false};
    shard.on_error([&](std::error_code, std::string_view detail) {
        std::lock_guard lock(mutex);
        outcome.errors.emplace_back(detail);
    });
    shard.on_state([&](ShardState state, std::string_view) {
        std::lock_guard lock(mutex);
        outcome.identified = outcome.identified || state == ShardState::identifying;
    });
    std::promise<void> finished;
    shard.on_finish([&](std::error_code) { finished.set_value(); });
    shard.start();
    std::thread runner([&] { io.run(); });
    for (int i = 0; i < 200; ++i) {
        std::this_thread::sleep_for(10ms);
        std::lock_guard lock(mutex);
        if (outcome.identified || outcome.errors.size() >= 2) {
            break;
        }
    }
    shard.stop();
    REQUIRE(finished.get_future().wait_for(10s) == std::future_status::ready);
    runner.join();
    outcome.upgrades = server.upgrades.exchange(0);
    return outcome;
}

}  // namespace

TEST_CASE("wss: certificates and host names are verified by default") {
    Pem pem = make_certificate();
    auto ca_file = std::filesystem::temp_directory_path() /
                   ("gatewire-test-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_file) << pem.certificate;
    TlsServer server(pem);

    SECTION("an untrusted certificate is refused") {
        Outcome outcome = connect("localhost", "", server);
        CHECK(outcome.upgrades == 0);
        CHECK_FALSE(outcome.identified);
        REQUIRE_FALSE(outcome.errors.empty());
        CHECK(outcome.errors.front().find("certificate") != std::string::npos);
    }
    SECTION("a trusted certificate for the right host name is accepted") {
        Outcome outcome = connect("localhost", ca_file.string(), server);
        CHECK(outcome.identified);
        CHECK(outcome.upgrades >= 1);
    }
    SECTION("a trusted certificate for another host name is refused") {
        Outcome outcome = connect("127.0.0.1", ca_file.string(), server);
        CHECK(outcome.upgrades == 0);
        CHECK_FALSE(outcome.identified);
        REQUIRE_FALSE(outcome.errors.empty());
    }
    std::filesystem::remove(ca_file);
}

}  // namespace tls_tests
