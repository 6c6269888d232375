#include "gatewire/member_requests.hpp"

#include <map>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "gatewire/error.hpp"

namespace gatewire {

namespace net = boost::asio;

struct MemberRequests::State {
    struct Pending {
        Done done;
        std::shared_ptr<net::steady_timer> deadline;
    };

    explicit State(net::any_io_executor io, Shard& s) : timers(net::make_strand(io)), shard(s) {}

    net::strand<net::any_io_executor> timers;  // deadlines are set and cancelled only here
    Shard& shard;
    std::mutex mutex;
    MemberChunkAssembler assembler;
    std::map<std::string, Pending> pending;
    std::uint64_t next_nonce = 1;

    // Takes the request's callback out (under the lock) and stops its deadline.
    Done finish(const std::string& nonce) {
        auto it = pending.find(nonce);
        if (it == pending.end()) {
            return {};
        }
        Pending p = std::move(it->second);
        pending.erase(it);
        net::post(timers, [timer = p.deadline] { timer->cancel(); });
        return std::move(p.done);
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
        std::lock_guard lock(s.mutex);
        if (request.nonce.empty()) {
            request.nonce = "gatewire-" + std::to_string(s.next_nonce++);
        }
        if (!s.assembler.expect(request.nonce)) {
            done(errc::invalid_command, {});  // that nonce is already waiting for replies
            return;
        }
        // Registered before sending: the first reply may come back at once.
        auto deadline = std::make_shared<net::steady_timer>(s.timers, timeout);
        s.pending[request.nonce] = {std::move(done), deadline};
        deadline->async_wait([weak = std::weak_ptr<State>(state_),
                              nonce = request.nonce](boost::system::error_code ec) {
            if (auto state = weak.lock(); state && !ec) {
                state->expire(nonce);
            }
        });
    }
    if (std::error_code error = s.shard.send(request)) {
        Done failed;
        {
            std::lock_guard lock(s.mutex);
            s.assembler.take(request.nonce);
            failed = s.finish(request.nonce);
        }
        if (failed) {
            failed(error, {});
        }
    }
}

}  // namespace gatewire
