// DUMP and RESTORE: one value in Redis 7.0's payload format (RDB type and value, RDB version,
// CRC64), so values move between this engine and real Redis in either direction.
#include <string>

#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/rdb_entry.h"
#include "persistence/byte_sink.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"

namespace mr::engine {

namespace {

using namespace co;

constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
constexpr std::string_view kBadPayload = "ERR DUMP payload version or checksum are wrong";
constexpr std::string_view kBadData = "ERR Bad data format";

// Keeps the one entry a payload decodes to, named after the RESTORE key.
class RestoredEntry : public EntryBuilder {
 public:
  RestoredEntry(const EncodingLimits& limits, std::string_view key) : EntryBuilder(limits) {
    set_name(key);
  }
  ~RestoredEntry() override {
    if (entry_ != nullptr) {
      FreeEntry(entry_);
    }
  }
  Entry* Release() {
    Entry* e = entry_;
    entry_ = nullptr;
    return e;
  }

 protected:
  Status OnEntry(const persistence::RdbKey&, Entry* e) override {
    if (entry_ != nullptr) {  // the reader hands over one value per payload; never trust it twice
      FreeEntry(e);
      return Status::Error("more than one value");
    }
    entry_ = e;
    return Status::Ok();
  }

 private:
  Entry* entry_ = nullptr;
};

void CmdDump(CmdArgs args, CommandContext& c) {
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, true);
  if (e == nullptr) {
    return c.w.Null();
  }
  std::string payload;
  persistence::StringSink sink(&payload);
  persistence::RdbWriterOptions options = RdbOptionsFor(c.limits());
  options.framing = persistence::RdbFraming::kDumpPayload;
  persistence::RdbWriter writer(&sink, options);
  Status s = WriteEntry(writer, *e, persistence::kNoExpiry);
  if (s.ok()) {
    s = writer.Finish();
  }
  if (!s.ok()) {
    return c.w.Error("ERR " + s.message());
  }
  c.w.Bulk(payload);
}

struct RestoreOpts {
  bool replace = false;
  bool absttl = false;
  int64_t idle = -1;
  int64_t freq = -1;
};

// RESTORE's options, checked in Redis' order (before the key and the TTL); replies on error.
bool ParseRestoreOpts(CommandContext& c, CmdArgs args, RestoreOpts* o) {
  for (size_t i = 4; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (EqualsNoCase(args[i], "replace")) {
      o->replace = true;
    } else if (EqualsNoCase(args[i], "absttl")) {
      o->absttl = true;
    } else if (EqualsNoCase(args[i], "idletime") && has_value && o->freq == -1) {
      if (!ParseInt(args[++i], &o->idle)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      if (o->idle < 0) {
        c.w.Error("ERR Invalid IDLETIME value, must be >= 0");
        return false;
      }
    } else if (EqualsNoCase(args[i], "freq") && has_value && o->idle == -1) {
      if (!ParseInt(args[++i], &o->freq)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      if (o->freq < 0 || o->freq > 255) {
        c.w.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return false;
      }
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  return true;
}

void CmdRestore(CmdArgs args, CommandContext& c) {
  RestoreOpts o;
  if (!ParseRestoreOpts(c, args, &o)) {
    return;
  }
  const std::string_view key = args[1];
  const uint64_t h = Db::Hash(key);
  Db::Pos pos;
  Entry* old = c.db.Find(key, h, c.now_ms, &pos);
  if (old != nullptr && !o.replace) {
    return c.w.Error(kBusyKey);
  }
  int64_t ttl;
  if (!ParseInt(args[2], &ttl)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (ttl < 0) {
    return c.w.Error("ERR Invalid TTL value, must be >= 0");
  }
  RestoredEntry restored(c.limits(), key);
  const persistence::DumpPayloadReport r = persistence::DecodeDumpPayload(args[3], &restored);
  if (r.error == persistence::DumpPayloadError::kVersionOrChecksum) {
    return c.w.Error(kBadPayload);
  }
  Entry* e = restored.Release();
  if (!r.ok() || e == nullptr) {
    if (e != nullptr) {
      FreeEntry(e);
    }
    return c.w.Error(kBadData);
  }
  if (old != nullptr) {
    c.db.Delete(pos);  // decoding did not touch the table: pos still holds
  }
  if (ttl != 0 && !o.absttl) {
    // Redis adds without an overflow check; wrapping (defined here) makes a huge TTL "expired".
    ttl = static_cast<int64_t>(static_cast<uint64_t>(ttl) + static_cast<uint64_t>(c.now_ms));
  }
  if (ttl != 0 && ttl <= c.now_ms) {
    FreeEntry(e);  // already expired: the old value is gone, nothing replaces it
    return ReplyOk(c);
  }
  if (ttl != 0) {
    e = Entry::SetExpire(e, ttl);
  }
  AddEntry(c, e, h);
  InitAccessWithHints(c.inst, e, o.idle, o.freq);
  ReplyOk(c);
}

}  // namespace

void RegisterDumpFamily(CommandRegistry* r) {
  *r << CommandId{"dump", READONLY, 2, 1, 1, 1, CmdDump}
     << CommandId{"restore", WRITE | DENYOOM, -4, 1, 1, 1, CmdRestore};
}

}  // namespace mr::engine
