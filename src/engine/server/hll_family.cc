// HyperLogLog: PFADD PFCOUNT PFMERGE. Dense only: "HYLL" + 16384 one-byte registers stored as a
// string value; estimates use Ertl's improved estimator (the one Redis uses), ~0.81% std error.
#include <cmath>
#include <string>

#include "engine/core/hash.h"
#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/string_ops.h"

namespace mr::engine {

namespace {

using namespace co;

constexpr int kP = 14;
constexpr size_t kRegisters = 1 << kP;
constexpr int kQ = 64 - kP;
constexpr std::string_view kMagic = "HYLL";
constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";

// Loads the registers of key (zeroed when absent). Replies and returns false on a type error.
bool Load(CommandContext& c, std::string_view key, std::string* regs, bool* exists) {
  Entry* e = LookupRead(c, key);
  *exists = e != nullptr;
  if (e == nullptr) {
    regs->assign(kRegisters, '\0');
    return true;
  }
  if (e->type() != ObjType::kString) {
    ReplyStatus(c, OpStatus::WRONG_TYPE);
    return false;
  }
  char buf[24];
  std::string_view v = StringValue(e, buf);
  if (v.size() != kMagic.size() + kRegisters || v.substr(0, kMagic.size()) != kMagic) {
    c.w.Error(kNotHll);
    return false;
  }
  regs->assign(v.substr(kMagic.size()));
  return true;
}

void Save(CommandContext& c, std::string_view key, const std::string& regs) {
  std::string v;
  v.reserve(kMagic.size() + regs.size());
  v.append(kMagic);
  v.append(regs);
  StoreRawString(c, key, v);
}

bool Add(std::string* regs, std::string_view elem) {
  uint64_t h = HashBytes(elem, 0xadc83b19ull);
  size_t idx = h & (kRegisters - 1);
  uint64_t rest = (h >> kP) | (1ull << kQ);
  uint8_t rank = static_cast<uint8_t>(__builtin_ctzll(rest) + 1);
  if (static_cast<uint8_t>((*regs)[idx]) < rank) {
    (*regs)[idx] = static_cast<char>(rank);
    return true;
  }
  return false;
}

double Sigma(double x) {
  if (x == 1.0) {
    return INFINITY;
  }
  double y = 1, z = x, prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) {
    return 0.0;
  }
  double y = 1.0, z = 1 - x, prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (prev != z);
  return z / 3;
}

uint64_t Count(const std::string& regs) {
  int hist[kQ + 2] = {0};
  for (char r : regs) {
    hist[static_cast<uint8_t>(r)]++;
  }
  double m = kRegisters;
  double z = m * Tau((m - hist[kQ + 1]) / m);
  for (int k = kQ; k >= 1; --k) {
    z += hist[k];
    z *= 0.5;
  }
  z += m * Sigma(hist[0] / m);
  return static_cast<uint64_t>(std::llround((0.5 / std::log(2.0)) * m * m / z));
}

void CmdPfAdd(CmdArgs args, CommandContext& c) {
  std::string regs;
  bool exists;
  if (!Load(c, args[1], &regs, &exists)) {
    return;
  }
  bool changed = !exists;
  for (size_t i = 2; i < args.size(); ++i) {
    changed |= Add(&regs, args[i]);
  }
  if (changed) {
    Save(c, args[1], regs);
  }
  c.w.Integer(changed ? 1 : 0);
}

void CmdPfCount(CmdArgs args, CommandContext& c) {
  std::string acc(kRegisters, '\0');
  for (size_t i = 1; i < args.size(); ++i) {
    std::string regs;
    bool exists;
    if (!Load(c, args[i], &regs, &exists)) {
      return;
    }
    for (size_t k = 0; k < kRegisters; ++k) {
      acc[k] = std::max(acc[k], regs[k]);
    }
  }
  c.w.Integer(static_cast<int64_t>(Count(acc)));
}

void CmdPfMerge(CmdArgs args, CommandContext& c) {
  std::string acc;
  bool exists;
  if (!Load(c, args[1], &acc, &exists)) {
    return;
  }
  for (size_t i = 2; i < args.size(); ++i) {
    std::string regs;
    bool e;
    if (!Load(c, args[i], &regs, &e)) {
      return;
    }
    for (size_t k = 0; k < kRegisters; ++k) {
      acc[k] = std::max(acc[k], regs[k]);
    }
  }
  Save(c, args[1], acc);
  ReplyOk(c);
}

}  // namespace

void RegisterHllFamily(CommandRegistry* r) {
  *r << CommandId{"pfadd", WRITE | DENYOOM | FAST, -2, 1, 1, 1, CmdPfAdd}
     << CommandId{"pfcount", READONLY, -2, 1, -1, 1, CmdPfCount}
     << CommandId{"pfmerge", WRITE | DENYOOM, -2, 1, -1, 1, CmdPfMerge};
}

}  // namespace mr::engine
