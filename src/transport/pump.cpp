// The shard's pump: carries out what the session asks for, keeps its timer,
// and hands events to the handler side, holding the reader while that is full.
#include <atomic>
#include <iterator>
#include <thread>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "gatewire/core/log.hpp"
#include "transport/shard_core.hpp"

namespace gatewire::detail {

void ShardCore::pump() {
    bool again = true;
    bool fed = true;  // the session has been fed since the snapshot was taken
    while (again) {
        again = false;
        while (auto next = session.poll()) {
            // Before the action: a handler woken by what it hands over
            // reads session() and must find what the session knows by now.
            if (fed) {
                update_snapshot();
                fed = false;
            }
            std::visit(
                [&](auto&& a) {
                    using A = std::decay_t<decltype(a)>;
                    if constexpr (std::is_same_v<A, action::Connect>) {
                        open_connection(std::move(a.url));
                        again = true;  // a bad URL feeds the session at once
                        fed = true;
                    } else if constexpr (std::is_same_v<A, action::Send>) {
                        if (connection) {
                            connection->send(std::move(a));
                        }
                    } else if constexpr (std::is_same_v<A, action::Close>) {
                        if (connection) {
                            connection->close(a.code, std::move(a.reason));
                        }
                    } else if constexpr (std::is_same_v<A, action::Deliver>) {
                        enqueue_event(std::move(a.event));
                    } else if constexpr (std::is_same_v<A, action::StateChange>) {
                        if (auto log = logger()) {
                            log->info("shard {}: {} ({})", shard_id(), to_string(a.state),
                                      a.detail);
                        }
                        {
                            std::lock_guard lock(snapshot_mutex);
                            state = a.state;
                        }
                        enqueue(StateItem{a.state, std::move(a.detail)});
                    } else if constexpr (std::is_same_v<A, action::Report>) {
                        if (auto log = logger()) {
                            log->warn("shard {}: {}", shard_id(), a.detail);
                        }
                        enqueue(ErrorItem{a.error, std::move(a.detail)});
                    } else if constexpr (std::is_same_v<A, action::ReserveSlot>) {
                        reserve_slot(a);
                        again = true;  // a local queue answers at once
                        fed = true;
                    } else if constexpr (std::is_same_v<A, action::Finish>) {
                        finished = true;
                        if (a.error) {
                            if (auto log = logger()) {
                                log->error("shard {}: {}", shard_id(), a.error.message());
                            }
                        }
                        enqueue(FinishItem{a.error});
                    }
                },
                std::move(*next));
        }
    }
    if (fed) {
        update_snapshot();
    }
    if (finished) {
        connection.reset();
        deadline_timer.cancel();
        space_timer.cancel();
        return;
    }
    // Re-armed only when it moved: each re-arm is a system call (timerfd),
    // and most messages leave the next deadline (a heartbeat) where it was.
    auto deadline = session.next_deadline();
    TimePoint at = deadline ? *deadline : TimePoint::max();
    if (at != deadline_timer.expiry()) {
        deadline_timer.expires_at(at);
    }
}

void ShardCore::reserve_slot(const action::ReserveSlot& request) {
    if (!config.identify_queue) {
        session.on_slot(Clock::now(), Clock::now());
        return;
    }
    SlotRequest asked{shard_id(), request.resume, request.claims, Clock::now()};
    auto work = net::prefer(io, net::execution::outstanding_work.tracked);
    std::weak_ptr<ShardCore> weak = shared_from_this();
    // An answer on this thread before async_reserve returns is on this
    // strand already (a local queue) and needs no hop.
    auto inside = std::make_shared<std::atomic<bool>>(true);
    auto caller = std::this_thread::get_id();
    config.identify_queue->async_reserve(asked, [this, weak, work, inside, caller](TimePoint slot) {
        if (inside->load() && std::this_thread::get_id() == caller) {
            session.on_slot(slot, Clock::now());
            return;
        }
        net::post(strand, [weak, work, slot] {
            if (auto self = weak.lock()) {
                self->session.on_slot(slot, Clock::now());
                self->pump();
            }
        });
    });
    inside->store(false);
}

// Tells the session how far heartbeats may acknowledge, when that moved.
void ShardCore::pass_handled() {
    std::uint64_t version = side->acknowledged_version.load(std::memory_order_acquire);
    if (version == handled_seen) {
        return;
    }
    handled_seen = version;
    std::lock_guard lock(snapshot_mutex);
    if (side->acknowledged) {
        session.handled(side->acknowledged->session_id, side->acknowledged->seq);
    }
}

void ShardCore::update_snapshot() {
    std::lock_guard lock(snapshot_mutex);
    latency = session.latency();
    stats = session.stats();
    // Compared in place: this runs for every event, and a copy of the
    // session (its id and URL) would cost two allocations each time.
    std::string_view id = session.session_id();
    if (id.empty()) {
        if (resumable) {
            resumable.reset();
            ++generation;
        }
        return;
    }
    std::string_view url = session.resume_url();
    if (!resumable || resumable->session_id != id) {
        // A new session: nothing of it has been handled yet.
        ++generation;
        resumable = ResumableSession{std::string(id), 0, std::string(url)};
    } else if (resumable->resume_url != url) {
        resumable->resume_url = url;
    }
}

net::awaitable<void> ShardCore::run_timer() {
    auto self = shared_from_this();
    while (!finished) {
        boost::system::error_code ec;
        co_await deadline_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        if (finished) {
            break;
        }
        if (!ec || Clock::now() >= deadline_timer.expiry()) {
            pass_handled();
            session.on_tick(Clock::now());
            pump();
        }
    }
}

bool ShardCore::has_room() const {
    return finished || (queued_events + outgoing_events < config.event_queue_capacity &&
                        queued_bytes + outgoing_bytes < config.event_queue_bytes);
}

net::awaitable<void> ShardCore::wait_for_room() {
    if (has_room()) {
        co_return;  // after almost every read: no flag, no lock
    }
    for (;;) {
        reader_waiting = true;
        if (has_room()) {
            break;
        }
        // The handlers are behind: stop reading (the socket buffers what comes),
        // and tell the session that missing ACKs prove nothing meanwhile.
        flush_wake();  // the handler side must be draining what fills the queue
        session.set_reading_paused(true, Clock::now());
        space_timer.expires_at(TimePoint::max());
        boost::system::error_code ec;
        co_await space_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        session.set_reading_paused(false, Clock::now());
    }
    reader_waiting = false;
}

// Built in place: every move of an event moves its four strings.
void ShardCore::enqueue_event(RawEvent&& event) {
    ++outgoing_events;
    outgoing_bytes += event_bytes(event);
    outgoing.emplace_back(std::in_place_type<EventItem>, std::move(event), generation);
    if (defer_wake) {
        ++deferred_events;
        return;
    }
    hand_over();
}

// A state change, a report or the end: handed over at once.
void ShardCore::enqueue(Item item) {
    if (std::holds_alternative<FinishItem>(item)) {
        std::lock_guard lock(queue_mutex);
        side->finish_work = net::prefer(io, net::execution::outstanding_work.tracked);
    }
    outgoing.push_back(std::move(item));
    hand_over();
}

void ShardCore::hand_over() {
    {
        std::lock_guard lock(queue_mutex);
        if (queue.empty()) {
            queue.swap(outgoing);
        } else {
            std::move(outgoing.begin(), outgoing.end(), std::back_inserter(queue));
            outgoing.clear();
        }
        queued_events += outgoing_events;
        queued_bytes += outgoing_bytes;
        outgoing_events = 0;
        outgoing_bytes = 0;
        garbage.swap(side->spent);
        if (!draining && !queue.empty()) {
            draining = true;
            net::post(handler_executor, [side = side] { HandlerSide::drain(side); });
        }
    }
    garbage.clear();
}

void ShardCore::flush_wake() {
    defer_wake = false;
    deferred_events = 0;
    hand_over();
}

void HandlerSide::wake_reader() {
    if (auto c = core.lock()) {
        net::post(c->strand, [c] { c->space_timer.cancel(); });
    }
}

// A reader that goes idle hands nothing over, and would hold what was
// spent until its next event.
void HandlerSide::return_spent() {
    if (auto c = core.lock()) {
        net::post(c->strand, [c] { c->hand_over(); });
    }
}

}  // namespace gatewire::detail
