// Sessions: Identify and the READY it gets, Resume and its replay.
#include "sim/gateway_server.hpp"

#include "sim/wire.hpp"

namespace gatewire::sim::detail {

using json = nlohmann::json;

void GatewayServer::identify(PeerId id, Peer& peer, const json& d, ServerTime now) {
    const Profile& profile = config_.profile;
    if (peer.session) {
        close_peer(id, peer, 4005);
        return;
    }
    json shown = d;
    if (shown.is_object() && shown.contains("token")) {
        shown["token"] = "<token>";
    }
    stats_.with([&](SimStats& st) { st.last_identify = shown.dump(); });
    if (!within_identify_budget(now)) {
        return;  // held without an answer
    }
    if (!token_ok(d)) {
        close_peer(id, peer, 4004);
        return;
    }
    if (profile.uses_intents && (!d.contains("intents") || !d["intents"].is_number_unsigned())) {
        close_peer(id, peer, 4013);
        return;
    }
    json shard = json::array({0, 1});
    if (d.contains("shard")) {
        shard = d["shard"];
        if (!shard.is_array() || shard.size() != 2 || !shard[0].is_number_unsigned() ||
            !shard[1].is_number_unsigned() || shard[1].get<std::uint64_t>() == 0 ||
            shard[0].get<std::uint64_t>() >= shard[1].get<std::uint64_t>()) {
            close_peer(id, peer, 4010);
            return;
        }
    }
    auto shard_id = shard[0].get<std::uint32_t>();
    auto shard_count = shard[1].get<std::uint32_t>();
    if (shard_count < config_.min_shards) {
        close_peer(id, peer, 4011);  // the bot has too many guilds for this few shards
        return;
    }
    if (config_.identify_spacing.count() > 0) {
        auto [last, first] =
            bucket_identified_.try_emplace(shard_id % config_.max_concurrency, now);
        if (!first && now - last->second < config_.identify_spacing) {
            stats_.with([](SimStats& st) { ++st.rejected_identifies; });
            send_payload(id, 9, "false");  // too soon for this bucket
            return;
        }
        last->second = now;
    }
    if (session_starts(now) > 0) {
        --session_starts_left_;
    }
    auto created = std::make_shared<Session>();
    created->id = new_session_id();
    created->shard_id = shard_id;
    created->shard_count = shard_count;
    created->peer = id;
    sessions_[created->id] = created;
    peer.session = created;
    stats_.with([&](SimStats& st) {
        ++st.identifies;
        st.identify_log.push_back({shard_id, shard_count, now});
    });

    json guilds = json::array();
    for (std::size_t i = 0; i < config_.guilds; ++i) {
        guilds.push_back({{"id", snowflake()}, {"unavailable", true}});
    }
    // Fluxer's bot READY lists no guilds; stubs follow as GUILD_CREATEs.
    json stubs = json::array();
    if (behaviour_.guild_stubs_after_ready) {
        stubs = std::exchange(guilds, json::array());
    }
    send_payload(id, 0, ready_payload(*created, shard, std::move(guilds)).dump(), ++created->seq,
                 "READY");
    for (const auto& stub : stubs) {
        send_own_dispatch(id, peer, "GUILD_CREATE", stub.dump(), false);  // never replayed
    }
    refresh_ready_count();
}

json GatewayServer::ready_payload(const Session& session, const json& shard, json guilds) {
    const Profile& profile = config_.profile;
    json ready = {{"session_id", session.id},
                  {"user", json::parse(current_user_json())},
                  {"guilds", std::move(guilds)}};
    if (profile.has_resume_gateway_url) {
        ready["v"] = profile.api_version;
        // A different spelling of this server, so tests see the client use it.
        ready["resume_gateway_url"] = "ws://localhost:" + std::to_string(port_);
        ready["shard"] = shard;
        ready["application"] = {{"id", "1103289870211317770"}, {"flags", 0}};
    } else {
        ready["version"] = profile.api_version;
        for (const char* empty : {"private_channels", "relationships", "presences", "users",
                                  "sessions", "read_states", "pinned_dms", "favorite_memes"}) {
            ready[empty] = json::array();
        }
        ready["user_settings"] = json::object();
        ready["country_code"] = "US";
    }
    return ready;
}

void GatewayServer::resume(PeerId id, Peer& peer, const json& d, ServerTime now) {
    const ServerBehaviour& b = behaviour_;
    stats_.with([](SimStats& st) { ++st.resume_requests; });
    if (peer.session) {
        close_peer(id, peer, 4005);
        return;
    }
    if (!within_identify_budget(now)) {
        return;  // held without an answer
    }
    std::string session_id =
        d.is_object() && d.contains("session_id") && d["session_id"].is_string()
            ? d["session_id"].get<std::string>()
            : "";
    auto found = sessions_.find(session_id);
    if (found == sessions_.end() || (!token_ok(d) && b.wrong_token_resume_close == 0)) {
        stats_.with([](SimStats& st) { ++st.failed_resumes; });
        send_payload(id, 9, "false");  // the client identifies anew
        return;
    }
    if (!token_ok(d)) {
        stats_.with([](SimStats& st) { ++st.failed_resumes; });
        close_peer(id, peer, b.wrong_token_resume_close);
        return;
    }
    auto resumed = found->second;
    if (!d.contains("seq") || !d["seq"].is_number_unsigned()) {
        close_peer(id, peer, 4002);  // Fluxer wants an integer seq
        return;
    }
    std::uint64_t after = d["seq"].get<std::uint64_t>();
    if (after > resumed->seq || (b.resume_below_ack_closes && after < resumed->ack_seq)) {
        stats_.with([](SimStats& st) { ++st.failed_resumes; });
        close_peer(id, peer, 4007);  // the buffer no longer holds what it asks for
        return;
    }
    if (resumed->peer && *resumed->peer != id) {
        if (Peer* old = find(*resumed->peer)) {
            old->session.reset();
            send_payload(*resumed->peer, 7, "null");
            close_peer(*resumed->peer, *old, 4000);
        }
    }
    resumed->peer = id;
    peer.session = resumed;
    std::vector<std::string> replay;
    for (const auto& [seq, text] : resumed->replay) {
        if (seq > after) {
            replay.push_back(text);
        }
    }
    std::uint64_t replayed = replay.size();
    std::optional<std::uint64_t> resumed_seq;
    if (b.resumed_seq == ServerBehaviour::ResumedSeq::client) {
        resumed_seq = after;
    } else if (b.resumed_seq == ServerBehaviour::ResumedSeq::current) {
        resumed_seq = resumed->seq;
    }
    replay.push_back(envelope(0,
                              b.resumed_seq == ServerBehaviour::ResumedSeq::client ? "null" : "{}",
                              resumed_seq, "RESUMED"));
    peer.pending_replay = std::move(replay);
    peer.replay_pending = true;
    if (b.live_before_replay) {
        // The socket is the session's now: the next live event goes first,
        // and the replay follows it (or a moment later if none comes).
        peer.replay_due = now + b.replay_waits_for_live;
    } else {
        flush_replay(id, peer);
    }
    stats_.with([&](SimStats& st) {
        ++st.resumes;
        st.replayed += replayed;
    });
    refresh_ready_count();
}

std::string GatewayServer::new_session_id() {
    const char* hex = behaviour_.upper_case_session_id ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string session_id(32, '0');
    for (char& c : session_id) {
        c = hex[engine_() % 16];
    }
    return session_id;
}

// Snowflakes of the wall clock, as real ones are; they only name things.
std::string GatewayServer::snowflake() {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return std::to_string((static_cast<std::uint64_t>(ms - 1420070400000LL) << 22) |
                          (++next_id_ & 0x3FFFFF));
}

}  // namespace gatewire::sim::detail
