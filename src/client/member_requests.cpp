#include "gatewire/client/member_requests.hpp"

#include <deque>
#include <map>
#include <mutex>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "gatewire/core/error.hpp"

namespace gatewire {

namespace net = boost::asio;

struct MemberRequests::State {
    struct Pending {
        Done done;
        std::shared_ptr<net::steady_timer> deadline;
        bool sent = false;  // in flight at the server, not waiting here
    };

    explicit State(net::any_io_executor io, Shard& s)
        : timers(net::make_strand(io)),
          shard(s),
          at_once(s.profile().member_request_concurrency.value_or(0)) {}

    net::strand<net::any_io_executor> timers;  // deadlines are set and cancelled only here
    Shard& shard;
    std::mutex mutex;
    MemberChunkAssembler assembler;
    std::map<std::string, Pending> pending;
    std::uint64_t next_nonce = 1;
    // A server that works on only `at_once` requests drops the others, so the
    // rest wait here, in order, until one in flight completes.
    std::size_t at_once;  // 0: no limit
    std::size_t in_flight = 0;
    std::deque<commands::RequestGuildMembers> waiting;

    // Takes the request's callback out (under the lock) and stops its deadline.
    Done finish(const std::string& nonce) {
        auto it = pending.find(nonce);
        if (it == pending.end()) {
            return {};
        }
        Pending p = std::move(it->second);
        pending.erase(it);
        if (p.sent) {
            --in_flight;
        } else {
            std::erase_if(waiting, [&](const auto& r) { return r.nonce == nonce; });
        }
        net::post(timers, [timer = p.deadline] { timer->cancel(); });
        return std::move(p.done);
    }

    // The requests that may go out now (under the lock), marked in flight.
    std::vector<commands::RequestGuildMembers> take_sendable() {
        std::vector<commands::RequestGuildMembers> out;
        while (!waiting.empty() && (at_once == 0 || in_flight < at_once)) {
            out.push_back(std::move(waiting.front()));
            waiting.pop_front();
            pending[out.back().nonce].sent = true;
            ++in_flight;
        }
        return out;
    }

    // Sends what may go now; a request the shard refuses ends with the error.
    void send_ready() {
        for (;;) {
            std::vector<commands::RequestGuildMembers> sendable;
            {
                std::lock_guard lock(mutex);
                sendable = take_sendable();
            }
            if (sendable.empty()) {
                return;
            }
            for (const auto& request : sendable) {
                if (std::error_code error = shard.send(request)) {
                    Done failed;
                    {
                        std::lock_guard lock(mutex);
                        assembler.take(request.nonce);
                        failed = finish(request.nonce);
                    }
                    if (failed) {
                        failed(error, {});
                    }
                }
            }
        }
    }

    // The deadline passed: the request ends with what arrived.
    void expire(const std::string& nonce) {
        Done expired;
        MembersResult partial;
        {
            std::lock_guard lock(mutex);
            partial = assembler.take(nonce).value_or(MembersResult{});
            expired = finish(nonce);
        }
        if (expired) {
            expired(errc::request_timed_out, std::move(partial));
        }
        send_ready();
    }
};

MemberRequests::MemberRequests(net::any_io_executor io, Dispatcher& dispatcher, Shard& shard)
    : state_(std::make_shared<State>(std::move(io), shard)) {
    chunks_ = dispatcher.on<events::GuildMembersChunk>(
        [weak = std::weak_ptr<State>(state_)](const events::GuildMembersChunk& chunk) {
            auto state = weak.lock();
            if (!state || !chunk.nonce) {
                return;
            }
            Done done;
            std::optional<MembersResult> result;
            {
                std::lock_guard lock(state->mutex);
                result = state->assembler.add(chunk);
                if (result) {
                    done = state->finish(*chunk.nonce);
                }
            }
            if (done) {
                done({}, std::move(*result));
            }
            state->send_ready();
        });
}

MemberRequests::~MemberRequests() {
    chunks_ = {};
    std::vector<std::pair<Done, MembersResult>> stopped;
    {
        std::lock_guard lock(state_->mutex);
        while (!state_->pending.empty()) {
            std::string nonce = state_->pending.begin()->first;
            MembersResult partial = state_->assembler.take(nonce).value_or(MembersResult{});
            stopped.emplace_back(state_->finish(nonce), std::move(partial));
        }
    }
    for (auto& [done, partial] : stopped) {
        done(errc::stopped, std::move(partial));
    }
}

void MemberRequests::request(commands::RequestGuildMembers request,
                             std::chrono::milliseconds timeout, Done done) {
    State& s = *state_;
    {
        std::unique_lock lock(s.mutex);
        if (request.nonce.empty()) {
            request.nonce = "gatewire-" + std::to_string(s.next_nonce++);
        }
        if (!s.assembler.expect(request.nonce)) {
            lock.unlock();                    // the callback may well ask again
            done(errc::invalid_command, {});  // that nonce is already waiting for replies
            return;
        }
        // Registered before sending: the first reply may come back at once.
        auto deadline = std::make_shared<net::steady_timer>(s.timers, timeout);
        s.pending[request.nonce] = {std::move(done), deadline, false};
        deadline->async_wait([weak = std::weak_ptr<State>(state_),
                              nonce = request.nonce](boost::system::error_code ec) {
            if (auto state = weak.lock(); state && !ec) {
                state->expire(nonce);
            }
        });
        s.waiting.push_back(std::move(request));
    }
    s.send_ready();
}

}  // namespace gatewire
