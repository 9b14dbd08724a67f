// Allocation entry points that keep the per-instance byte counters exact.
#include "engine/core/memory.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace mr::engine {

void* Allocate(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) {
    std::abort();  // out of process memory: maxmemory is the tenant limit, this is not recoverable
  }
  detail::tl_account->used += static_cast<int64_t>(malloc_usable_size(p));
  return p;
}

void* AllocateZeroed(size_t n) {
  void* p = Allocate(n);
  std::memset(p, 0, n);
  return p;
}

void* Reallocate(void* p, size_t n) {
  if (p == nullptr) {
    return Allocate(n);
  }
  int64_t before = static_cast<int64_t>(malloc_usable_size(p));
  void* q = std::realloc(p, n == 0 ? 1 : n);
  if (q == nullptr) {
    std::abort();
  }
  detail::tl_account->used += static_cast<int64_t>(malloc_usable_size(q)) - before;
  return q;
}

void Deallocate(void* p) {
  if (p == nullptr) {
    return;
  }
  detail::tl_account->used -= static_cast<int64_t>(malloc_usable_size(p));
  std::free(p);
}

size_t AllocationSize(const void* p) { return malloc_usable_size(const_cast<void*>(p)); }

}  // namespace mr::engine
