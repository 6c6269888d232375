#include "transport/handler_queue.hpp"

#include <boost/asio/post.hpp>

#include "gatewire/core/log.hpp"

#include <spdlog/spdlog.h>

namespace gatewire::detail {

void HandlerSide::acknowledge(const ResumableSession& upto) {
    acknowledged = upto;
    acknowledged_version.fetch_add(1, std::memory_order_release);
}

void HandlerSide::drain(std::shared_ptr<HandlerSide> self) {
    HandlerSide& h = *self;
    // Run a batch, then yield the handler thread to other shards.
    for (int batch = 0; batch < 64; ++batch) {
        Item item;
        {
            std::unique_lock lock(h.queue_mutex);
            if (h.queue.empty() && h.store) {
                // Persist while still the only drain: another may start once
                // `draining` is false, and must not overlap with this one.
                lock.unlock();
                h.persist();
                lock.lock();
            }
            if (h.queue.empty()) {
                h.draining = false;
                return;
            }
            item = std::move(h.queue.front());
            h.queue.pop_front();
        }
        std::visit(
            [&](auto& it) {
                using I = std::decay_t<decltype(it)>;
                if constexpr (std::is_same_v<I, FinishItem>) {
                    h.persist();  // the store is up to date before the owner hears the end
                }
                h.run_handler([&] {
                    if constexpr (std::is_same_v<I, EventItem>) {
                        if (h.event_handler) {
                            h.event_handler(it.event);
                        }
                    } else if constexpr (std::is_same_v<I, StateItem>) {
                        if (h.state_handler) {
                            h.state_handler(it.state, it.detail);
                        }
                    } else if constexpr (std::is_same_v<I, ErrorItem>) {
                        if (h.error_handler) {
                            h.error_handler(it.error, it.detail);
                        }
                    } else {
                        if (h.finish_handler) {
                            h.finish_handler(it.error);
                        }
                    }
                });
                if constexpr (std::is_same_v<I, FinishItem>) {
                    h.release_finish_work();
                }
                if constexpr (std::is_same_v<I, EventItem>) {
                    {
                        std::lock_guard lock(h.snapshot_mutex);
                        if (it.generation == h.generation && h.resumable &&
                            it.event.resume_seq > h.resumable->seq) {
                            h.resumable->seq = it.event.resume_seq;
                            if (!h.store) {
                                h.acknowledge(*h.resumable);
                            }
                        }
                    }
                    std::lock_guard lock(h.queue_mutex);
                    --h.queued_events;
                    h.queued_bytes -= event_bytes(it.event);
                }
            },
            item);
        if (h.reader_waiting) {
            h.wake_reader();
        }
    }
    h.persist();
    net::post(h.handler_executor, [self] { drain(self); });
}

template <class F>
void HandlerSide::run_handler(F&& call) {
    std::lock_guard gate(handler_gate);
    if (detached) {
        return;  // the Shard is gone, and with it what its handlers use
    }
    handler_thread.store(std::this_thread::get_id());
    try {
        call();
    } catch (const std::exception& e) {
        if (auto log = logger()) {
            log->error("shard {}: a handler threw: {}", shard.id, e.what());
        }
    } catch (...) {
        // Not a std::exception (an int, a type of the user's own): it must
        // not escape into the pool and stop this shard's handlers.
        if (auto log = logger()) {
            log->error("shard {}: a handler threw something not a std::exception", shard.id);
        }
    }
    handler_thread.store(std::thread::id{});
}

void HandlerSide::detach() {
    if (handler_thread.load() == std::this_thread::get_id()) {
        detached = true;  // destroyed by its own handler, which holds the gate
    } else {
        std::lock_guard gate(handler_gate);
        detached = true;
    }
    release_finish_work();  // no finish handler runs any more
}

void HandlerSide::release_finish_work() {
    std::lock_guard lock(queue_mutex);
    finish_work = {};
}

// Brings the store up to date with what has been handled: once per batch, so
// a busy shard does not pay a store round trip per event.
void HandlerSide::persist() {
    if (!store) {
        return;
    }
    std::optional<ResumableSession> current;
    {
        std::lock_guard lock(snapshot_mutex);
        current = resumable;
    }
    if (current && current->seq == 0) {
        return;  // a new session of which nothing has been handled yet
    }
    if (current == stored) {
        return;
    }
    try {
        if (current) {
            store->save(shard, *current);
            std::lock_guard lock(snapshot_mutex);
            acknowledge(*current);
        } else {
            store->erase(shard);
        }
        stored = current;
    } catch (const std::exception& e) {
        if (auto log = logger()) {
            log->warn("shard {}: the session store failed: {}", shard.id, e.what());
        }
    }
}

}  // namespace gatewire::detail
