#include "gatewire/transport/shard.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include "gatewire/core/error.hpp"
#include "gatewire/core/log.hpp"
#include "protocol/opcodes.hpp"
#include "transport/handler_pool.hpp"
#include "transport/shard_core.hpp"

namespace gatewire {

namespace net = boost::asio;
using detail::ErrorItem;

namespace {
// A stored session becomes the one to resume, unless the owner gave one; and
// heartbeats acknowledge what the handlers finished, so a restart from the
// store loses nothing.
ShardConfig with_stored_session(ShardConfig config) {
    config.session.acknowledge = Acknowledge::handled;
    if (config.session_store && !config.session.resume) {
        ShardId shard = config.session.shard.value_or(ShardId{});
        try {
            config.session.resume = config.session_store->load(shard);
        } catch (const std::exception& e) {
            if (auto log = logger()) {
                log->warn("shard {}: the session store failed: {}; identifying", shard.id,
                          e.what());
            }
        }
    }
    return config;
}
}  // namespace

Shard::Shard(net::any_io_executor io, ShardConfig config,
             std::optional<net::any_io_executor> handlers)
    : impl_(std::make_shared<detail::ShardCore>(
          std::move(io), with_stored_session(std::move(config)),
          handlers ? *handlers : detail::shared_handler_executor())) {
    impl_->side->core = impl_;
}

Shard::~Shard() {
    if (impl_->started) {
        stop();
    }
    impl_->side->detach();
}

void Shard::on_event(EventHandler handler) {
    impl_->event_handler = std::move(handler);
}
void Shard::on_state(StateHandler handler) {
    impl_->state_handler = std::move(handler);
}
void Shard::on_error(ErrorHandler handler) {
    impl_->error_handler = std::move(handler);
}
void Shard::on_finish(FinishHandler handler) {
    impl_->finish_handler = std::move(handler);
}

void Shard::start() {
    impl_->started = true;
    net::post(impl_->strand, [self = impl_] {
        self->session.start(Clock::now());
        self->pump();
        net::co_spawn(self->strand, self->run_timer(), net::detached);
    });
}

void Shard::stop(bool keep_resumable) {
    net::post(impl_->strand, [self = impl_, keep_resumable] {
        if (self->finished) {
            return;
        }
        self->session.stop(Clock::now(), keep_resumable);
        self->pump();
    });
}

const Profile& Shard::profile() const noexcept {
    return impl_->config.session.profile;
}

std::error_code Shard::send(int op, std::string data_json) {
    if (detail::op::owned_by_session(op)) {
        return errc::session_owned_opcode;
    }
    // The envelope {"op":N,"d":…} adds at most 14 bytes; the session checks exactly.
    if (data_json.size() + 14 > impl_->config.session.profile.max_command_bytes) {
        std::string payload = "{\"op\":" + std::to_string(op) + ",\"d\":" + data_json + "}";
        if (payload.size() > impl_->config.session.profile.max_command_bytes) {
            return errc::command_too_large;
        }
    }
    if (state() == ShardState::stopped || state() == ShardState::failed) {
        return errc::not_connected;
    }
    // What waits for the strand is bounded like what waits in the session.
    const std::size_t bytes = data_json.size();
    std::size_t before = impl_->posted_command_bytes.load();
    do {
        if (before + bytes > impl_->config.session.max_queued_command_bytes) {
            return errc::queue_full;
        }
    } while (!impl_->posted_command_bytes.compare_exchange_weak(before, before + bytes));
    net::post(impl_->strand, [self = impl_, op, bytes, data = std::move(data_json)] {
        self->posted_command_bytes -= bytes;
        if (auto error = self->session.send_command(op, data, Clock::now())) {
            self->enqueue(ErrorItem{error, "command not sent"});
        }
        self->pump();
    });
    return {};
}

ShardState Shard::state() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->state;
}

std::optional<std::chrono::microseconds> Shard::latency() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->latency;
}

std::optional<ResumableSession> Shard::session() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->resumable;
}

SessionStats Shard::stats() const {
    std::lock_guard lock(impl_->snapshot_mutex);
    return impl_->stats;
}

Backlog Shard::backlog() const {
    return {impl_->queued_events.load(), impl_->queued_bytes.load()};
}

std::uint32_t Shard::id() const noexcept {
    return impl_->shard_id();
}

}  // namespace gatewire
