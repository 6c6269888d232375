/// @file
/// The typed event dispatcher: `on<events::MessageCreate>(handler)`.
///
/// A dispatch's `d` is decoded only when some handler or waiter listens for its
/// type, once, however many listen. Every dispatch, typed or not (an event name
/// gatewire does not know included), also reaches the raw listeners. A payload
/// that does not fit its struct goes to the decode-error listeners with the
/// field's path; the session is not affected.
///
/// Handlers run where the shard runs its handlers: off the I/O strand, one at a
/// time per shard, behind the shard's bounded queue. When that queue is full
/// the shard stops reading its socket until there is room; no event is
/// dropped, heartbeats go on.
#pragma once

#include "gatewire/core/export.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/system/error_code.hpp>

#include "gatewire/core/error.hpp"
#include "gatewire/dispatch/decode.hpp"
#include "gatewire/events/all.hpp"
#include "gatewire/events/raw_event.hpp"

namespace gatewire {

/// Where an event came from, for handlers that take it as a second argument.
struct EventContext {
    std::uint32_t shard_id = 0;
    std::uint64_t seq = 0;
    std::string_view name;
};

class GATEWIRE_API Dispatcher;

/// Names one registered listener; remove() unregisters it (from any thread,
/// also from inside a handler). Copies name the same listener.
class GATEWIRE_API Subscription {
  public:
    Subscription() = default;
    void remove();
    bool active() const;

  private:
    friend class Dispatcher;
    struct Token;
    Subscription(std::weak_ptr<Token> token) : token_(std::move(token)) {}
    std::weak_ptr<Token> token_;
};

/// A Subscription that removes its listener when it goes out of scope.
class ScopedSubscription {
  public:
    ScopedSubscription() = default;
    ScopedSubscription(Subscription s) : subscription_(std::move(s)) {}
    ScopedSubscription(ScopedSubscription&&) = default;
    ScopedSubscription& operator=(ScopedSubscription&& other) {
        subscription_.remove();
        subscription_ = std::exchange(other.subscription_, {});
        return *this;
    }
    ~ScopedSubscription() { subscription_.remove(); }

  private:
    Subscription subscription_;
};

class Dispatcher {
  public:
    using RawHandler = std::function<void(const RawEvent&)>;
    using ErrorHandler = std::function<void(const DecodeError&)>;

    Dispatcher();
    /// Waiters still pending complete with errc::stopped.
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    /// What the destructor does, early: pending waiters complete with
    /// errc::stopped, and nothing is delivered any more. Handlers and waiters
    /// added afterwards never run (a waiter completes at once with
    /// errc::stopped). Thread-safe.
    void close();

    /// `handler(const E&)` or `handler(const E&, const EventContext&)`.
    template <Event E, class F>
    Subscription on(F handler) {
        static_assert(std::is_invocable_v<F&, const E&> ||
                          std::is_invocable_v<F&, const E&, const EventContext&>,
                      "a handler takes (const E&) or (const E&, const EventContext&)");
        return add(
            event_type_of<E>,
            [f = std::move(handler)](const void* event, const EventContext& context) mutable {
                const E& typed = *static_cast<const E*>(event);
                if constexpr (std::is_invocable_v<F&, const E&, const EventContext&>) {
                    f(typed, context);
                } else {
                    f(typed);
                }
            },
            false);
    }

    /// Every dispatch as it arrived, typed or not.
    Subscription on_raw(RawHandler handler);
    /// Payloads that did not fit their struct.
    Subscription on_decode_error(ErrorHandler handler);
    /// How payloads are decoded (DecodeOptions::strict). Set before events flow.
    void set_decode_options(const DecodeOptions& options) noexcept { options_ = options; }

    /// Completes with the next event of type E: `co_await d.async_next<E>(use_awaitable)`,
    /// a callback, or use_future. Signature void(boost::system::error_code, E);
    /// the error is errc::stopped when the dispatcher goes away first (with
    /// use_awaitable: thrown as boost::system::system_error).
    template <Event E, class Token>
    auto async_next(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, E)>(
            [this](auto handler) {
                using Handler =
                    boost::asio::any_completion_handler<void(boost::system::error_code, E)>;
                auto waiter = std::make_shared<Handler>(std::move(handler));
                add(
                    event_type_of<E>,
                    [waiter](const void* event, const EventContext&) {
                        complete(std::move(*waiter), {}, *static_cast<const E*>(event));
                    },
                    true, [waiter] { complete(std::move(*waiter), errc::stopped, E{}); });
            },
            token);
    }

    /// Called with each dispatch, in order, from the shard's handler context.
    void dispatch(const RawEvent& event);

    /// Whether anything listens for `type` (so its payload will be decoded).
    bool wants(EventType type) const noexcept;

  private:
    using Invoke = std::function<void(const void*, const EventContext&)>;
    struct Listener;
    using Listeners = std::vector<Listener>;
    struct Tables;
    /// Decodes one event of a known type and delivers it to `listeners`.
    using Runner = void (*)(Dispatcher&, const RawEvent&, const Listeners& listeners);
    static const Runner runners[event_type_count];

    Subscription add(EventType type, Invoke invoke, bool once, std::function<void()> abandon = {});

    template <Event E>
    static void run(Dispatcher& self, const RawEvent& raw, const Listeners& listeners) {
        E event;
        DecodeError error;
        std::vector<DecodeError> warnings;
        if (!decode(raw, event, &error, self.options_, &warnings)) {
            self.report(error);
            return;
        }
        for (const auto& warning : warnings) {
            self.report(warning);  // the field is lost, the event is not
        }
        self.deliver(event_type_of<E>, listeners, &event, raw);
    }

    /// Runs the waiter's completion on its own executor (the coroutine's, for
    /// use_awaitable).
    template <class Handler, class E>
    static void complete(Handler handler, std::error_code ec, E event) {
        boost::asio::dispatch(boost::asio::append(std::move(handler), boost::system::error_code(ec),
                                                  std::move(event)));
    }

    void deliver(EventType type, const Listeners& listeners, const void* event,
                 const RawEvent& raw);
    void report(const DecodeError& error);

    std::shared_ptr<Tables> tables_;
    DecodeOptions options_;
};

}  // namespace gatewire
