// Per-instance memory accounting: every engine allocation goes through Allocate/Deallocate, which
// charge malloc_usable_size to the account of the instance currently running on this thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mr::engine {

/// Bytes charged to an instance. Only touched from the instance's shard thread.
struct MemoryAccount {
  int64_t used = 0;
};

namespace detail {
inline thread_local MemoryAccount tl_fallback_account;
inline thread_local MemoryAccount* tl_account = &tl_fallback_account;
}  // namespace detail

/// Makes `account` the one charged by allocations on this thread until the scope ends.
class AccountScope {
 public:
  explicit AccountScope(MemoryAccount* account) : prev_(detail::tl_account) {
    detail::tl_account = account;
  }
  ~AccountScope() { detail::tl_account = prev_; }
  AccountScope(const AccountScope&) = delete;
  AccountScope& operator=(const AccountScope&) = delete;

 private:
  MemoryAccount* prev_;
};

inline MemoryAccount* CurrentAccount() { return detail::tl_account; }

void* Allocate(size_t n);
void* AllocateZeroed(size_t n);
void* Reallocate(void* p, size_t n);
void Deallocate(void* p);
size_t AllocationSize(const void* p);

/// Stateless std allocator charging the current account (no per-container pointer overhead).
template <typename T>
struct Allocator {
  using value_type = T;
  Allocator() = default;
  template <typename U>
  Allocator(const Allocator<U>&) {}  // NOLINT
  T* allocate(size_t n) { return static_cast<T*>(Allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t) { Deallocate(p); }
  bool operator==(const Allocator&) const { return true; }
  bool operator!=(const Allocator&) const { return false; }
};

using MString = std::basic_string<char, std::char_traits<char>, Allocator<char>>;

inline MString ToMString(std::string_view s) { return MString(s.data(), s.size()); }

template <typename T, typename... Args>
T* New(Args&&... args) {
  void* p = Allocate(sizeof(T));
  return new (p) T(std::forward<Args>(args)...);
}

template <typename T>
void Delete(T* p) {
  if (p != nullptr) {
    p->~T();
    Deallocate(p);
  }
}

}  // namespace mr::engine
