/// @file
/// One shard and its typed dispatcher: the usual way to run a bot.
///
/// @code
///   gatewire::Client client(io.get_executor(), config);
///   client.on<gatewire::events::MessageCreate>([](const auto& m) { ... });
///   client.start();
///   io.run();
/// @endcode
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>

#include "gatewire/client/member_requests.hpp"
#include "gatewire/dispatch/dispatcher.hpp"
#include "gatewire/transport/shard.hpp"

namespace gatewire {

class Client {
  public:
    Client(boost::asio::any_io_executor io, ShardConfig config,
           std::optional<boost::asio::any_io_executor> handlers = std::nullopt)
        : shard_(io, std::move(config), std::move(handlers)),
          member_requests_(io, *dispatcher_, shard_) {
        // The handler owns a share of the dispatcher: a Client destroyed by
        // one of its own listeners leaves the dispatch under way intact.
        shard_.on_event(
            [dispatcher = dispatcher_](const RawEvent& event) { dispatcher->dispatch(event); });
    }
    /// Safe at any time, from any thread, from inside a handler too: waiters
    /// complete with errc::stopped, the shard stops, and once the destructor
    /// returns none of the Client's handlers runs again (on_finish included).
    /// From another thread it waits for a handler already running to return.
    ~Client() { dispatcher_->close(); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    template <Event E, class F>
    Subscription on(F handler) {
        return dispatcher_->on<E>(std::move(handler));
    }
    Subscription on_raw(Dispatcher::RawHandler handler) {
        return dispatcher_->on_raw(std::move(handler));
    }
    Subscription on_decode_error(Dispatcher::ErrorHandler handler) {
        return dispatcher_->on_decode_error(std::move(handler));
    }
    template <Event E, class Token>
    auto async_next(Token&& token) {
        return dispatcher_->async_next<E>(std::forward<Token>(token));
    }

    /// A command from gatewire/protocol/commands.hpp, e.g.
    /// `client.send(commands::UpdatePresence{…})`.
    template <commands::Command C>
    std::error_code send(const C& command) {
        return shard_.send(command);
    }

    /// Requests members and calls `done` once with all the replies put
    /// together, or with errc::request_timed_out and what arrived in time.
    void request_members(commands::RequestGuildMembers request, MemberRequests::Done done,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        member_requests_.request(std::move(request), timeout, std::move(done));
    }
    /// The same as an asynchronous operation: `co_await
    /// client.async_request_members(request, use_awaitable)`, a callback or
    /// use_future. Signature void(boost::system::error_code, MembersResult).
    template <class Token>
    auto async_request_members(commands::RequestGuildMembers request, Token&& token,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        using Signature = void(boost::system::error_code, MembersResult);
        return boost::asio::async_initiate<Token, Signature>(
            [this, timeout](auto handler, commands::RequestGuildMembers r) {
                using Handler = boost::asio::any_completion_handler<Signature>;
                auto waiting = std::make_shared<Handler>(std::move(handler));
                request_members(
                    std::move(r),
                    [waiting](std::error_code error, MembersResult result) {
                        // On the caller's own executor (the coroutine's, for use_awaitable).
                        boost::asio::dispatch(boost::asio::append(std::move(*waiting),
                                                                  boost::system::error_code(error),
                                                                  std::move(result)));
                    },
                    timeout);
            },
            token, std::move(request));
    }

    void start() { shard_.start(); }
    void stop(bool keep_resumable = false) { shard_.stop(keep_resumable); }

    Shard& shard() noexcept { return shard_; }
    Dispatcher& dispatcher() noexcept { return *dispatcher_; }

  private:
    std::shared_ptr<Dispatcher> dispatcher_ = std::make_shared<Dispatcher>();
    Shard shard_;
    MemberRequests member_requests_;
};

}  // namespace gatewire
