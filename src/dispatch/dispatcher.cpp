#include "gatewire/dispatch/dispatcher.hpp"

#include <algorithm>
#include <array>
#include <exception>

#include <spdlog/spdlog.h>

#include "gatewire/core/log.hpp"

namespace gatewire {

struct Subscription::Token {
    std::function<void()> remove;
};

void Subscription::remove() {
    if (auto token = token_.lock()) {
        token->remove();
    }
    token_.reset();
}

bool Subscription::active() const {
    return !token_.expired();
}

// Every listener carries the token its Subscription watches, so a
// subscription is active exactly while its listener is registered.
struct Dispatcher::Listener {
    std::uint64_t id = 0;
    Invoke invoke;
    bool once = false;
    std::function<void()> abandon;  // a waiter's completion when never fired
    std::shared_ptr<Subscription::Token> token;
};

namespace {

template <class Handler>
struct Entry {
    std::uint64_t id = 0;
    Handler handler;
    std::shared_ptr<void> token;
};

template <class T>
using List = std::shared_ptr<const std::vector<T>>;

template <class T, class Pred>
List<T> without(const List<T>& list, Pred matches) {
    auto next = std::make_shared<std::vector<T>>();
    if (list) {
        std::copy_if(list->begin(), list->end(), std::back_inserter(*next),
                     [&](const T& item) { return !matches(item); });
    }
    return next;
}

template <class T>
List<T> with(const List<T>& list, T item) {
    auto next = list ? std::make_shared<std::vector<T>>(*list) : std::make_shared<std::vector<T>>();
    next->push_back(std::move(item));
    return next;
}

}  // namespace

// Listener lists are copied on change and read without the lock held, so a
// handler may add or remove listeners (its own included) while it runs.
struct Dispatcher::Tables {
    std::mutex mutex;
    std::uint64_t next_id = 1;
    std::array<List<Listener>, event_type_count> typed{};
    std::array<std::atomic<bool>, event_type_count> wanted{};
    List<Entry<RawHandler>> raw;
    List<Entry<ErrorHandler>> errors;
    bool alive = true;  // false once the dispatcher is closed or destroyed
    // Tokens hold the tables weakly: a Subscription removed while the
    // dispatcher is destroyed keeps them (and their mutex) alive until done.
    std::weak_ptr<Tables> self;

    // Puts `item` into `*list` and returns a token that takes it out again.
    // Call with the mutex held.
    template <class T>
    std::shared_ptr<Subscription::Token> insert(List<T>& list, T item,
                                                std::function<void()> after_remove = {}) {
        auto token = std::make_shared<Subscription::Token>();
        std::uint64_t id = item.id;
        token->remove = [tables = self, &list, id, after_remove = std::move(after_remove)] {
            auto held = tables.lock();
            if (!held) {
                return;
            }
            std::lock_guard lock(held->mutex);
            if (!held->alive) {
                return;
            }
            list = without(list, [id](const T& l) { return l.id == id; });
            if (after_remove) {
                after_remove();
            }
        };
        item.token = token;
        list = with(list, std::move(item));
        return token;
    }
};

const Dispatcher::Runner Dispatcher::runners[event_type_count] = {
#define GATEWIRE_X(id, wire, Struct, from) &Dispatcher::run<events::Struct>,
    GATEWIRE_EVENT_LIST(GATEWIRE_X)
#undef GATEWIRE_X
};

Dispatcher::Dispatcher() : tables_(std::make_shared<Tables>()) {
    tables_->self = tables_;
}

Dispatcher::~Dispatcher() {
    close();
}

void Dispatcher::close() {
    std::vector<std::function<void()>> abandoned;
    {
        std::lock_guard lock(tables_->mutex);
        tables_->alive = false;
        tables_->raw.reset();
        tables_->errors.reset();
        for (auto& wanted : tables_->wanted) {
            wanted = false;
        }
        for (auto& list : tables_->typed) {
            if (list) {
                for (const auto& listener : *list) {
                    if (listener.abandon) {
                        abandoned.push_back(listener.abandon);
                    }
                }
            }
            list.reset();
        }
    }
    for (auto& abandon : abandoned) {
        abandon();
    }
}

Subscription Dispatcher::add(EventType type, Invoke invoke, bool once,
                             std::function<void()> abandon) {
    auto index = static_cast<std::size_t>(type);
    Tables& t = *tables_;
    std::unique_lock lock(t.mutex);
    if (!t.alive) {
        lock.unlock();
        if (abandon) {
            abandon();  // closed: a waiter completes at once with errc::stopped
        }
        return Subscription();
    }
    auto token = t.insert(t.typed[index],
                          Listener{t.next_id++, std::move(invoke), once, std::move(abandon), {}},
                          [&t, index] { t.wanted[index] = !t.typed[index]->empty(); });
    t.wanted[index] = true;
    return Subscription(token);
}

Subscription Dispatcher::on_raw(RawHandler handler) {
    Tables& t = *tables_;
    std::lock_guard lock(t.mutex);
    if (!t.alive) {
        return Subscription();
    }
    return Subscription(t.insert(t.raw, Entry<RawHandler>{t.next_id++, std::move(handler), {}}));
}

Subscription Dispatcher::on_decode_error(ErrorHandler handler) {
    Tables& t = *tables_;
    std::lock_guard lock(t.mutex);
    if (!t.alive) {
        return Subscription();
    }
    return Subscription(
        t.insert(t.errors, Entry<ErrorHandler>{t.next_id++, std::move(handler), {}}));
}

bool Dispatcher::wants(EventType type) const noexcept {
    return tables_->wanted[static_cast<std::size_t>(type)].load(std::memory_order_relaxed);
}

void Dispatcher::dispatch(const RawEvent& event) {
    std::optional<EventType> type = event_type_from_name(event.name);
    List<Entry<RawHandler>> raw;
    List<Listener> listeners;
    {
        std::lock_guard lock(tables_->mutex);
        raw = tables_->raw;
        if (type) {
            listeners = tables_->typed[static_cast<std::size_t>(*type)];
        }
    }
    // A handler that throws does not keep the event from the others (nor a
    // waiter from firing); the first exception goes on once all have run.
    std::exception_ptr first;
    if (raw) {
        for (const auto& entry : *raw) {
            try {
                entry.handler(event);
            } catch (...) {
                if (!first) {
                    first = std::current_exception();
                }
            }
        }
    }
    if (listeners && !listeners->empty()) {
        try {
            runners[static_cast<std::size_t>(*type)](*this, event, *listeners);  // decodes once
        } catch (...) {
            if (!first) {
                first = std::current_exception();
            }
        }
    }
    if (first) {
        std::rethrow_exception(first);
    }
}

void Dispatcher::deliver(EventType type, const Listeners& listeners, const void* event,
                         const RawEvent& raw) {
    // Waiters fire once: the ones still registered are taken out first, and
    // only those fire, so two deliveries never complete the same waiter.
    std::vector<std::uint64_t> fired;
    if (std::any_of(listeners.begin(), listeners.end(), [](const Listener& l) { return l.once; })) {
        auto index = static_cast<std::size_t>(type);
        std::lock_guard lock(tables_->mutex);
        if (const auto& current = tables_->typed[index]) {
            for (const auto& l : *current) {
                if (l.once) {
                    fired.push_back(l.id);
                }
            }
            tables_->typed[index] = without(current, [](const Listener& l) { return l.once; });
            tables_->wanted[index] = !tables_->typed[index]->empty();
        }
    }
    EventContext context{raw.shard_id, raw.seq, raw.name, raw.session_id};
    // The waiters were taken out above: each must fire even if a handler
    // before it throws, or its coroutine would wait forever.
    std::exception_ptr first;
    for (const auto& listener : listeners) {
        if (listener.once && std::find(fired.begin(), fired.end(), listener.id) == fired.end()) {
            continue;
        }
        try {
            listener.invoke(event, context);
        } catch (...) {
            if (!first) {
                first = std::current_exception();
            }
        }
    }
    if (first) {
        std::rethrow_exception(first);
    }
}

void Dispatcher::report(const DecodeError& error) {
    List<Entry<ErrorHandler>> errors;
    {
        std::lock_guard lock(tables_->mutex);
        errors = tables_->errors;
    }
    if (!errors || errors->empty()) {
        if (auto log = logger()) {  // nullptr: the user silenced gatewire
            log->warn("{} {}",
                      error.warning ? "decoded with a field left empty:" : "could not decode",
                      error.to_string());
        }
        return;
    }
    for (const auto& entry : *errors) {
        entry.handler(error);
    }
}

}  // namespace gatewire
