/// @file
/// Everything a bot usually needs, in one include: the Client and the Cluster,
/// every typed event, commands, the profiles, errors, the logger and the
/// session stores. Not here: gatewire::redis (its own component and header,
/// gatewire/redis/...) and gatewire::sim (gatewire/sim/simulator.hpp).
#pragma once

#include "gatewire/client/client.hpp"
#include "gatewire/client/cluster.hpp"
#include "gatewire/client/member_requests.hpp"
#include "gatewire/core/close_code.hpp"
#include "gatewire/core/error.hpp"
#include "gatewire/core/intents.hpp"
#include "gatewire/core/log.hpp"
#include "gatewire/core/profile.hpp"
#include "gatewire/core/secret.hpp"
#include "gatewire/dispatch/member_chunks.hpp"
#include "gatewire/events/all.hpp"
#include "gatewire/protocol/commands.hpp"
#include "gatewire/scale/session_store.hpp"
