// The thread every shard's handlers run on unless their owner gives an executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>

namespace gatewire::detail {

// One thread for the whole process: handlers of different shards take turns.
boost::asio::any_io_executor shared_handler_executor();

}  // namespace gatewire::detail
