#include "transport/handler_pool.hpp"

#include <boost/asio/thread_pool.hpp>

namespace gatewire::detail {

boost::asio::any_io_executor shared_handler_executor() {
    static boost::asio::thread_pool pool(1);
    return pool.get_executor();
}

}  // namespace gatewire::detail
