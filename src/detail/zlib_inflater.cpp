#include "detail/zlib_inflater.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace gatewire::detail {
namespace {

// A decode-table entry, one 32-bit word:
//   bits 0-4   bits to consume: the codeword plus any extra bits
//   bits 5-8   the codeword's length in this table (a pointer: its subtable's index bits)
//   bits 9-12  flags
//   bits 16-31 the value: literal byte, length or distance base, subtable start
constexpr std::uint32_t literal_flag = 1u << 9;
constexpr std::uint32_t end_of_block_flag = 1u << 10;
constexpr std::uint32_t subtable_flag = 1u << 11;
constexpr std::uint32_t invalid_flag = 1u << 12;
constexpr std::uint32_t invalid_entry = invalid_flag;

constexpr std::uint32_t value_of(std::uint32_t entry) {
    return entry >> 16;
}
constexpr unsigned consumed_bits(std::uint32_t entry) {
    return entry & 31;
}
constexpr unsigned codeword_bits(std::uint32_t entry) {
    return (entry >> 5) & 15;
}
// An entry before the codeword's length is known.
constexpr std::uint32_t symbol_entry(std::uint32_t value, unsigned extra_bits,
                                     std::uint32_t flags = 0) {
    return value << 16 | flags | extra_bits;
}

// Primary-table index bits: codes up to this long are found in one lookup.
constexpr unsigned litlen_root = 10;
constexpr unsigned distance_root = 8;
constexpr unsigned precode_root = 7;
// Room for the primary table and every subtable a valid code can need (zlib's
// `enough` counts about 1,330 and 402 entries for these roots); building
// checks the room anyway.
constexpr std::size_t litlen_capacity = 2048;
constexpr std::size_t distance_capacity = 1024;
constexpr std::size_t precode_capacity = 1u << precode_root;

constexpr std::size_t max_distance = 32768;
constexpr std::size_t max_match = 258;
// Space kept free past the write position: a whole match, plus the chunk
// stores that run past its end.
constexpr std::size_t write_slack = max_match + 16;
constexpr std::size_t default_capacity = 96 * 1024;
// Below this much free space, a new piece first moves the history down.
constexpr std::size_t min_free = 24 * 1024;
// A buffer grown past this for one big piece is given back after it.
constexpr std::size_t retained_capacity = 256 * 1024;
// Deflate shrinks the gateway's JSON about four times or more: a large piece
// gets a buffer of this many times its size up front (pages untouched until
// written), and grows by doubling past it.
constexpr std::size_t likely_ratio = 4;

constexpr std::array<std::uint16_t, 29> length_base{3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                    15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                    67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> length_extra{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> distance_base{
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> distance_extra{0, 0, 0,  0,  1,  1,  2,  2,  3,  3,
                                                      4, 4, 5,  5,  6,  6,  7,  7,  8,  8,
                                                      9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
// The order the code-length code's lengths are sent in.
constexpr std::array<std::uint8_t, 19> precode_order{16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                     11, 4,  12, 3, 13, 2, 14, 1, 15};

// Each symbol's entry before its codeword's length is added.
constexpr std::array<std::uint32_t, 288> litlen_entries = [] {
    std::array<std::uint32_t, 288> out{};
    for (unsigned s = 0; s < 256; ++s) {
        out[s] = symbol_entry(s, 0, literal_flag);
    }
    out[256] = symbol_entry(0, 0, end_of_block_flag);
    for (unsigned s = 257; s < 286; ++s) {
        out[s] = symbol_entry(length_base[s - 257], length_extra[s - 257]);
    }
    out[286] = out[287] = invalid_entry;  // only in the fixed code, never valid
    return out;
}();

constexpr std::array<std::uint32_t, 32> distance_entries = [] {
    std::array<std::uint32_t, 32> out{};
    for (unsigned s = 0; s < 30; ++s) {
        out[s] = symbol_entry(distance_base[s], distance_extra[s]);
    }
    out[30] = out[31] = invalid_entry;  // only in the fixed code, never valid
    return out;
}();

constexpr std::array<std::uint32_t, 19> precode_entries = [] {
    std::array<std::uint32_t, 19> out{};
    for (unsigned s = 0; s < 19; ++s) {
        out[s] = symbol_entry(s, 0);
    }
    return out;
}();

// Deflate sends codewords first bit first; the tables are indexed by the
// bits as they arrive, so codes are placed bit-reversed.
constexpr std::array<std::uint8_t, 256> reversed_bytes = [] {
    std::array<std::uint8_t, 256> out{};
    for (unsigned b = 0; b < 256; ++b) {
        unsigned r = 0;
        for (unsigned i = 0; i < 8; ++i) {
            r |= ((b >> i) & 1u) << (7 - i);
        }
        out[b] = static_cast<std::uint8_t>(r);
    }
    return out;
}();

unsigned reversed(unsigned code, unsigned length) {
    unsigned r = static_cast<unsigned>(reversed_bytes[code & 0xFF]) << 8 |
                 reversed_bytes[(code >> 8) & 0xFF];
    return r >> (16 - length);
}

// Builds the decode table of the canonical code with these lengths: a primary
// table of 2^root entries, then subtables for longer codes. Returns false for
// an over-subscribed code, or an incomplete one where the format forbids it
// (everywhere but a code of at most one symbol, as zlib accepts).
bool build_table(std::uint32_t* table, std::size_t capacity, const std::uint8_t* lengths,
                 unsigned symbols, unsigned root, const std::uint32_t* entries,
                 bool allow_single_code) {
    std::array<unsigned, 16> count{};
    for (unsigned s = 0; s < symbols; ++s) {
        ++count[lengths[s]];
    }
    count[0] = 0;
    int left = 1;
    for (unsigned len = 1; len <= 15; ++len) {
        left = (left << 1) - static_cast<int>(count[len]);
        if (left < 0) {
            return false;
        }
    }
    unsigned max_length = 15;
    while (max_length > 0 && count[max_length] == 0) {
        --max_length;
    }
    if (left > 0 && !(allow_single_code && max_length <= 1)) {
        return false;
    }
    // Symbols in codeword order: by length, then by value.
    std::array<unsigned, 16> next{};
    for (unsigned len = 1; len < 15; ++len) {
        next[len + 1] = next[len] + count[len];
    }
    std::array<std::uint16_t, 288> sorted;
    for (unsigned s = 0; s < symbols; ++s) {
        if (lengths[s] != 0) {
            sorted[next[lengths[s]]++] = static_cast<std::uint16_t>(s);
        }
    }
    // The primary table grows by doubling: a codeword of length L sits at its
    // L reversed bits, and each doubling copies it to every index that ends in them.
    table[0] = table[1] = invalid_entry;
    std::size_t filled = 2;
    unsigned code = 0;
    unsigned at = 0;  // in sorted
    for (unsigned len = 1; len <= root; ++len) {
        for (unsigned k = 0; k < count[len]; ++k) {
            table[reversed(code++, len)] = entries[sorted[at++]] + len * 33;  // + len<<5 | len
        }
        if (len < root) {
            std::memcpy(table + filled, table, filled * sizeof(std::uint32_t));
            filled *= 2;
        }
        code <<= 1;
    }
    // Longer codes: codewords that share their first `root` bits are
    // consecutive, and share a subtable just big enough for them.
    std::size_t free = filled;
    unsigned prefix = ~0u;
    unsigned sub_bits = 0;
    std::size_t sub_start = 0;
    std::array<unsigned, 16> left_of_length = count;  // sizes the subtables still to come
    for (unsigned len = root + 1; len <= max_length; ++len) {
        for (unsigned k = 0; k < count[len]; ++k) {
            unsigned bits = reversed(code++, len);
            if ((bits & ((1u << root) - 1)) != prefix) {
                prefix = bits & ((1u << root) - 1);
                sub_bits = len - root;
                int room = 1 << sub_bits;
                while (sub_bits + root < max_length) {
                    room -= static_cast<int>(left_of_length[sub_bits + root]);
                    if (room <= 0) {
                        break;
                    }
                    ++sub_bits;
                    room <<= 1;
                }
                sub_start = free;
                free += std::size_t{1} << sub_bits;
                if (free > capacity) {
                    return false;
                }
                std::fill(table + sub_start, table + free, invalid_entry);
                table[prefix] = static_cast<std::uint32_t>(sub_start) << 16 | subtable_flag |
                                sub_bits << 5 | root;
            }
            std::uint32_t entry = entries[sorted[at++]] + (len - root) * 33;
            for (unsigned i = bits >> root; i < (1u << sub_bits); i += 1u << (len - root)) {
                table[sub_start + i] = entry;
            }
            --left_of_length[len];
        }
        code <<= 1;
    }
    return true;
}

struct FixedTables {
    std::array<std::uint32_t, 1u << litlen_root> litlen{};
    std::array<std::uint32_t, 1u << distance_root> distance{};
    FixedTables() {
        std::array<std::uint8_t, 288> lengths{};
        std::fill(lengths.begin(), lengths.begin() + 144, 8);
        std::fill(lengths.begin() + 144, lengths.begin() + 256, 9);
        std::fill(lengths.begin() + 256, lengths.begin() + 280, 7);
        std::fill(lengths.begin() + 280, lengths.end(), 8);
        build_table(litlen.data(), litlen.size(), lengths.data(), 288, litlen_root,
                    litlen_entries.data(), false);
        lengths.fill(5);
        build_table(distance.data(), distance.size(), lengths.data(), 32, distance_root,
                    distance_entries.data(), false);
    }
};

const FixedTables& fixed_tables() {
    static const FixedTables tables;
    return tables;
}

// A dynamic block's tables. Blocks never span pieces (a piece ends on a
// block's end, or it is corrupt), so nothing in them outlives one inflate()
// call: one set per thread serves every inflater on it, instead of 12.5 KiB
// held by each idle shard.
struct DynamicTables {
    alignas(64) std::array<std::uint32_t, litlen_capacity> litlen_codes;
    std::array<std::uint32_t, distance_capacity> distance_codes;
    std::array<std::uint32_t, precode_capacity> length_codes;
};

DynamicTables& dynamic_tables() {
    thread_local auto tables = std::make_unique<DynamicTables>();
    return *tables;
}

std::uint64_t load_le64(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) {
        v = __builtin_bswap64(v);
    }
    return v;
}

// The input as a bit stream, least significant bit first. A refill tops the
// buffer up to at least 56 bits, enough for a whole length/distance pair.
struct BitReader {
    const std::uint8_t* begin;
    const std::uint8_t* end;
    const std::uint8_t* in;
    std::uint64_t bits = 0;
    unsigned count = 0;

    // False once more was read than the piece holds: certain when `in` is 9
    // bytes past the end, as at most 63 bits are buffered (consumed() is
    // exact). Reading 8 bytes at `in` then stays within input_padding.
    [[nodiscard]] bool refill() {
        if (in > end + 8) [[unlikely]] {
            return false;
        }
        bits |= load_le64(in) << count;
        in += (63 - count) >> 3;
        count |= 56;
        return true;
    }
    // The same where the caller knows 8 bytes at `in` are readable.
    void refill_unchecked() {
        bits |= load_le64(in) << count;
        in += (63 - count) >> 3;
        count |= 56;
    }
    std::uint32_t peek(unsigned n) const {
        return static_cast<std::uint32_t>(bits & ((std::uint64_t{1} << n) - 1));
    }
    void drop(unsigned n) {
        bits >>= n;
        count -= n;
    }
    std::uint32_t take(unsigned n) {
        std::uint32_t v = peek(n);
        drop(n);
        return v;
    }
    // The entry for the next codeword, from the subtable where the primary
    // entry points to one.
    std::uint32_t lookup(const std::uint32_t* table, unsigned root) {
        std::uint32_t e = table[peek(root)];
        if (e & subtable_flag) [[unlikely]] {
            drop(root);
            e = table[value_of(e) + peek(codeword_bits(e))];
        }
        return e;
    }
    // A length or distance: the entry's base plus the extra bits after its
    // codeword, both consumed.
    std::size_t take_value(std::uint32_t e) {
        std::size_t v = value_of(e) + (peek(consumed_bits(e)) >> codeword_bits(e));
        drop(consumed_bits(e));
        return v;
    }
    std::size_t consumed() const { return static_cast<std::size_t>(in - begin) * 8 - count; }
    void align_to_byte() { drop(count & 7); }
    // After align_to_byte: the next unread byte, with the buffer emptied.
    const std::uint8_t* release() {
        const std::uint8_t* at = in - count / 8;
        bits = 0;
        count = 0;
        in = at;
        return at;
    }
};

// Writes the `length` bytes found `distance` back. Chunk copies, each reading
// only bytes already written; the last may run up to 15 bytes past the
// match into the slack. Gateway text mostly repeats what an earlier message
// said, from far enough back for 16 bytes at a time.
std::uint8_t* copy_match(std::uint8_t* out, std::size_t distance, std::size_t length) {
    const std::uint8_t* from = out - distance;
    std::uint8_t* stop = out + length;
    if (distance >= 16) {
        do {
            std::memcpy(out, from, 16);
            out += 16;
            from += 16;
        } while (out < stop);
    } else if (distance >= 8) {
        do {
            std::memcpy(out, from, 8);
            out += 8;
            from += 8;
        } while (out < stop);
    } else if (distance == 1) {
        std::memset(out, *from, length);
    } else {
        do {
            *out++ = *from++;
        } while (out < stop);
    }
    return stop;
}

}  // namespace

struct ZlibInflater::State {
    std::size_t max_output;
    std::unique_ptr<std::uint8_t[]> buffer;
    std::size_t capacity = 0;
    std::size_t end = 0;           // output so far; the history is what precedes it
    std::size_t stream_start = 0;  // where the current zlib stream's output starts
    std::size_t piece_start = 0;   // the last piece's output: [piece_start, end)
    bool header_next = true;       // the next bytes start a zlib stream
    bool too_large = false;

    explicit State(std::size_t max) : max_output(max) {}

    // Where the history a new piece may refer to begins: 32 KiB back at most,
    // and never before the current stream.
    std::size_t history_start() const { return end - std::min(end - stream_start, max_distance); }

    // Offsets after everything before `keep_from` left the buffer's front.
    void rebase(std::size_t keep_from) {
        end -= keep_from;
        stream_start = stream_start > keep_from ? stream_start - keep_from : 0;
    }

    void reallocate(std::size_t new_capacity, std::size_t keep_from) {
        auto fresh = std::make_unique_for_overwrite<std::uint8_t[]>(new_capacity);
        if (buffer) {
            std::memcpy(fresh.get(), buffer.get() + keep_from, end - keep_from);
        }
        buffer = std::move(fresh);
        capacity = new_capacity;
        rebase(keep_from);
    }

    void keep_only_history() {
        std::size_t keep_from = history_start();
        std::memmove(buffer.get(), buffer.get() + keep_from, end - keep_from);
        rebase(keep_from);
    }

    // Before a piece: the history at the front of a buffer with room behind
    // it, of the usual size, or for a large piece of what it will likely need.
    void prepare(std::size_t piece_bytes) {
        std::size_t keep_from = history_start();
        std::size_t history = end - keep_from;
        std::size_t likely =
            std::min(piece_bytes, max_output / likely_ratio) * likely_ratio + write_slack;
        if (history + likely > default_capacity) {
            // Grown by doubling, a large piece copied what it had and touched
            // fresh pages at every step; a run of large pieces keeps the buffer.
            if (!buffer || capacity < history + likely) {
                reallocate(history + likely, keep_from);
            } else if (capacity - end < likely) {
                keep_only_history();
            }
            return;
        }
        if (!buffer || capacity > retained_capacity) {
            reallocate(default_capacity, keep_from);
        } else if (capacity - end < min_free) {
            keep_only_history();
        }
    }

    // Makes room for `need` more bytes (plus slack) after `out`; returns where
    // `out` now is. A piece past the limit keeps only its history.
    std::uint8_t* make_room(std::uint8_t* out, std::size_t need) {
        end = static_cast<std::size_t>(out - buffer.get());
        if (!too_large && end - piece_start > max_output) {
            too_large = true;
        }
        if (too_large) {
            keep_only_history();
            piece_start = 0;
        }
        if (capacity - end < need + write_slack) {
            std::size_t limit = piece_start + max_output + need + 2 * write_slack;
            std::size_t grown = std::max(end + need + write_slack, std::min(capacity * 2, limit));
            reallocate(grown, 0);
        }
        return buffer.get() + end;
    }

    Result inflate(std::span<const std::uint8_t> piece);
    static bool read_dynamic_tables(BitReader& in, DynamicTables& tables);
    // Decodes one block's symbols with the given tables; false if corrupt.
    bool decode_huffman(BitReader& in, std::uint8_t*& out, const std::uint32_t* litlen,
                        const std::uint32_t* distance);
    bool copy_stored(BitReader& in, std::uint8_t*& out);
};

bool ZlibInflater::State::read_dynamic_tables(BitReader& in, DynamicTables& tables) {
    if (!in.refill()) {
        return false;
    }
    unsigned litlen_count = in.take(5) + 257;
    unsigned distance_count = in.take(5) + 1;
    unsigned precode_count = in.take(4) + 4;
    if (litlen_count > 286 || distance_count > 30) {
        return false;
    }
    std::array<std::uint8_t, 19> precode_lengths{};
    for (unsigned i = 0; i < precode_count; ++i) {
        if (!in.refill()) {
            return false;
        }
        precode_lengths[precode_order[i]] = static_cast<std::uint8_t>(in.take(3));
    }
    auto& length_codes = tables.length_codes;
    if (!build_table(length_codes.data(), length_codes.size(), precode_lengths.data(), 19,
                     precode_root, precode_entries.data(), false)) {
        return false;
    }
    std::array<std::uint8_t, 286 + 30> lengths{};
    unsigned total = litlen_count + distance_count;
    for (unsigned i = 0; i < total;) {
        if (!in.refill()) {
            return false;
        }
        std::uint32_t e = length_codes[in.peek(precode_root)];
        if (e & invalid_flag) {
            return false;
        }
        in.drop(consumed_bits(e));
        unsigned symbol = value_of(e);
        if (symbol < 16) {
            lengths[i++] = static_cast<std::uint8_t>(symbol);
            continue;
        }
        std::uint8_t repeated = 0;
        unsigned times;
        if (symbol == 16) {
            if (i == 0) {
                return false;
            }
            repeated = lengths[i - 1];
            times = 3 + in.take(2);
        } else if (symbol == 17) {
            times = 3 + in.take(3);
        } else {
            times = 11 + in.take(7);
        }
        if (times > total - i) {
            return false;
        }
        std::fill_n(lengths.begin() + i, times, repeated);
        i += times;
    }
    if (lengths[256] == 0) {
        return false;  // no end-of-block code
    }
    return build_table(tables.litlen_codes.data(), tables.litlen_codes.size(), lengths.data(),
                       litlen_count, litlen_root, litlen_entries.data(), true) &&
           build_table(tables.distance_codes.data(), tables.distance_codes.size(),
                       lengths.data() + litlen_count, distance_count, distance_root,
                       distance_entries.data(), true);
}

bool ZlibInflater::State::decode_huffman(BitReader& reader, std::uint8_t*& out_ref,
                                         const std::uint32_t* litlen_table,
                                         const std::uint32_t* distance_table) {
    // Local copies stay in registers; through the references every bit
    // operation would go to memory and back.
    BitReader in = reader;
    std::uint8_t* out = out_ref;
    std::uint8_t* limit = buffer.get() + capacity - write_slack;
    const std::uint8_t* window = buffer.get() + stream_start;
    // While `in` is before this, an iteration's refills (two at most, seven
    // bytes each, eight-byte loads) stay inside the piece and its padding.
    const std::uint8_t* fast_end =
        in.end - std::min<std::size_t>(static_cast<std::size_t>(in.end - in.begin), 16);
    for (;;) {
        if (out >= limit) [[unlikely]] {
            out = make_room(out, 0);
            limit = buffer.get() + capacity - write_slack;
            window = buffer.get() + stream_start;
        }
        if (in.in < fast_end && out < limit) {
            // The fast loop, for all but a piece's last bytes: no bounds
            // checks, and the next symbol's entry is looked up before the
            // current one is written, so the lookup overlaps the copy.
            // At the top of each turn 56 bits or more are buffered and `e`
            // is the next symbol's primary entry.
            in.refill_unchecked();
            std::uint32_t e = litlen_table[in.peek(litlen_root)];
            do {
                if (e & literal_flag) {
                    // A literal found in the primary table takes at most 10
                    // bits: three, and the lookup after them, fit in 56.
                    in.drop(consumed_bits(e));
                    auto literal = static_cast<std::uint8_t>(value_of(e));
                    e = litlen_table[in.peek(litlen_root)];
                    *out++ = literal;
                    if (e & literal_flag) {
                        in.drop(consumed_bits(e));
                        literal = static_cast<std::uint8_t>(value_of(e));
                        e = litlen_table[in.peek(litlen_root)];
                        *out++ = literal;
                        if (e & literal_flag) {
                            in.drop(consumed_bits(e));
                            literal = static_cast<std::uint8_t>(value_of(e));
                            e = litlen_table[in.peek(litlen_root)];
                            *out++ = literal;
                        }
                    }
                    in.refill_unchecked();  // adds bits above: `e` stays right
                    continue;
                }
                if (e & subtable_flag) [[unlikely]] {
                    in.drop(litlen_root);
                    e = litlen_table[value_of(e) + in.peek(codeword_bits(e))];
                    if (e & literal_flag) {
                        in.drop(consumed_bits(e));
                        *out++ = static_cast<std::uint8_t>(value_of(e));
                        in.refill_unchecked();
                        e = litlen_table[in.peek(litlen_root)];
                        continue;
                    }
                }
                if (e & (end_of_block_flag | invalid_flag)) [[unlikely]] {
                    if (e & invalid_flag) {
                        return false;
                    }
                    in.drop(consumed_bits(e));
                    reader = in;
                    out_ref = out;
                    return true;
                }
                // A length (20 bits at most) and a distance (28): 48 of the 56.
                std::size_t length = in.take_value(e);
                std::uint32_t d = in.lookup(distance_table, distance_root);
                if (d & invalid_flag) [[unlikely]] {
                    return false;
                }
                std::size_t distance = in.take_value(d);
                if (distance > static_cast<std::size_t>(out - window)) [[unlikely]] {
                    return false;  // before the start of the stream
                }
                in.refill_unchecked();
                e = litlen_table[in.peek(litlen_root)];
                out = copy_match(out, distance, length);
            } while (in.in < fast_end && out < limit);
            continue;
        }
        // The careful step, one symbol (or a few literals) at a time, every
        // refill checked: a piece's last bytes, or a corrupt one running past.
        if (!in.refill()) {
            return false;
        }
        std::uint32_t e = in.lookup(litlen_table, litlen_root);
        if (e & literal_flag) {
            // Literals run in groups: up to three fit in one refill (and the
            // slack behind `limit`), before a length/distance pair needs 48 bits.
            in.drop(consumed_bits(e));
            *out++ = static_cast<std::uint8_t>(value_of(e));
            e = litlen_table[in.peek(litlen_root)];
            if (e & literal_flag) {
                in.drop(consumed_bits(e));
                *out++ = static_cast<std::uint8_t>(value_of(e));
                e = litlen_table[in.peek(litlen_root)];
                if (e & literal_flag) {
                    in.drop(consumed_bits(e));
                    *out++ = static_cast<std::uint8_t>(value_of(e));
                }
            }
            continue;
        }
        if (e & (end_of_block_flag | invalid_flag)) [[unlikely]] {
            if (e & invalid_flag) {
                return false;
            }
            in.drop(consumed_bits(e));
            break;
        }
        std::size_t length = in.take_value(e);
        std::uint32_t d = in.lookup(distance_table, distance_root);
        if (d & invalid_flag) [[unlikely]] {
            return false;
        }
        std::size_t distance = in.take_value(d);
        if (distance > static_cast<std::size_t>(out - window)) [[unlikely]] {
            return false;  // before the start of the stream
        }
        out = copy_match(out, distance, length);
    }
    reader = in;
    out_ref = out;
    return true;
}

bool ZlibInflater::State::copy_stored(BitReader& in, std::uint8_t*& out) {
    in.align_to_byte();
    if (!in.refill()) {
        return false;
    }
    std::uint32_t length = in.take(16);
    std::uint32_t complement = in.take(16);
    if ((length ^ 0xFFFF) != complement) {
        return false;
    }
    const std::uint8_t* from = in.release();
    if (from > in.end || length > static_cast<std::size_t>(in.end - from)) {
        return false;
    }
    if (static_cast<std::size_t>(buffer.get() + capacity - out) < length + write_slack) {
        out = make_room(out, length);
    }
    std::memcpy(out, from, length);
    out += length;
    in.in = from + length;
    return true;
}

ZlibInflater::Result ZlibInflater::State::inflate(std::span<const std::uint8_t> piece) {
    prepare(piece.size());
    piece_start = end;
    too_large = false;
    BitReader in{piece.data(), piece.data() + piece.size(), piece.data()};
    std::uint8_t* out = buffer.get() + end;
    const std::size_t piece_bits = piece.size() * 8;
    for (;;) {
        std::size_t consumed = in.consumed();
        if (consumed > piece_bits) {
            return Result::corrupt;  // the piece ended inside a block
        }
        if (consumed == piece_bits) {
            break;
        }
        if (consumed + 8 > piece_bits) {
            // A flushed piece ends on a byte boundary; bits left over would
            // begin a block that never comes (zlib: an invalid block type).
            return Result::corrupt;
        }
        if (!in.refill()) {
            return Result::corrupt;
        }
        if (header_next) {
            std::uint32_t cmf = in.take(8);
            std::uint32_t flg = in.take(8);
            if ((cmf & 0x0F) != 8 || (cmf >> 4) > 7 || (cmf << 8 | flg) % 31 != 0 ||
                (flg & 0x20) != 0) {
                return Result::corrupt;  // not deflate, bad check, or a preset dictionary
            }
            header_next = false;
            end = static_cast<std::size_t>(out - buffer.get());
            stream_start = end;  // the new stream cannot refer to the old one
            continue;
        }
        bool last = in.take(1) != 0;
        std::uint32_t type = in.take(2);
        bool ok = false;
        if (type == 0) {
            ok = copy_stored(in, out);
        } else if (type == 1) {
            const FixedTables& fixed = fixed_tables();
            ok = decode_huffman(in, out, fixed.litlen.data(), fixed.distance.data());
        } else if (type == 2) {
            DynamicTables& tables = dynamic_tables();
            ok = read_dynamic_tables(in, tables) &&
                 decode_huffman(in, out, tables.litlen_codes.data(), tables.distance_codes.data());
        }
        if (!ok) {
            return Result::corrupt;
        }
        if (last) {
            // The Adler-32 trailer: stepped over, not checked (a zlib-stream
            // ends only when its connection does, so nobody would check it).
            in.align_to_byte();
            if (!in.refill()) {
                return Result::corrupt;
            }
            in.drop(32);
            header_next = true;
        }
    }
    end = static_cast<std::size_t>(out - buffer.get());
    if (too_large || end - piece_start > max_output) {
        too_large = false;
        piece_start = end;
        return Result::too_large;
    }
    return Result::complete;
}

ZlibInflater::ZlibInflater(std::size_t max_output) : state_(std::make_unique<State>(max_output)) {}
ZlibInflater::~ZlibInflater() = default;
ZlibInflater::ZlibInflater(ZlibInflater&&) noexcept = default;
ZlibInflater& ZlibInflater::operator=(ZlibInflater&&) noexcept = default;

ZlibInflater::Result ZlibInflater::inflate(std::span<const std::uint8_t> piece) {
    return state_->inflate(piece);
}

std::size_t ZlibInflater::max_output() const noexcept {
    return state_->max_output;
}

std::string_view ZlibInflater::output() const noexcept {
    const State& s = *state_;
    return {reinterpret_cast<const char*>(s.buffer.get()) + s.piece_start, s.end - s.piece_start};
}

}  // namespace gatewire::detail
