// RFC 6455 framing for the client: the server's frames read, the client's
// written, the handshake's key and answer.
#include "gatewire/detail/websocket_frames.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace gatewire {

namespace {

using Piece = WebSocketPiece;

Piece violation(std::string_view problem) {
    Piece piece;
    piece.kind = Piece::Kind::violation;
    piece.problem = problem;
    return piece;
}

std::uint64_t big_endian(const std::uint8_t* bytes, std::size_t count) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        value = value << 8 | bytes[i];
    }
    return value;
}

// The codes a peer may put in a close frame (RFC 6455 7.4); 1005, 1006 and
// 1015 stand for "none", "dropped" and "TLS failed" and never travel.
bool sendable_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

Piece control_frame(WebSocketOpcode opcode, std::span<const std::uint8_t> payload) {
    Piece piece;
    piece.payload = payload;
    switch (opcode) {
        case WebSocketOpcode::ping:
            piece.kind = Piece::Kind::ping;
            return piece;
        case WebSocketOpcode::pong:
            piece.kind = Piece::Kind::pong;
            return piece;
        case WebSocketOpcode::close:
            break;
        default:
            return violation("a control frame with an unknown opcode");
    }
    piece.kind = Piece::Kind::close;
    if (payload.size() == 1) {
        return violation("a close frame of one byte");
    }
    if (payload.size() >= 2) {
        auto code = static_cast<std::uint16_t>(big_endian(payload.data(), 2));
        if (!sendable_close_code(code)) {
            return violation("a close frame with a code that may not be sent");
        }
        piece.close_code = code;
        piece.close_reason = {reinterpret_cast<const char*>(payload.data()) + 2,
                              payload.size() - 2};
    }
    return piece;
}

}  // namespace

WebSocketPiece WebSocketFrameReader::next(std::span<const std::uint8_t> bytes) {
    if (broken_) {
        return violation("the stream is broken");
    }
    Piece piece;
    std::size_t header = 0;
    if (in_payload_ && bytes.empty()) {
        return piece;
    }
    if (!in_payload_) {
        if (bytes.size() < 2) {
            return piece;
        }
        std::uint8_t first = bytes[0];
        std::uint8_t second = bytes[1];
        bool fin = (first & 0x80) != 0;
        auto opcode = static_cast<WebSocketOpcode>(first & 0x0F);
        std::uint64_t length = second & 0x7F;
        header = 2;
        if ((first & 0x70) != 0) {
            broken_ = true;
            return violation("reserved bits set with no extension agreed");
        }
        if ((second & 0x80) != 0) {
            broken_ = true;
            return violation("a masked frame from the server");
        }
        bool control = (first & 0x08) != 0;
        if (control) {
            if (!fin) {
                broken_ = true;
                return violation("a fragmented control frame");
            }
            if (length > 125) {
                broken_ = true;
                return violation("a control frame longer than 125 bytes");
            }
            if (bytes.size() < header + length) {
                return piece;
            }
            piece = control_frame(opcode, bytes.subspan(header, length));
            if (piece.kind == Piece::Kind::violation) {
                broken_ = true;
                return piece;
            }
            piece.used = header + length;
            return piece;
        }
        if (length == 126) {
            if (bytes.size() < 4) {
                return piece;
            }
            length = big_endian(bytes.data() + 2, 2);
            header = 4;
            if (length < 126) {
                broken_ = true;
                return violation("a length not in its shortest form");
            }
        } else if (length == 127) {
            if (bytes.size() < 10) {
                return piece;
            }
            length = big_endian(bytes.data() + 2, 8);
            header = 10;
            if (length >> 63 != 0) {
                broken_ = true;
                return violation("a length with its top bit set");
            }
            if (length <= 0xFFFF) {
                broken_ = true;
                return violation("a length not in its shortest form");
            }
        }
        if (opcode == WebSocketOpcode::continuation) {
            if (!in_message_) {
                broken_ = true;
                return violation("a continuation frame with no message to continue");
            }
        } else if (opcode == WebSocketOpcode::text || opcode == WebSocketOpcode::binary) {
            if (in_message_) {
                broken_ = true;
                return violation("a new message before the last one ended");
            }
        } else {
            broken_ = true;
            return violation("a data frame with an unknown opcode");
        }
        in_message_ = true;
        in_payload_ = true;
        frame_ends_message_ = fin;
        payload_left_ = length;
    }
    auto available = static_cast<std::uint64_t>(bytes.size() - header);
    auto taken = static_cast<std::size_t>(std::min(payload_left_, available));
    payload_left_ -= taken;
    piece.kind = Piece::Kind::data;
    piece.frame_left = payload_left_;
    piece.payload = bytes.subspan(header, taken);
    piece.used = header + taken;
    if (payload_left_ == 0) {
        in_payload_ = false;
        if (frame_ends_message_) {
            piece.message_end = true;
            in_message_ = false;
        }
    }
    return piece;
}

void append_client_frame(std::vector<std::uint8_t>& out, WebSocketOpcode opcode,
                         std::span<const std::uint8_t> payload, std::array<std::uint8_t, 4> mask) {
    std::size_t size = payload.size();
    out.push_back(static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode)));
    if (size < 126) {
        out.push_back(static_cast<std::uint8_t>(0x80 | size));
    } else if (size <= 0xFFFF) {
        out.push_back(0x80 | 126);
        out.push_back(static_cast<std::uint8_t>(size >> 8));
        out.push_back(static_cast<std::uint8_t>(size));
    } else {
        out.push_back(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(size) >> shift));
        }
    }
    out.insert(out.end(), mask.begin(), mask.end());
    std::size_t start = out.size();
    out.resize(start + size);
    std::uint8_t* masked = out.data() + start;
    for (std::size_t i = 0; i < size; ++i) {
        masked[i] = payload[i] ^ mask[i & 3];
    }
}

std::vector<std::uint8_t> websocket_close_payload(std::uint16_t code, std::string_view reason) {
    if (reason.size() > 123) {
        // Cut before a character, never inside one: back off while the first
        // byte left out continues a UTF-8 sequence.
        std::size_t end = 123;
        while (end > 0 && (static_cast<std::uint8_t>(reason[end]) & 0xC0) == 0x80) {
            --end;
        }
        reason = reason.substr(0, end);
    }
    std::vector<std::uint8_t> payload;
    payload.reserve(2 + reason.size());
    payload.push_back(static_cast<std::uint8_t>(code >> 8));
    payload.push_back(static_cast<std::uint8_t>(code));
    payload.insert(payload.end(), reason.begin(), reason.end());
    return payload;
}

namespace {

std::string base64(std::span<const std::uint8_t> bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t group = static_cast<std::uint32_t>(bytes[i]) << 16;
        std::size_t count = std::min<std::size_t>(3, bytes.size() - i);
        if (count > 1) {
            group |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
        }
        if (count > 2) {
            group |= bytes[i + 2];
        }
        out += alphabet[(group >> 18) & 63];
        out += alphabet[(group >> 12) & 63];
        out += count > 1 ? alphabet[(group >> 6) & 63] : '=';
        out += count > 2 ? alphabet[group & 63] : '=';
    }
    return out;
}

}  // namespace

std::string websocket_key(std::span<const std::uint8_t, 16> nonce) {
    return base64(nonce);
}

std::string websocket_accept(std::string_view key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input(key);
    input += guid;
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr);
    return base64(std::span<const std::uint8_t>(digest.data(), size));
}

}  // namespace gatewire
