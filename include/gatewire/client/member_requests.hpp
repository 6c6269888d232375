/// @file
/// Member requests with their replies assembled: send op 8, collect every
/// GUILD_MEMBERS_CHUNK with the request's nonce, and hand over one result, or
/// what arrived with errc::request_timed_out when the deadline passes first.
/// Client::request_members and Client::async_request_members use it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>

#include "gatewire/core/export.hpp"
#include "gatewire/dispatch/dispatcher.hpp"
#include "gatewire/dispatch/member_chunks.hpp"
#include "gatewire/protocol/commands.hpp"
#include "gatewire/transport/shard.hpp"

namespace gatewire {

class GATEWIRE_API MemberRequests {
  public:
    /// Called once per request: on the shard's handler executor when the last
    /// chunk arrives, on the I/O executor when the deadline passes or sending failed.
    using Done = std::function<void(std::error_code, MembersResult)>;

    /// Listens for chunks on `dispatcher`, sends through `shard`, times on `io`.
    MemberRequests(boost::asio::any_io_executor io, Dispatcher& dispatcher, Shard& shard);
    /// Requests still pending complete with errc::stopped and what had arrived.
    ~MemberRequests();
    MemberRequests(const MemberRequests&) = delete;
    MemberRequests& operator=(const MemberRequests&) = delete;

    /// An empty nonce gets a unique one. A nonce already pending, or a request
    /// the gateway would refuse, completes at once with the error.
    void request(commands::RequestGuildMembers request, std::chrono::milliseconds timeout,
                 Done done);

  private:
    struct State;
    std::shared_ptr<State> state_;
    ScopedSubscription chunks_;
};

}  // namespace gatewire
