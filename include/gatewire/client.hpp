/// @file
/// One shard and its typed dispatcher: the usual way to run a bot.
///
///   gatewire::Client client(io.get_executor(), config);
///   client.on<gatewire::events::MessageCreate>([](const auto& m) { ... });
///   client.start();
///   io.run();
#pragma once

#include <optional>

#include <boost/asio/any_io_executor.hpp>

#include "gatewire/dispatcher.hpp"
#include "gatewire/shard.hpp"

namespace gatewire {

class Client {
  public:
    Client(boost::asio::any_io_executor io, ShardConfig config,
           std::optional<boost::asio::any_io_executor> handlers = std::nullopt)
        : shard_(std::move(io), std::move(config), std::move(handlers)) {
        shard_.on_event([this](const RawEvent& event) { dispatcher_.dispatch(event); });
    }

    template <Event E, class F>
    Subscription on(F handler) {
        return dispatcher_.on<E>(std::move(handler));
    }
    Subscription on_raw(Dispatcher::RawHandler handler) {
        return dispatcher_.on_raw(std::move(handler));
    }
    Subscription on_decode_error(Dispatcher::ErrorHandler handler) {
        return dispatcher_.on_decode_error(std::move(handler));
    }
    template <Event E, class Token>
    auto async_next(Token&& token) {
        return dispatcher_.async_next<E>(std::forward<Token>(token));
    }

    void start() { shard_.start(); }
    void stop(bool keep_resumable = false) { shard_.stop(keep_resumable); }

    Shard& shard() noexcept { return shard_; }
    Dispatcher& dispatcher() noexcept { return dispatcher_; }

  private:
    Dispatcher dispatcher_;  ///< declared first: outlives the shard's handlers
    Shard shard_;
};

}  // namespace gatewire
