// The gateway's side of the protocol: what each client payload gets (Identify,
// Resume, heartbeats and their acknowledgement), the limits and the budgets.
#include "sim/server_state.hpp"

namespace gatewire::sim {

using namespace std::chrono_literals;

namespace detail {

void Connection::handle(const std::string& text) {
    const Profile& profile = *sim.config.profile;
    std::size_t max_payload = sim.behaviour.max_payload_bytes != 0 ? sim.behaviour.max_payload_bytes
                                                                   : profile.max_command_bytes;
    if (text.size() > max_payload) {
        close(4002);
        return;
    }
    if (over_rate_limit()) {
        close(4008);
        return;
    }
    json payload = json::parse(text, nullptr, false);
    if (!payload.is_object() || !payload.contains("op") || !payload["op"].is_number_integer()) {
        close(4002);
        return;
    }
    int op = payload["op"].get<int>();
    const json& d = payload.contains("d") ? payload["d"] : json();
    switch (op) {
        case 1:
            last_heartbeat = SteadyClock::now();
            if (!acknowledge(d)) {
                return;
            }
            sim.with_stats([&](SimStats& st) {
                ++st.heartbeats;
                if (d.is_number_unsigned()) {
                    st.last_heartbeat_seq = d.get<std::uint64_t>();
                }
            });
            if (!withhold_acks) {
                send_payload(11, "null");
            }
            return;
        case 2:
            identify(d);
            return;
        case 6:
            resume(d);
            return;
        case 3:
            if (session && over_presence_limit()) {
                sim.with_stats([](SimStats& st) { ++st.dropped_presences; });
                return;  // Fluxer drops it without a word
            }
            [[fallthrough]];
        case 4:
        case 8:
        case 14:
        case 15:
        case 16:
        case 31:
            if (!session) {
                close(4003);
                return;
            }
            sim.with_stats([&](SimStats& st) {
                ++st.commands;
                st.commands_received.push_back(text);
            });
            answer_command(op, d);
            return;
        default:
            close(4001);
            return;
    }
}

bool Connection::acknowledge(const json& d) {
    if (!sim.behaviour.heartbeat_acknowledges || !session || !d.is_number_unsigned()) {
        return true;
    }
    auto acked = d.get<std::uint64_t>();
    if (acked < session->ack_seq) {
        if (sim.behaviour.heartbeat_below_ack_closes) {
            close(4007);
            return false;
        }
        return true;
    }
    session->ack_seq = std::min(acked, session->seq);
    while (!session->replay.empty() && session->replay.front().first <= session->ack_seq) {
        session->drop_replay_front();
    }
    return true;
}

bool Connection::over_rate_limit() {
    auto now = SteadyClock::now();
    received.push_back(now);
    while (!received.empty() && received.front() + sim.config.profile->command_limit.per <= now) {
        received.pop_front();
    }
    return received.size() > sim.config.command_limit;
}

bool Connection::over_presence_limit() {
    if (!sim.behaviour.presence_limit) {
        return false;
    }
    auto now = SteadyClock::now();
    while (!presence_times.empty() &&
           presence_times.front() + sim.behaviour.presence_limit->per <= now) {
        presence_times.pop_front();
    }
    if (presence_times.size() >= sim.behaviour.presence_limit->count) {
        return true;
    }
    presence_times.push_back(now);
    return false;
}

bool Connection::token_ok(const json& d) const {
    return sim.config.token.empty() ||
           (d.is_object() && d.contains("token") && d["token"] == sim.config.token);
}

void Connection::identify(const json& d) {
    const Profile& profile = *sim.config.profile;
    if (session) {
        close(4005);
        return;
    }
    json shown = d;
    if (shown.is_object() && shown.contains("token")) {
        shown["token"] = "<token>";
    }
    sim.with_stats([&](SimStats& st) { st.last_identify = shown.dump(); });
    if (!sim.within_identify_budget()) {
        return;  // held without an answer
    }
    if (!token_ok(d)) {
        close(4004);
        return;
    }
    if (profile.uses_intents && (!d.contains("intents") || !d["intents"].is_number_unsigned())) {
        close(4013);
        return;
    }
    json shard = json::array({0, 1});
    if (d.contains("shard")) {
        shard = d["shard"];
        if (!shard.is_array() || shard.size() != 2 || !shard[0].is_number_unsigned() ||
            !shard[1].is_number_unsigned() || shard[1].get<std::uint64_t>() == 0 ||
            shard[0].get<std::uint64_t>() >= shard[1].get<std::uint64_t>()) {
            close(4010);
            return;
        }
    }
    auto shard_id = shard[0].get<std::uint32_t>();
    auto shard_count = shard[1].get<std::uint32_t>();
    if (shard_count < sim.config.min_shards) {
        close(4011);  // the bot has too many guilds for this few shards
        return;
    }
    auto now = SteadyClock::now();
    if (sim.config.identify_spacing.count() > 0) {
        auto [last, first] =
            sim.bucket_identified.try_emplace(shard_id % sim.config.max_concurrency, now);
        if (!first && now - last->second < sim.config.identify_spacing) {
            sim.with_stats([](SimStats& st) { ++st.rejected_identifies; });
            send_payload(9, "false");  // too soon for this bucket
            return;
        }
        last->second = now;
    }
    if (sim.session_starts(now) > 0) {
        --sim.session_starts_left;
    }
    auto created = std::make_shared<SimSession>();
    created->id = sim.new_session_id();
    created->shard_id = shard_id;
    created->shard_count = shard_count;
    created->connection = weak_from_this();
    sim.sessions[created->id] = created;
    session = created;
    sim.with_stats([&](SimStats& st) {
        ++st.identifies;
        st.identify_log.push_back({shard_id, shard_count, now});
    });

    json guilds = json::array();
    for (std::size_t i = 0; i < sim.config.guilds; ++i) {
        guilds.push_back({{"id", sim.snowflake()}, {"unavailable", true}});
    }
    // Fluxer's bot READY lists no guilds; stubs follow as GUILD_CREATEs.
    json stubs = json::array();
    if (sim.behaviour.guild_stubs_after_ready) {
        stubs = std::exchange(guilds, json::array());
    }
    json user = {{"id", "1103289870211317770"}, {"username", "simbot"},   {"bot", true},
                 {"discriminator", "0"},        {"global_name", nullptr}, {"avatar", nullptr}};
    json ready = {{"session_id", created->id}, {"user", user}, {"guilds", guilds}};
    if (profile.has_resume_gateway_url) {
        ready["v"] = profile.api_version;
        // A different spelling of this server, so tests see the client use it.
        ready["resume_gateway_url"] = "ws://localhost:" + std::to_string(sim.bound_port);
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
    send_payload(0, ready.dump(), ++created->seq, "READY");
    for (const auto& stub : stubs) {
        send_own_dispatch("GUILD_CREATE", stub.dump(), false);  // never replayed
    }
    sim.refresh_ready_count();
}

void Connection::resume(const json& d) {
    const ServerBehaviour& b = sim.behaviour;
    sim.with_stats([](SimStats& st) { ++st.resume_requests; });
    if (session) {
        close(4005);
        return;
    }
    if (!sim.within_identify_budget()) {
        return;  // held without an answer
    }
    std::string id = d.is_object() && d.contains("session_id") && d["session_id"].is_string()
                         ? d["session_id"].get<std::string>()
                         : "";
    auto found = sim.sessions.find(id);
    if (found == sim.sessions.end() || (!token_ok(d) && b.wrong_token_resume_close == 0)) {
        sim.with_stats([](SimStats& st) { ++st.failed_resumes; });
        send_payload(9, "false");  // the client identifies anew
        return;
    }
    if (!token_ok(d)) {
        sim.with_stats([](SimStats& st) { ++st.failed_resumes; });
        close(b.wrong_token_resume_close);
        return;
    }
    auto resumed = found->second;
    if (!d.contains("seq") || !d["seq"].is_number_unsigned()) {
        close(4002);  // Fluxer wants an integer seq
        return;
    }
    std::uint64_t after = d["seq"].get<std::uint64_t>();
    if (after > resumed->seq || (b.resume_below_ack_closes && after < resumed->ack_seq)) {
        sim.with_stats([](SimStats& st) { ++st.failed_resumes; });
        close(4007);  // the buffer no longer holds what it asks for
        return;
    }
    if (auto old = resumed->connection.lock(); old && old.get() != this) {
        old->session.reset();
        old->send_payload(7, "null");
        old->close(4000);
    }
    resumed->connection = weak_from_this();
    session = resumed;
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
    pending_replay = std::move(replay);
    replay_pending = true;
    if (b.live_before_replay) {
        // The socket is the session's now: the next live event goes first,
        // and the replay follows it (or a moment later if none comes).
        auto timer = std::make_shared<net::steady_timer>(sim.io, b.replay_waits_for_live);
        timer->async_wait([self = shared_from_this(), timer](beast::error_code) {
            if (!self->ended) {
                self->flush_replay();
            }
        });
    } else {
        flush_replay();
    }
    sim.with_stats([&](SimStats& st) {
        ++st.resumes;
        st.replayed += replayed;
    });
    sim.refresh_ready_count();
}

}  // namespace detail

bool Simulator::Impl::within_identify_budget() {
    if (held_identifies > 0) {
        --held_identifies;
        with_stats([](SimStats& st) { ++st.unanswered; });
        return false;
    }
    if (!behaviour.identify_budget) {
        return true;
    }
    auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
        SteadyClock::now().time_since_epoch());
    std::int64_t window = since.count() / behaviour.identify_budget->per.count();
    if (window != budget_window) {
        budget_window = window;
        budget_used = 0;
    }
    if (budget_used >= behaviour.identify_budget->count) {
        with_stats([](SimStats& st) { ++st.unanswered; });
        return false;
    }
    ++budget_used;
    return true;
}

std::uint32_t Simulator::Impl::session_starts(SteadyClock::time_point now) {
    if (now >= session_starts_reset) {
        session_starts_left = config.session_start_total;
        session_starts_reset = now + config.session_start_reset_after;
    }
    return session_starts_left;
}

std::string Simulator::Impl::new_session_id() {
    const char* hex = behaviour.upper_case_session_id ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string id(32, '0');
    for (char& c : id) {
        c = hex[engine() % 16];
    }
    return id;
}

std::string Simulator::Impl::snowflake() {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return std::to_string((static_cast<std::uint64_t>(ms - 1420070400000LL) << 22) |
                          (++next_id & 0x3FFFFF));
}

}  // namespace gatewire::sim
