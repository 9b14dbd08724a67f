// String Op* implementations.
#include "engine/server/string_ops.h"

namespace mr::engine {

namespace {
constexpr size_t kMaxStringSize = 512ull * 1024 * 1024;
}

std::string_view StringValue(const Entry* e, char* buf) {
  if (e->is_int()) {
    return {buf, FormatInt64(e->int_value(), buf)};
  }
  return e->str();
}

OpStatus OpSet(CommandContext& c, std::string_view key, std::string_view value, bool nx, bool xx,
               bool keepttl, int64_t expire_at, std::string* old_out, bool* had_old) {
  uint64_t h = Db::Hash(key);
  Db::Pos pos;
  Entry* e = LookupKey(c, key, h, &pos, false);
  if (e != nullptr && old_out != nullptr) {
    if (e->type() != ObjType::kString) {
      return OpStatus::WRONG_TYPE;
    }
    char buf[24];
    old_out->assign(StringValue(e, buf));
    *had_old = true;
  }
  if ((nx && e != nullptr) || (xx && e == nullptr)) {
    return OpStatus::SKIPPED;
  }
  if (e == nullptr) {
    Entry* n = Entry::NewString(key, value);
    if (expire_at > 0) {
      n = Entry::SetExpire(n, expire_at);
    }
    AddEntry(c, n, h);
    return OpStatus::OK;
  }
  if (e->type() != ObjType::kString) {
    int64_t keep = keepttl && e->has_expire() ? e->expire_ms() : 0;
    c.db.Delete(pos);
    Entry* n = Entry::NewString(key, value);
    if (expire_at > 0 || keep > 0) {
      n = Entry::SetExpire(n, expire_at > 0 ? expire_at : keep);
    }
    AddEntry(c, n, h);
    return OpStatus::OK;
  }
  if (e->has_expire() && !keepttl) {
    e = c.db.Persist(pos);
  }
  Entry* n = Entry::SetString(e, value);
  c.db.Update(pos, e, n);
  if (expire_at > 0) {
    c.db.SetExpire(pos, expire_at);
  }
  return OpStatus::OK;
}

OpResult<int64_t> OpIncrBy(CommandContext& c, std::string_view key, int64_t delta) {
  uint64_t h = Db::Hash(key);
  Db::Pos pos;
  Entry* e = LookupKey(c, key, h, &pos, false);
  if (e == nullptr) {
    AddEntry(c, Entry::NewInt(key, delta), h);
    return delta;
  }
  if (e->type() != ObjType::kString) {
    return OpStatus::WRONG_TYPE;
  }
  int64_t cur;
  if (e->is_int()) {
    cur = e->int_value();
  } else if (!ParseInt64(e->str(), &cur)) {
    return OpStatus::INVALID_INT;
  }
  if ((delta < 0 && cur < 0 && delta < INT64_MIN - cur) ||
      (delta > 0 && cur > 0 && delta > INT64_MAX - cur)) {
    return OpStatus::OVERFLOW;
  }
  Entry* n = Entry::SetInt(e, cur + delta);
  c.db.Update(pos, e, n);
  return cur + delta;
}

void StoreRawString(CommandContext& c, std::string_view key, std::string_view value) {
  uint64_t h = Db::Hash(key);
  Db::Pos pos;
  Entry* e = c.db.FindRaw(key, h, &pos);
  if (e == nullptr) {
    AddEntry(c, Entry::NewString(key, value, true), h);
    return;
  }
  if (e->type() != ObjType::kString) {
    int64_t keep = e->has_expire() ? e->expire_ms() : 0;
    c.db.Delete(pos);
    Entry* n = Entry::NewString(key, value, true);
    AddEntry(c, keep > 0 ? Entry::SetExpire(n, keep) : n, h);
    return;
  }
  Entry* n = Entry::SetString(e, value, true);
  c.db.Update(pos, e, n);
}

OpResult<size_t> OpAppend(CommandContext& c, std::string_view key, std::string_view value) {
  uint64_t h = Db::Hash(key);
  Db::Pos pos;
  Entry* e = LookupKey(c, key, h, &pos, false);
  if (e == nullptr) {
    AddEntry(c, Entry::NewString(key, value), h);
    return value.size();
  }
  if (e->type() != ObjType::kString) {
    return OpStatus::WRONG_TYPE;
  }
  char buf[24];
  std::string_view cur = StringValue(e, buf);
  if (cur.size() + value.size() > kMaxStringSize) {
    return OpStatus::INVALID_VALUE;
  }
  std::string s;
  s.reserve(cur.size() + value.size());
  s.append(cur);
  s.append(value);
  Entry* n = Entry::SetString(e, s, true);
  c.db.Update(pos, e, n);
  return s.size();
}

OpResult<size_t> OpSetRange(CommandContext& c, std::string_view key, size_t offset,
                            std::string_view value) {
  uint64_t h = Db::Hash(key);
  Db::Pos pos;
  Entry* e = LookupKey(c, key, h, &pos, false);
  if (e != nullptr && e->type() != ObjType::kString) {
    return OpStatus::WRONG_TYPE;
  }
  char buf[24];
  std::string_view cur = e ? StringValue(e, buf) : std::string_view();
  if (value.empty()) {
    return cur.size();
  }
  std::string s(cur);
  if (s.size() < offset + value.size()) {
    s.resize(offset + value.size(), '\0');
  }
  s.replace(offset, value.size(), value);
  if (e == nullptr) {
    AddEntry(c, Entry::NewString(key, s, true), h);
  } else {
    Entry* n = Entry::SetString(e, s, true);
    c.db.Update(pos, e, n);
  }
  return s.size();
}

}  // namespace mr::engine
