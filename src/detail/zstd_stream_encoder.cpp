#include "gatewire/detail/zstd_stream_encoder.hpp"

#include <zstd.h>

namespace gatewire {

struct ZstdStreamEncoder::State {
    ZSTD_CCtx* ctx = ZSTD_createCCtx();
    int level;
    explicit State(int l) : level(l) { ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, l); }
    ~State() { ZSTD_freeCCtx(ctx); }
};

// The context is made at the first message: only Fluxer's stream=1 sends
// compressed, so most sessions never need one (about 5 KiB each).
ZstdStreamEncoder::ZstdStreamEncoder(int level) : level_(level) {}
ZstdStreamEncoder::~ZstdStreamEncoder() = default;
ZstdStreamEncoder::ZstdStreamEncoder(ZstdStreamEncoder&&) noexcept = default;
ZstdStreamEncoder& ZstdStreamEncoder::operator=(ZstdStreamEncoder&&) noexcept = default;

void ZstdStreamEncoder::reset() {
    state_.reset();
}

std::string ZstdStreamEncoder::encode(std::string_view message) {
    if (!state_) {
        state_ = std::make_unique<State>(level_);
    }
    std::string out;
    out.resize(ZSTD_compressBound(message.size()) + 64);
    ZSTD_inBuffer in{message.data(), message.size(), 0};
    std::size_t written = 0;
    for (;;) {
        ZSTD_outBuffer ob{out.data() + written, out.size() - written, 0};
        std::size_t remaining = ZSTD_compressStream2(state_->ctx, &ob, &in, ZSTD_e_flush);
        written += ob.pos;
        if (ZSTD_isError(remaining)) {
            return {};  // only on allocation failure: the caller sees an empty message
        }
        if (remaining == 0) {
            break;
        }
        out.resize(out.size() * 2);
    }
    out.resize(written);
    return out;
}

}  // namespace gatewire
