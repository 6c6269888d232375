#include "gatewire/dispatcher.hpp"

#include <algorithm>
#include <array>

#include <spdlog/spdlog.h>

#include "gatewire/log.hpp"

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

struct Dispatcher::Listener {
    std::uint64_t id = 0;
    Invoke invoke;
    bool once = false;
    std::function<void()> abandon;  // a waiter's completion when never fired
    std::shared_ptr<Subscription::Token> token;
};

// Listener lists are copied on change and read without the lock held, so a
// handler may add or remove listeners (its own included) while it runs.
struct Dispatcher::Tables {
    template <class T>
    using List = std::shared_ptr<const std::vector<T>>;

    std::mutex mutex;
    std::uint64_t next_id = 1;
    std::array<List<Listener>, event_type_count> typed{};
    std::array<Runner, event_type_count> runners{};
    std::array<std::atomic<bool>, event_type_count> wanted{};
    List<std::pair<std::uint64_t, RawHandler>> raw;
    List<std::pair<std::uint64_t, ErrorHandler>> errors;
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
};

namespace {

template <class T, class Pred>
std::shared_ptr<const std::vector<T>> without(const std::shared_ptr<const std::vector<T>>& list,
                                              Pred matches, std::vector<T>* removed = nullptr) {
    auto next = std::make_shared<std::vector<T>>();
    if (list) {
        for (const auto& item : *list) {
            if (matches(item)) {
                if (removed) {
                    removed->push_back(item);
                }
            } else {
                next->push_back(item);
            }
        }
    }
    return next;
}

template <class T>
std::shared_ptr<const std::vector<T>> with(const std::shared_ptr<const std::vector<T>>& list,
                                           T item) {
    auto next = list ? std::make_shared<std::vector<T>>(*list) : std::make_shared<std::vector<T>>();
    next->push_back(std::move(item));
    return next;
}

}  // namespace

Dispatcher::Dispatcher() : tables_(std::make_unique<Tables>()) {}

Dispatcher::~Dispatcher() {
    std::vector<std::function<void()>> abandoned;
    {
        std::lock_guard lock(tables_->mutex);
        *tables_->alive = false;
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

Subscription Dispatcher::add(EventType type, Runner runner, Invoke invoke, bool once,
                             std::function<void()> abandon) {
    auto index = static_cast<std::size_t>(type);
    auto token = std::make_shared<Subscription::Token>();
    Tables* tables = tables_.get();
    std::weak_ptr<bool> alive = tables->alive;
    std::lock_guard lock(tables->mutex);
    std::uint64_t id = tables->next_id++;
    token->remove = [tables, alive, index, id] {
        auto still = alive.lock();
        if (!still || !*still) {
            return;
        }
        std::lock_guard inner(tables->mutex);
        tables->typed[index] =
            without(tables->typed[index], [id](const Listener& l) { return l.id == id; });
        tables->wanted[index] = !tables->typed[index]->empty();
    };
    tables->runners[index] = runner;
    tables->typed[index] = with(tables->typed[index],
                                Listener{id, std::move(invoke), once, std::move(abandon), token});
    tables->wanted[index] = true;
    return Subscription(token);
}

Subscription Dispatcher::on_raw(RawHandler handler) {
    auto token = std::make_shared<Subscription::Token>();
    Tables* tables = tables_.get();
    std::weak_ptr<bool> alive = tables->alive;
    std::lock_guard lock(tables->mutex);
    std::uint64_t id = tables->next_id++;
    token->remove = [tables, alive, id] {
        auto still = alive.lock();
        if (!still || !*still) {
            return;
        }
        std::lock_guard inner(tables->mutex);
        tables->raw = without(tables->raw, [id](const auto& l) { return l.first == id; });
    };
    // The listener owns its token, so the subscription is active while it is registered.
    tables->raw = with(
        tables->raw,
        std::pair{id, RawHandler([token, h = std::move(handler)](const RawEvent& e) { h(e); })});
    return Subscription(token);
}

Subscription Dispatcher::on_decode_error(ErrorHandler handler) {
    auto token = std::make_shared<Subscription::Token>();
    Tables* tables = tables_.get();
    std::weak_ptr<bool> alive = tables->alive;
    std::lock_guard lock(tables->mutex);
    std::uint64_t id = tables->next_id++;
    token->remove = [tables, alive, id] {
        auto still = alive.lock();
        if (!still || !*still) {
            return;
        }
        std::lock_guard inner(tables->mutex);
        tables->errors = without(tables->errors, [id](const auto& l) { return l.first == id; });
    };
    tables->errors =
        with(tables->errors, std::pair{id, ErrorHandler([token, h = std::move(handler)](
                                                            const DecodeError& e) { h(e); })});
    return Subscription(token);
}

bool Dispatcher::wants(EventType type) const noexcept {
    return tables_->wanted[static_cast<std::size_t>(type)].load(std::memory_order_relaxed);
}

void Dispatcher::dispatch(const RawEvent& event) {
    decltype(tables_->raw) raw;
    Runner runner = nullptr;
    std::optional<EventType> type = event_type_from_name(event.name);
    {
        std::lock_guard lock(tables_->mutex);
        raw = tables_->raw;
        if (type && tables_->typed[static_cast<std::size_t>(*type)] &&
            !tables_->typed[static_cast<std::size_t>(*type)]->empty()) {
            runner = tables_->runners[static_cast<std::size_t>(*type)];
        }
    }
    if (raw) {
        for (const auto& [id, handler] : *raw) {
            handler(event);
        }
    }
    if (runner != nullptr) {
        runner(*this, event, *type);  // decodes once, then deliver()
    }
}

void Dispatcher::deliver(EventType type, const void* event, const RawEvent& raw) {
    auto index = static_cast<std::size_t>(type);
    std::shared_ptr<const std::vector<Listener>> listeners;
    {
        std::lock_guard lock(tables_->mutex);
        listeners = tables_->typed[index];
        if (listeners && std::any_of(listeners->begin(), listeners->end(),
                                     [](const Listener& l) { return l.once; })) {
            // Waiters fire once: take them out before running anything.
            tables_->typed[index] = without(listeners, [](const Listener& l) { return l.once; });
            tables_->wanted[index] = !tables_->typed[index]->empty();
        }
    }
    if (!listeners) {
        return;
    }
    EventContext context{raw.shard_id, raw.seq, raw.name};
    for (const auto& listener : *listeners) {
        listener.invoke(event, context);
    }
}

void Dispatcher::report(const DecodeError& error) {
    decltype(tables_->errors) errors;
    {
        std::lock_guard lock(tables_->mutex);
        errors = tables_->errors;
    }
    if (!errors || errors->empty()) {
        logger()->warn("could not decode {}", error.to_string());
        return;
    }
    for (const auto& [id, handler] : *errors) {
        handler(error);
    }
}

}  // namespace gatewire
