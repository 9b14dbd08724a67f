// libFuzzer target for the HyperLogLog decoder: arbitrary bytes (given a "HYLL" header when they
// lack one) go through validation, count, merge, add and sparse->dense conversion. No crash or
// sanitizer report, and the sparse and dense forms of one value must agree on every register.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/server/hyperloglog.h"

namespace hll = mr::engine::hll;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string v(reinterpret_cast<const char*>(data), size);
  if (v.compare(0, 4, "HYLL") != 0) {
    // Mostly sparse opcode streams: the interesting (variable-length) decoder.
    std::string header(hll::kHeaderSize, '\0');
    header.replace(0, 4, "HYLL");
    header[4] = static_cast<char>(size > 0 && (data[0] & 0x0f) == 0 ? hll::kDense : hll::kSparse);
    v = header + v;
    if (header[4] == hll::kDense) {
      v.resize(hll::kDenseSize, '\0');
    }
  }
  if (!hll::IsValid(v)) {
    return 0;
  }
  uint64_t cached;
  hll::CachedCount(v, &cached);
  std::vector<uint8_t> max(hll::kRegisters, 0);
  const bool merged = hll::MergeInto(v, max.data());
  uint64_t count = 0;
  const bool counted = hll::Count(v, &count);
  if (merged != counted) {
    std::abort();  // both walk the same opcodes: they must agree on validity
  }
  std::string dense = v;
  const bool converted = hll::SparseToDense(&dense);
  if (converted != merged) {
    std::abort();
  }
  if (converted) {
    std::vector<uint8_t> max2(hll::kRegisters, 0);
    uint64_t count2 = 0;
    if (!hll::MergeInto(dense, max2.data()) || max2 != max || !hll::Count(dense, &count2) ||
        count2 != count || hll::CountRegisters(max.data()) != count) {
      std::abort();  // dense and sparse forms of one value disagree
    }
  }
  // Writes on the original bytes: corrupt values may fail; on a well-formed value every write
  // succeeds, keeps it well-formed and leaves exactly max(old, new) in the register.
  std::string w = v;
  for (size_t i = 0; i + 2 < size && i < 48; i += 3) {
    uint32_t index = (data[i] | (static_cast<uint32_t>(data[i + 1]) << 8)) % hll::kRegisters;
    uint8_t value = static_cast<uint8_t>(1 + data[i + 2] % 51);
    hll::Update u = hll::Set(&w, index, value, 300 + data[i + 2] * 16);
    if (u == hll::Update::kCorrupt) {
      if (merged) {
        std::abort();
      }
      return 0;
    }
    if (!hll::IsValid(w)) {
      std::abort();
    }
    if (merged) {
      std::vector<uint8_t> after(hll::kRegisters, 0);
      bool was_lower = max[index] < value;
      max[index] = std::max(max[index], value);
      if (!hll::MergeInto(w, after.data()) || after != max ||
          (u == hll::Update::kChanged) != was_lower) {
        std::abort();
      }
    }
  }
  hll::Add(&w, std::string_view(reinterpret_cast<const char*>(data), size), 3000);
  return 0;
}
