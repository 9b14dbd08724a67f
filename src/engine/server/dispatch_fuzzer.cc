// libFuzzer target for command dispatch: bytes are parsed as a RESP/inline command stream and run
// against one instance with a small memory limit (and a 20 ms script time limit). No crash, no sanitizer report, and after
// FLUSHALL the instance's memory account is back to where it started (exact accounting).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/server/engine.h"
#include "resp/parser.h"
#include "resp/writer.h"

namespace {

class NullSink : public mr::engine::SessionSink {
 public:
  void Deliver(std::string_view) override {}
  void Wake(mr::engine::Session&) override {}
};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Offsets that make Redis allocate up to 512 MB are valid but only slow the fuzzer down.
bool TooBig(const std::vector<std::string_view>& args) {
  if (args.size() < 3) return false;
  if (EqualsNoCase(args[0], "bitfield") || EqualsNoCase(args[0], "bitfield_ro")) {
    for (size_t i = 2; i + 2 < args.size(); ++i) {
      bool field = EqualsNoCase(args[i], "get") || EqualsNoCase(args[i], "set") ||
                   EqualsNoCase(args[i], "incrby");
      if (field && args[i + 2].size() > 6) return true;  // offset (or #index) up to 999999
    }
    return false;
  }
  if (!EqualsNoCase(args[0], "setrange") && !EqualsNoCase(args[0], "setbit")) return false;
  return args[2].size() > 7;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::engine::InstanceConfig cfg;
  cfg.id = "fuzz";
  cfg.maxmemory = 4 << 20;
  cfg.policy = mr::engine::EvictionPolicy::kAllKeysLru;
  cfg.busy_reply_threshold_ms = 20;  // an endless script costs 20 ms, not 5 s
  cfg.script_heap_limit = 1 << 20;
  mr::engine::Instance inst(cfg);
  inst.clock().SetForTest(1700000000000);
  NullSink sink;
  auto session = std::make_unique<mr::engine::Session>();
  session->sink = &sink;
  mr::engine::OpenSession(inst, *session);

  mr::resp::Parser parser;
  std::string_view buf(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> args;
  std::string out;
  int commands = 0;
  while (!buf.empty() && commands < 64) {
    auto r = parser.Next(buf, &args);
    if (r.status != mr::resp::ParseStatus::kCommand) break;
    buf.remove_prefix(r.consumed);
    if (args.empty() || TooBig(args)) continue;
    ++commands;
    out.clear();
    mr::resp::Writer w(&out, session->protocol);
    mr::engine::Dispatch(inst, *session, args, w);
    if (session->blocked || session->subscriptions() > 0 || session->close_after_reply) {
      mr::engine::CloseSession(inst, *session);  // a new connection for the rest
      session = std::make_unique<mr::engine::Session>();
      session->sink = &sink;
      mr::engine::OpenSession(inst, *session);
    }
    inst.clock().AdvanceForTest(7);
  }
  mr::engine::RunActiveExpiry(inst);
  mr::engine::CloseSession(inst, *session);
  mr::engine::Session cleaner;
  mr::engine::OpenSession(inst, cleaner);
  std::string_view flush[] = {"FLUSHALL"};
  mr::resp::Writer w(&out, mr::resp::Protocol::kResp2);
  mr::engine::Dispatch(inst, cleaner, flush, w);
  std::string_view flush_scripts[] = {"SCRIPT", "FLUSH"};  // the Lua heap is charged too
  mr::engine::Dispatch(inst, cleaner, flush_scripts, w);
  mr::engine::CloseSession(inst, cleaner);
  // A fresh instance with the same databases opened (they are created lazily and stay) is the
  // baseline: anything above it is memory the account lost track of.
  mr::engine::Instance fresh(cfg);
  for (int i = 0; i < mr::engine::Instance::kDatabases; ++i) {
    if (inst.db_if_exists(i) != nullptr) {
      fresh.db(i);
    }
  }
  if (inst.used_memory() != fresh.used_memory()) {
    std::abort();  // memory accounting drifted
  }
  return 0;
}
