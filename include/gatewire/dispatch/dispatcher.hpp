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
/// the shard stops reading its socket until it is down to half; no event is
/// dropped, heartbeats go on.
#pragma once

#include "gatewire/core/export.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
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
    /// Set for events taken from Redis (RedisEventWorker): with shard_id and
    /// seq it names the event once, whichever process handles it.
    std::string_view session_id;
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
    /// a callback, or use_future. Signature void(boost::system::error_code, E).
    /// Errors: errc::stopped when the dispatcher closes first,
    /// errc::wait_timed_out past the timeout, boost::asio::error::operation_aborted
    /// when cancelled (with use_awaitable they are thrown as
    /// boost::system::system_error).
    ///
    /// The completion runs on the token's associated executor: for
    /// use_awaitable the coroutine's own, never the shard's I/O executor unless
    /// the coroutine runs there. The operation supports per-operation
    /// cancellation (terminal, partial and total), so
    /// `co_await (d.async_next<E>(use_awaitable) || timer.async_wait(use_awaitable))`
    /// takes the waiter out when the timer wins.
    template <Event E, class Token>
    auto async_next(Token&& token) {
        return wait_for<E>([](const E&) { return true; }, std::nullopt, std::forward<Token>(token));
    }
    /// The next event of type E for which `accept(event)` is true (it runs in
    /// the handler context, in order with the handlers).
    template <Event E, class Predicate, class Token>
    requires std::is_invocable_r_v<bool, Predicate&, const E&>
    auto async_next(Predicate accept, Token&& token) {
        return wait_for<E>(std::move(accept), std::nullopt, std::forward<Token>(token));
    }
    /// Either, with a timeout: errc::wait_timed_out when none comes in time
    /// (the timer runs on the token's associated executor).
    template <Event E, class Token>
    auto async_next(std::chrono::steady_clock::duration timeout, Token&& token) {
        return wait_for<E>([](const E&) { return true; }, timeout, std::forward<Token>(token));
    }
    template <Event E, class Predicate, class Token>
    requires std::is_invocable_r_v<bool, Predicate&, const E&>
    auto async_next(Predicate accept, std::chrono::steady_clock::duration timeout, Token&& token) {
        return wait_for<E>(std::move(accept), timeout, std::forward<Token>(token));
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

    /// One waiter: whichever comes first of the event, the timeout, a
    /// cancellation and the dispatcher's close claims it; the others find it
    /// claimed and do nothing.
    template <class E>
    struct Waiter {
        using Signature = void(boost::system::error_code, E);

        // Built in place: Boost 1.81's any_completion_handler move assignment
        // recurses without end.
        template <class H>
        explicit Waiter(H&& h)
            : slot(boost::asio::get_associated_cancellation_slot(h)),
              executor(boost::asio::get_associated_executor(h)),
              handler(std::forward<H>(h)) {}

        boost::asio::cancellation_slot slot;
        boost::asio::any_io_executor executor;  // the handler's: the completion runs there
        boost::asio::any_completion_handler<Signature> handler;
        std::optional<boost::asio::steady_timer> timer;
        std::atomic<bool> claimed{false};
        std::mutex mutex;  // guards `subscription` and `done`
        Subscription subscription;
        bool done = false;

        bool claim() { return !claimed.exchange(true, std::memory_order_acq_rel); }
        void unsubscribe() {
            std::lock_guard lock(mutex);
            done = true;
            subscription.remove();
        }
        // On the handler's executor: the slot and the timer belong to it.
        static void finish(std::shared_ptr<Waiter> self, boost::system::error_code ec, E event,
                           bool post) {
            auto run = [self, ec, event = std::move(event)]() mutable {
                if (self->slot.is_connected()) {
                    self->slot.clear();
                }
                if (self->timer) {
                    self->timer->cancel();
                }
                auto completion = std::move(self->handler);
                std::move(completion)(ec, std::move(event));
            };
            if (post) {
                boost::asio::post(self->executor, std::move(run));
            } else {
                boost::asio::dispatch(self->executor, std::move(run));
            }
        }
    };

    template <Event E, class Predicate, class Token>
    auto wait_for(Predicate accept, std::optional<std::chrono::steady_clock::duration> timeout,
                  Token&& token) {
        using W = Waiter<E>;
        return boost::asio::async_initiate<Token, typename W::Signature>(
            [this](auto handler, Predicate wanted,
                   std::optional<std::chrono::steady_clock::duration> deadline) {
                auto w = std::make_shared<W>(std::move(handler));
                if (w->slot.is_connected()) {
                    // Emitted on the waiter's executor; the completion is posted,
                    // not run inside the slot's own handler (which it clears).
                    w->slot.assign([weak = std::weak_ptr<W>(w)](boost::asio::cancellation_type) {
                        if (auto self = weak.lock(); self && self->claim()) {
                            self->unsubscribe();
                            W::finish(self, boost::asio::error::operation_aborted, E{}, true);
                        }
                    });
                }
                if (deadline) {
                    w->timer.emplace(w->executor, *deadline);
                    w->timer->async_wait([weak = std::weak_ptr<W>(w)](boost::system::error_code) {
                        if (auto self = weak.lock(); self && self->claim()) {
                            self->unsubscribe();
                            W::finish(self, std::error_code(errc::wait_timed_out), E{}, false);
                        }
                    });
                }
                Subscription s = add(
                    event_type_of<E>,
                    [w, wanted = std::move(wanted)](const void* event,
                                                    const EventContext&) mutable {
                        const E& typed = *static_cast<const E*>(event);
                        if (w->claimed.load(std::memory_order_acquire) || !wanted(typed) ||
                            !w->claim()) {
                            return;
                        }
                        w->unsubscribe();
                        W::finish(w, boost::system::error_code(), typed, false);
                    },
                    false,
                    [w] {
                        if (w->claim()) {
                            W::finish(w, std::error_code(errc::stopped), E{}, false);
                        }
                    });
                std::lock_guard lock(w->mutex);
                if (w->done) {
                    s.remove();  // claimed while being added
                } else {
                    w->subscription = s;
                }
            },
            token, std::move(accept), timeout);
    }

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

    void deliver(EventType type, const Listeners& listeners, const void* event,
                 const RawEvent& raw);
    void report(const DecodeError& error);

    std::shared_ptr<Tables> tables_;
    DecodeOptions options_;
};

}  // namespace gatewire
