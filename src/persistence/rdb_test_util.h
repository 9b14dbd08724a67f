// Test support for the RDB tests: a visitor that keeps everything it is handed, and a builder for
// hand-made RDB byte strings (legacy encodings this library never writes).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "persistence/byte_order.h"
#include "persistence/crc64.h"
#include "persistence/rdb_reader.h"

namespace mr::persistence::testing {

struct LoadedKey {
  RdbKey key;
  std::string kind;  // "string", "list", "set", "zset", "hash"
  std::string str;
  std::vector<std::string> items;
  RdbZSetEntries zset;
  RdbHashFields hash;
};

class CollectingVisitor : public RdbVisitor {
 public:
  Status OnAux(std::string_view field, std::string_view value) override {
    aux.emplace(std::string(field), std::string(value));
    return Status::Ok();
  }
  Status OnDb(uint32_t index) override {
    dbs.push_back(index);
    return Status::Ok();
  }
  Status OnString(RdbKey key, std::string value) override {
    LoadedKey& k = Add(std::move(key), "string");
    k.str = std::move(value);
    return Status::Ok();
  }
  Status OnList(RdbKey key, std::vector<std::string> elements) override {
    Add(std::move(key), "list").items = std::move(elements);
    return Status::Ok();
  }
  Status OnSet(RdbKey key, std::vector<std::string> members) override {
    std::sort(members.begin(), members.end());  // sets have no order
    Add(std::move(key), "set").items = std::move(members);
    return Status::Ok();
  }
  Status OnZSet(RdbKey key, RdbZSetEntries entries) override {
    std::sort(entries.begin(), entries.end());
    Add(std::move(key), "zset").zset = std::move(entries);
    return Status::Ok();
  }
  Status OnHash(RdbKey key, RdbHashFields fields) override {
    std::sort(fields.begin(), fields.end());
    Add(std::move(key), "hash").hash = std::move(fields);
    return Status::Ok();
  }

  const LoadedKey* Find(uint32_t db, const std::string& name) const {
    auto it = keys.find({db, name});
    return it == keys.end() ? nullptr : &it->second;
  }

  std::multimap<std::string, std::string> aux;
  std::vector<uint32_t> dbs;
  std::map<std::pair<uint32_t, std::string>, LoadedKey> keys;

 private:
  LoadedKey& Add(RdbKey key, std::string kind) {
    auto id = std::make_pair(key.db, key.name);
    LoadedKey& k = keys[id];
    k.key = std::move(key);
    k.kind = std::move(kind);
    return k;
  }
};

/// Appends raw RDB syntax; Finish() adds EOF and (for version >= 5) the checksum.
class RdbBytes {
 public:
  explicit RdbBytes(int version) {
    char magic[10];
    std::snprintf(magic, sizeof(magic), "REDIS%04d", version);
    out_ = magic;
    version_ = version;
  }
  RdbBytes& Byte(uint8_t b) {
    out_.push_back(static_cast<char>(b));
    return *this;
  }
  RdbBytes& Raw(std::string_view s) {
    out_.append(s);
    return *this;
  }
  RdbBytes& Len(uint64_t n) {
    if (n < 64) return Byte(static_cast<uint8_t>(n));
    if (n < 16384) return Byte(static_cast<uint8_t>(0x40 | (n >> 8))).Byte(n & 0xff);
    if (n <= UINT32_MAX) {
      Byte(0x80);
      AppendBe(&out_, n, 4);
    } else {
      Byte(0x81);
      AppendBe(&out_, n, 8);
    }
    return *this;
  }
  RdbBytes& Str(std::string_view s) { return Len(s.size()).Raw(s); }
  RdbBytes& Le(uint64_t v, size_t n) {
    AppendLe(&out_, v, n);
    return *this;
  }
  std::string Finish() {
    std::string out = out_;
    out.push_back(static_cast<char>(0xff));
    if (version_ >= 5) {
      AppendLe(&out, Crc64(0, out), 8);
    }
    return out;
  }

 private:
  std::string out_;
  int version_;
};

/// A ziplist of plain strings (each under 64 bytes), as Redis 2.6 - 6.2 saved small collections.
inline std::string MakeZiplist(const std::vector<std::string>& items) {
  std::string body;
  size_t prev = 0;
  for (const std::string& s : items) {
    const size_t start = body.size();
    body.push_back(static_cast<char>(prev));
    body.push_back(static_cast<char>(s.size()));
    body += s;
    prev = body.size() - start;
  }
  std::string zl;
  AppendLe(&zl, 10 + body.size() + 1, 4);
  AppendLe(&zl, 10 + body.size() - prev, 4);
  AppendLe(&zl, items.size(), 2);
  return zl + body + "\xff";
}

}  // namespace mr::persistence::testing
