// Redis 7.0's HyperLogLog string format (16-byte "HYLL" header, sparse ZERO/XZERO/VAL opcodes or
// 6-bit dense registers) so values move byte-identically through GET/SET, RDB and DUMP/RESTORE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mr::engine::hll {

inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kRegisters = 16384;
inline constexpr size_t kDenseSize = kHeaderSize + kRegisters * 6 / 8;  // 12304
inline constexpr size_t kDefaultSparseMaxBytes = 3000;                   // hll-sparse-max-bytes
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;

/// Outcome of a register update on a stored value.
enum class Update { kUnchanged, kChanged, kCorrupt };

/// Redis' isHLLObject: magic, known encoding, exact dense length. Sparse opcodes are checked
/// lazily by the operations below (as Redis does), which report kCorrupt / false.
bool IsValid(std::string_view v);
bool IsSparse(std::string_view v);

/// An empty sparse HLL, as PFADD creates it (cached cardinality 0, valid).
std::string NewSparse();

/// MurmurHash64A with Redis' seed 0xadc83b19.
uint64_t Hash(std::string_view element);

/// Adds one element to a valid HLL (IsValid), promoting sparse to dense past `sparse_max_bytes`
/// (whole string, header included) or when a register exceeds the sparse VAL limit.
Update Add(std::string* v, std::string_view element, size_t sparse_max_bytes);
/// Raises register `index` to `count` when it is lower (PFMERGE's per-register write).
Update Set(std::string* v, uint32_t index, uint8_t count, size_t sparse_max_bytes);

/// Converts a sparse value to dense in place, keeping the header bytes; false when corrupt.
bool SparseToDense(std::string* v);

/// max[i] = MAX(max[i], register i) over a valid HLL; false when its sparse form is corrupt.
bool MergeInto(std::string_view v, uint8_t* max);

/// Cardinality estimate (Ertl's improved estimator, as Redis 7.0); false when corrupt.
bool Count(std::string_view v, uint64_t* out);
/// Estimate over kRegisters one-byte registers (multi-key PFCOUNT).
uint64_t CountRegisters(const uint8_t* regs);

/// The cached cardinality, when its "invalid" bit (MSB of the 8-byte little-endian field) is clear.
bool CachedCount(std::string_view v, uint64_t* out);
void SetCachedCount(std::string* v, uint64_t card);
void InvalidateCache(std::string* v);

}  // namespace mr::engine::hll
