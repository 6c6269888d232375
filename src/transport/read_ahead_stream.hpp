// A stream layer under the WebSocket stream that reads in large gulps while
// a burst lasts, and holds no buffer while the connection is idle.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace gatewire::detail {

// Beast's WebSocket stream asks its next layer for at most about 1.6 KB a
// read: under a burst of small events that is one system call (or one TLS
// record copy) per few events. This layer passes those small reads through
// while they come back short (the socket is drained), and once one comes back
// full, reads up to `capacity` bytes at a time and serves the small reads from
// them, until a gulp comes back short and has been served. The buffer is
// allocated for the burst and freed after it: an idle connection's pending
// read goes straight into Beast's own buffer.
template <class NextLayer>
class ReadAheadStream {
  public:
    using next_layer_type = std::remove_reference_t<NextLayer>;
    using executor_type = typename next_layer_type::executor_type;

    static constexpr std::size_t capacity = 64 * 1024;

    template <class... Args>
    explicit ReadAheadStream(Args&&... args) : next_(std::forward<Args>(args)...) {}

    next_layer_type& next_layer() noexcept { return next_; }
    const next_layer_type& next_layer() const noexcept { return next_; }
    executor_type get_executor() noexcept { return next_.get_executor(); }

    // Bytes read from the next layer and not yet taken by the reader.
    std::size_t buffered() const noexcept { return end_ - begin_; }
    bool holds_buffer() const noexcept { return data_ != nullptr; }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
        return boost::asio::async_compose<ReadHandler, void(boost::beast::error_code, std::size_t)>(
            ReadOp<MutableBufferSequence>{*this, buffers}, handler, *this);
    }

    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
        return next_.async_write_some(buffers, std::forward<WriteHandler>(handler));
    }

  private:
    template <class MutableBufferSequence>
    struct ReadOp {
        ReadAheadStream& stream;
        MutableBufferSequence buffers;
        enum class Step { start, served, passed, filled } step = Step::start;

        template <class Self>
        void operator()(Self& self, boost::beast::error_code ec = {}, std::size_t n = 0) {
            switch (step) {
                case Step::start:
                    if (stream.buffered() > 0 || boost::asio::buffer_size(buffers) == 0) {
                        // Never complete inside the initiating function.
                        step = Step::served;
                        boost::asio::post(std::move(self));
                    } else if (!stream.data_ || boost::asio::buffer_size(buffers) >= capacity) {
                        step = Step::passed;
                        stream.next_.async_read_some(buffers, std::move(self));
                    } else {
                        step = Step::filled;
                        stream.next_.async_read_some(
                            boost::asio::buffer(stream.data_.get(), capacity), std::move(self));
                    }
                    return;
                case Step::served:
                    self.complete({}, stream.take(buffers));
                    return;
                case Step::passed:
                    if (!ec && n == boost::asio::buffer_size(buffers)) {
                        // A full read: more bytes are likely waiting.
                        stream.data_ = std::make_unique<std::uint8_t[]>(capacity);
                    }
                    self.complete(ec, n);
                    return;
                case Step::filled:
                    stream.begin_ = 0;
                    stream.end_ = n;
                    stream.last_gulp_short_ = n < capacity;
                    if (n == 0) {
                        stream.data_.reset();
                    }
                    self.complete(ec, n == 0 ? 0 : stream.take(buffers));
                    return;
            }
        }
    };

    template <class MutableBufferSequence>
    std::size_t take(const MutableBufferSequence& buffers) {
        std::size_t n = boost::asio::buffer_copy(
            buffers, boost::asio::buffer(data_.get() + begin_, buffered()));
        begin_ += n;
        if (begin_ == end_) {
            begin_ = end_ = 0;
            if (last_gulp_short_) {
                data_.reset();  // the burst is over
            }
        }
        return n;
    }

    next_layer_type next_;
    std::unique_ptr<std::uint8_t[]> data_;  // only while a burst lasts
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    bool last_gulp_short_ = false;
};

// The WebSocket close handshake ends by tearing the next layer down.
template <class NextLayer>
void teardown(boost::beast::role_type role, ReadAheadStream<NextLayer>& stream,
              boost::beast::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, ReadAheadStream<NextLayer>& stream,
                    TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace gatewire::detail
