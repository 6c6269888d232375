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

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/dispatch.hpp>

#include "gatewire/client/member_requests.hpp"
#include "gatewire/dispatch/dispatcher.hpp"
#include "gatewire/transport/shard.hpp"

namespace gatewire {

class Client {
  public:
    /// Signature of async_stop: the finish error (none when stopped, else the
    /// fatal close code that ended the shard first) and, with keep_resumable,
    /// the session a new process can resume (none if it never had one).
    using StopSignature = void(boost::system::error_code, std::optional<ResumableSession>);

    /// Throws std::invalid_argument for a configuration the gateway would
    /// refuse anyway (see SessionConfig).
    Client(boost::asio::any_io_executor io, ShardConfig config,
           std::optional<boost::asio::any_io_executor> handlers = std::nullopt)
        : shard_(io, std::move(config), std::move(handlers)),
          member_requests_(io, *dispatcher_, shard_) {
        // The handler owns a share of the dispatcher: a Client destroyed by
        // one of its own listeners leaves the dispatch under way intact.
        shard_.on_event(
            [dispatcher = dispatcher_](const RawEvent& event) { dispatcher->dispatch(event); });
        shard_.on_state([hooks = hooks_](ShardState state, std::string_view detail) {
            for (const auto& handler : hooks->copy(hooks->state)) {
                handler(state, detail);
            }
        });
        shard_.on_error([hooks = hooks_](std::error_code error, std::string_view detail) {
            for (const auto& handler : hooks->copy(hooks->error)) {
                handler(error, detail);
            }
        });
        // The shard runs no handler once its destructor returns, so `shard`
        // outlives every call of this one.
        shard_.on_finish([hooks = hooks_, &shard = shard_](std::error_code error) {
            std::vector<Shard::FinishHandler> finish;
            std::vector<StopWaiter> stops;
            {
                std::lock_guard lock(hooks->mutex);
                hooks->finished = error ? std::optional(error) : std::optional(std::error_code());
                finish = hooks->finish;
                stops.swap(hooks->stops);
            }
            for (const auto& handler : finish) {
                handler(error);
            }
            for (auto& stop : stops) {
                complete_stop(std::move(stop), error, shard.session());
            }
        });
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
    /// See Dispatcher::async_next: optionally a predicate, a timeout, or both.
    template <Event E, class... Args>
    auto async_next(Args&&... args) {
        return dispatcher_->async_next<E>(std::forward<Args>(args)...);
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

    /// Each shard state change, with a detail for people (in the handler
    /// context, in order with the events). Add these before start().
    void on_state(Shard::StateHandler handler) { hooks_->add(hooks_->state, std::move(handler)); }
    /// What the session survives: a corrupt frame, a zombie connection, …
    void on_error(Shard::ErrorHandler handler) { hooks_->add(hooks_->error, std::move(handler)); }
    /// Called once, last: no error when stopped, else the fatal close code.
    void on_finish(Shard::FinishHandler handler) {
        hooks_->add(hooks_->finish, std::move(handler));
    }

    void start() { shard_.start(); }
    /// Close and finish; with `keep_resumable` the server keeps the session
    /// (session() tells it) for a new process to resume.
    void stop(bool keep_resumable = false) { shard_.stop(keep_resumable); }
    /// stop() that completes once the shard has finished:
    /// `auto saved = co_await client.async_stop(true, use_awaitable);`. See
    /// StopSignature; the completion runs on the token's associated executor.
    template <class Token>
    auto async_stop(bool keep_resumable, Token&& token) {
        return boost::asio::async_initiate<Token, StopSignature>(
            [this](auto handler, bool keep) {
                StopWaiter waiter(std::move(handler));
                std::optional<std::error_code> finished;
                {
                    std::lock_guard lock(hooks_->mutex);
                    finished = hooks_->finished;
                    if (!finished) {
                        hooks_->stops.push_back(std::move(waiter));
                    }
                }
                if (finished) {
                    complete_stop(std::move(waiter), *finished, shard_.session());
                    return;
                }
                shard_.stop(keep);
            },
            token, keep_resumable);
    }

    /// Thread-safe inspection.
    ShardState state() const { return shard_.state(); }
    /// The time from the last heartbeat to its ACK; none before the first ACK.
    std::optional<std::chrono::microseconds> latency() const { return shard_.latency(); }
    /// The session as a new process would resume it (seq: the last event handled).
    std::optional<ResumableSession> session() const { return shard_.session(); }
    SessionStats stats() const { return shard_.stats(); }
    Backlog backlog() const { return shard_.backlog(); }
    std::uint32_t id() const noexcept { return shard_.id(); }
    const Profile& profile() const noexcept { return shard_.profile(); }

    /// The shard beneath, for what the Client does not pass through. Its
    /// on_event/on_state/on_error/on_finish are the Client's own: register
    /// through the Client, or its dispatcher and async_stop stop working.
    Shard& shard() noexcept { return shard_; }
    Dispatcher& dispatcher() noexcept { return *dispatcher_; }

  private:
    using StopWaiter = boost::asio::any_completion_handler<StopSignature>;

    // The listeners the Client fans the shard's single handlers out to.
    struct Hooks {
        std::mutex mutex;
        std::vector<Shard::StateHandler> state;
        std::vector<Shard::ErrorHandler> error;
        std::vector<Shard::FinishHandler> finish;
        std::vector<StopWaiter> stops;
        std::optional<std::error_code> finished;  // set once the shard has finished

        template <class H>
        void add(std::vector<H>& list, H handler) {
            std::lock_guard lock(mutex);
            list.push_back(std::move(handler));
        }
        template <class H>
        std::vector<H> copy(const std::vector<H>& list) {
            std::lock_guard lock(mutex);
            return list;
        }
    };

    static void complete_stop(StopWaiter waiter, std::error_code error,
                              std::optional<ResumableSession> session) {
        boost::asio::dispatch(boost::asio::append(
            std::move(waiter), boost::system::error_code(error), std::move(session)));
    }

    std::shared_ptr<Hooks> hooks_ = std::make_shared<Hooks>();
    std::shared_ptr<Dispatcher> dispatcher_ = std::make_shared<Dispatcher>();
    Shard shard_;
    MemberRequests member_requests_;
};

}  // namespace gatewire
