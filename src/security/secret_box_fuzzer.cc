// libFuzzer target for SecretBox::Open: no crash on any input, nothing opens but what the fuzzer's
// own key sealed, and sealing any input opens back to it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "security/secret_box.h"

namespace {

using mr::security::SecretBox;

// A fixed key (32 x 0x2a) and associated data so that seeds in the corpus are valid sealed values.
const SecretBox& Box() {
  static const SecretBox box([] {
    SecretBox::Key k;
    k.fill(0x2a);
    return k;
  }());
  return box;
}

constexpr std::string_view kRow = "fuzz-instance";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto opened = Box().Open(text, kRow);
  if (opened.ok() && Box().Open(text, "another-row").ok()) {
    std::abort();  // the associated data must bind a value to its row
  }
  auto again = Box().Open(Box().Seal(text, kRow), kRow);
  if (!again.ok() || *again != text) {
    std::abort();
  }
  return 0;
}
