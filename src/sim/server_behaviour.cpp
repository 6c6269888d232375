// What each real server does where they differ. The sources behind these
// values are in docs/conformance.md, row by row.
#include "gatewire/sim/simulator.hpp"

namespace gatewire::sim {

using namespace std::chrono_literals;

ServerBehaviour ServerBehaviour::discord() {
    ServerBehaviour b;
    b.resumed_seq = ResumedSeq::none;
    b.max_payload_bytes = 4096;
    return b;
}

ServerBehaviour ServerBehaviour::fluxer() {
    ServerBehaviour b;
    b.resumed_seq = ResumedSeq::current;
    b.live_before_replay = true;
    b.not_replayed = {"GUILD_MEMBERS_CHUNK", "GUILD_MEMBER_LIST_UPDATE"};
    b.replay_max_event_bytes = 2 * 1024 * 1024;
    b.replay_max_bytes = 16 * 1024 * 1024;
    b.heartbeat_acknowledges = true;
    b.resume_below_ack_closes = true;
    b.wrong_token_resume_close = 4004;
    b.member_requests_at_once = 1;
    b.member_request_time = 20ms;
    b.identify_budget = RateLimit{300, 60s};
    b.heartbeat_timeout_factor = 45000.0 / 41250.0;
    b.request_heartbeats = true;
    b.guild_stubs_after_ready = true;
    b.upper_case_session_id = true;
    b.max_payload_bytes = 16 * 1024;
    b.presence_limit = RateLimit{5, 20s};
    return b;
}

ServerBehaviour ServerBehaviour::fluxer_legacy() {
    ServerBehaviour b = fluxer();
    b.resumed_seq = ResumedSeq::client;
    b.live_before_replay = false;
    b.not_replayed = {"GUILD_MEMBERS_CHUNK", "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE"};
    b.replay_max_event_bytes = 0;
    b.replay_max_bytes = 0;
    b.resume_below_ack_closes = false;
    b.heartbeat_below_ack_closes = true;
    b.member_requests_at_once = 0;
    b.max_payload_bytes = 4096;
    return b;
}

ServerBehaviour ServerBehaviour::for_profile(const Profile& profile) {
    return profile.name == "fluxer" ? fluxer() : discord();
}

}  // namespace gatewire::sim
