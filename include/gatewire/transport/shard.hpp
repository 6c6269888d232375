/// @file
/// One gateway connection kept alive over a real WebSocket (TLS for wss://):
/// carries out what its Session asks for on one strand, and runs the owner's
/// handlers elsewhere, behind a bounded queue.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/protocol/commands.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>

#include "gatewire/events/raw_event.hpp"
#include "gatewire/protocol/resumable_session.hpp"
#include "gatewire/protocol/session.hpp"
#include "gatewire/protocol/shard_state.hpp"
#include "gatewire/scale/identify_queue.hpp"
#include "gatewire/scale/session_store.hpp"

namespace gatewire {

namespace detail {
struct ShardCore;
}

struct ShardConfig {
    SessionConfig session;
    std::chrono::milliseconds connect_timeout{15000};  ///< DNS + TCP + TLS + WebSocket upgrade
    std::chrono::milliseconds close_timeout{5000};     ///< waiting for the server's close frame
    /// Events waiting for the handlers; when full the shard stops reading the
    /// socket until the handlers have taken it down to half (heartbeats go
    /// on). Nothing is dropped.
    std::size_t event_queue_capacity = 1024;
    /// The same bound in bytes (the events' text): past it the shard stops
    /// reading too, so the queue holds at most this plus one message.
    std::size_t event_queue_bytes = 32 * 1024 * 1024;
    /// SO_SNDBUF of the connection (0: the system's, which Linux grows to
    /// 4 MiB a socket). With thousands of shards it bounds the kernel memory a
    /// server that stops reading can hold.
    std::size_t socket_send_buffer_bytes = 0;
    /// A PEM file of extra trusted certificates, on top of the system store.
    std::string ca_file;
    /// Keeps the session where a restarted process finds it: loaded when the
    /// shard is built (unless `session.resume` is set), saved after each batch
    /// of handled events and when the shard stops with `keep_resumable`,
    /// erased when the session ends. After a crash, the events of the last
    /// batch (at most 64) may come again; none is lost.
    std::shared_ptr<SessionStore> session_store;
    /// Where new sessions take their identify slots (a Cluster sets its own).
    /// The shard asks without blocking its strand and identifies at the slot
    /// (SessionConfig::identify_slots); a resume asks too where the profile
    /// counts resumes. Empty: identify at once.
    std::shared_ptr<IdentifyQueue> identify_queue;
};

/// The events waiting for a shard's handlers: how far behind they are.
struct Backlog {
    std::size_t events = 0;
    std::size_t bytes = 0;
};

class GATEWIRE_API Shard {
  public:
    using EventHandler = std::function<void(const RawEvent&)>;
    using StateHandler = std::function<void(ShardState, std::string_view detail)>;
    using ErrorHandler = std::function<void(std::error_code, std::string_view detail)>;
    using FinishHandler = std::function<void(std::error_code)>;

    /// I/O runs on `io`; handlers run on `handlers`, or when none is given on
    /// gatewire's shared handler thread. Each shard's handlers run in order, one
    /// at a time; a handler may block without costing its shard the session.
    Shard(boost::asio::any_io_executor io, ShardConfig config,
          std::optional<boost::asio::any_io_executor> handlers = std::nullopt);
    /// Stops the shard if it runs, and detaches its handlers: once the
    /// destructor returns none of them runs again (on_finish included), so
    /// what they capture may go with the Shard. From another thread it waits
    /// for a handler already running to return; from inside one it does not.
    /// The connection closes in the background, on `io`.
    ~Shard();
    Shard(const Shard&) = delete;
    Shard& operator=(const Shard&) = delete;

    /// Set these before start().
    void on_event(EventHandler handler);
    void on_state(StateHandler handler);
    void on_error(ErrorHandler handler);
    /// Called once, last: no error when stopped, else the fatal close code.
    /// Until it has returned the shard keeps work on `io`, so `io.run()`
    /// returns only after it, whichever thread runs the handlers.
    void on_finish(FinishHandler handler);

    void start();
    /// Close and finish. With `keep_resumable` the server keeps the session, so
    /// session() can be handed to a new process that resumes it.
    void stop(bool keep_resumable = false);

    /// Send a command (`d` as JSON text) through the rate limiter. Thread-safe.
    /// Commands over the gateway's byte cap are refused here and not sent;
    /// past SessionConfig::max_queued_command_bytes of commands not yet handed
    /// to the session, errc::queue_full. Identify, Resume and Heartbeat
    /// (ops 2, 6, 1) are the session's own: errc::session_owned_opcode.
    std::error_code send(int op, std::string data_json);
    /// A typed command (gatewire/protocol/commands.hpp), encoded for this shard's
    /// profile; one the gateway does not take, or one breaking its rules, is
    /// refused with the error and not sent. A presence update also becomes
    /// the presence of later identifies.
    template <commands::Command C>
    std::error_code send(const C& command) {
        std::string d;
        if (std::error_code error = commands::encode(command, profile(), d)) {
            return error;
        }
        return send(C::opcode, std::move(d));
    }

    const Profile& profile() const noexcept;

    /// Thread-safe inspection.
    ShardState state() const;
    std::optional<std::chrono::microseconds> latency() const;
    std::optional<ResumableSession> session() const;  ///< seq: the last event handled
    SessionStats stats() const;
    Backlog backlog() const;
    std::uint32_t id() const noexcept;

  private:
    std::shared_ptr<detail::ShardCore> impl_;
};

}  // namespace gatewire
