#include "sim/outgoing_compressor.hpp"

namespace gatewire::sim::detail {

OutgoingCompressor::OutgoingCompressor(Compression c) : compression_(c) {
    if (c == Compression::zlib_stream) {
        deflateInit(&zlib_, Z_DEFAULT_COMPRESSION);
    } else if (c == Compression::zstd_stream) {
        zstd_ = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, 3);
    }
}

std::string OutgoingCompressor::compress(const std::string& text) {
    if (compression_ == Compression::none) {
        return text;
    }
    std::string out(text.size() + text.size() / 8 + 256, '\0');
    if (compression_ == Compression::zlib_stream) {
        zlib_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
        zlib_.avail_in = static_cast<uInt>(text.size());
        std::size_t written = 0;
        do {
            if (out.size() - written < 64) {
                out.resize(out.size() * 2);
            }
            zlib_.next_out = reinterpret_cast<Bytef*>(out.data() + written);
            zlib_.avail_out = static_cast<uInt>(out.size() - written);
            deflate(&zlib_, Z_SYNC_FLUSH);
            written = out.size() - zlib_.avail_out;
        } while (zlib_.avail_out == 0);
        out.resize(written);
        return out;
    }
    ZSTD_inBuffer in{text.data(), text.size(), 0};
    std::size_t written = 0;
    for (;;) {
        ZSTD_outBuffer ob{out.data() + written, out.size() - written, 0};
        std::size_t left = ZSTD_compressStream2(zstd_, &ob, &in, ZSTD_e_flush);
        written += ob.pos;
        if (left == 0 || ZSTD_isError(left)) {
            break;
        }
        out.resize(out.size() * 2);
    }
    out.resize(written);
    return out;
}

}  // namespace gatewire::sim::detail
