/// @file
/// WebSocket framing (RFC 6455) for the client's side, without I/O: the
/// server's frames read from whatever bytes have arrived, the client's frames
/// written masked, and the handshake's key and its expected answer.
///
/// The reader hands a data frame's payload on as it arrives, piece by piece,
/// so a message of many megabytes never waits whole in a buffer here; the
/// message decoder bounds and joins it. Control frames (at most 125 bytes)
/// are handed on whole.
#pragma once

#include "gatewire/core/export.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gatewire {

enum class WebSocketOpcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// What the reader found at the front of the bytes it was given.
struct WebSocketPiece {
    enum class Kind : std::uint8_t {
        need_more,  ///< no whole header (or control frame) yet: keep the bytes, read more
        data,       ///< part of a message's payload, possibly empty
        ping,       ///< answer with a pong carrying `payload`
        pong,
        close,      ///< the server's close frame
        violation,  ///< the server broke the protocol: close with 1002 and read no more
    };
    Kind kind = Kind::need_more;
    std::size_t used = 0;                   ///< bytes of the input this piece took
    std::span<const std::uint8_t> payload;  ///< data: these bytes; control: the whole payload
    bool message_end = false;               ///< data: the last bytes of the message
    /// data: bytes of this frame's payload still to come after this piece, as
    /// its header announced them (a decoder can size its buffer once)
    std::uint64_t frame_left = 0;
    std::optional<std::uint16_t> close_code;  ///< close: absent when the frame carried none
    std::string_view close_reason;
    std::string_view problem;  ///< violation: what was wrong
};

class GATEWIRE_API WebSocketFrameReader {
  public:
    /// The next piece at the front of `bytes`. A violation is final.
    WebSocketPiece next(std::span<const std::uint8_t> bytes);
    /// Between the frames of a message that is not finished.
    bool inside_message() const noexcept { return in_message_; }

  private:
    std::uint64_t payload_left_ = 0;  // of the data frame being read
    bool in_payload_ = false;
    bool frame_ends_message_ = false;
    bool in_message_ = false;
    bool broken_ = false;
};

/// The largest header a client frame has: 2 bytes, 8 of length, 4 of mask.
inline constexpr std::size_t websocket_max_client_header = 14;

/// Appends one client frame (final, masked with `mask`) to `out`.
GATEWIRE_API void append_client_frame(std::vector<std::uint8_t>& out, WebSocketOpcode opcode,
                                      std::span<const std::uint8_t> payload,
                                      std::array<std::uint8_t, 4> mask);

/// A close frame's payload: the code, then the reason cut to fit 123 bytes.
GATEWIRE_API std::vector<std::uint8_t> websocket_close_payload(std::uint16_t code,
                                                               std::string_view reason);

/// Sec-WebSocket-Key for 16 random bytes.
GATEWIRE_API std::string websocket_key(std::span<const std::uint8_t, 16> nonce);
/// The Sec-WebSocket-Accept a server must answer `key` with.
GATEWIRE_API std::string websocket_accept(std::string_view key);

}  // namespace gatewire
