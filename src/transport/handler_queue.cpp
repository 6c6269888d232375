#include "transport/handler_queue.hpp"

#include <algorithm>
#include <iterator>

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
    // The whole queue is taken under one lock, and handled a batch at a
    // time: per item, the reader and this thread met on the queue's lock,
    // and a contended lock costs a futex wake.
    bool tell_strand = false;
    {
        std::unique_lock lock(h.queue_mutex);
        if (h.taken_done == h.taken.size()) {
            tell_strand = h.give_back_taken();
            if (h.queue.empty() && h.store) {
                // Persist while still the only drain: another may start once
                // `draining` is false, and must not overlap with this one.
                lock.unlock();
                h.persist();
                lock.lock();
            }
            if (h.queue.empty()) {
                h.draining = false;
                lock.unlock();
                if (tell_strand) {
                    h.return_spent();
                }
                return;
            }
            h.taken.swap(h.queue);
        }
    }
    if (tell_strand) {
        h.return_spent();
    }
    const std::size_t first = h.taken_done;
    const std::size_t end = std::min(h.taken.size(), first + drain_batch);
    h.taken_done = end;
    std::size_t events = 0;
    std::size_t bytes = 0;
    std::optional<Handled> handled;  // the batch's furthest handled event, not yet recorded
    for (std::size_t i = first; i < end; ++i) {
        Item& item = h.taken[i];
        std::visit(
            [&](auto& it) {
                using I = std::decay_t<decltype(it)>;
                if constexpr (std::is_same_v<I, FinishItem>) {
                    h.record_handled(handled);
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
                    ++events;
                    bytes += event_bytes(it.event);
                    if (handled && handled->generation != it.generation) {
                        h.record_handled(handled);
                    }
                    if (!handled || it.event.resume_seq > handled->resume_seq) {
                        handled = Handled{it.generation, it.event.resume_seq};
                    }
                }
            },
            item);
    }
    h.record_handled(handled);
    // Counted off, then the reader's flag read: the reader sets its flag,
    // then reads the counts (all sequentially consistent), so one of the
    // two sees the other, and a full reader is never left asleep.
    h.queued_events -= events;
    h.queued_bytes -= bytes;
    if (h.reader_waiting && h.queued_events <= h.resume_events &&
        h.queued_bytes <= h.resume_bytes) {
        h.wake_reader();
    }
    h.persist();
    net::post(h.handler_executor, [self] { drain(self); });
}

// The handled batch goes back to the strand, which allocated it. Returns
// whether the strand must be asked to take it (it held nothing spent yet).
bool HandlerSide::give_back_taken() {
    if (taken.empty()) {
        return false;
    }
    bool first = spent.empty();
    if (first) {
        spent.swap(taken);
    } else {
        std::move(taken.begin(), taken.end(), std::back_inserter(spent));
        taken.clear();
    }
    taken_done = 0;
    return first;
}

// What heartbeats and resumes may ask after: the batch's handled events,
// once per batch rather than per event.
void HandlerSide::record_handled(std::optional<Handled>& handled) {
    if (!handled) {
        return;
    }
    std::lock_guard lock(snapshot_mutex);
    if (handled->generation == generation && resumable && handled->resume_seq > resumable->seq) {
        resumable->seq = handled->resume_seq;
        if (!store) {
            acknowledge(*resumable);
        }
    }
    handled.reset();
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
