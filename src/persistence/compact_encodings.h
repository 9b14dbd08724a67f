// Redis' compact blob encodings that RDB values embed: listpack (written and read), intset (written
// and read), and the legacy ziplist and zipmap (read only). Decoders never trust a length field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::persistence {

/// True when `s` is exactly how Redis prints an int64 (string2ll's rules: no sign but '-', no
/// leading zeros, no "-0", no spaces). Only such strings may be stored as integers, or a value
/// like "007" would come back as "7".
bool ParseCanonicalInt64(std::string_view s, int64_t* out);

/// Builds a listpack the way Redis' lpAppend does: canonical integers take the integer encodings.
class ListpackBuilder {
 public:
  ListpackBuilder();

  void Append(std::string_view element);
  /// Bytes the finished listpack will take (header and end marker included).
  size_t bytes() const { return body_.size() + 1; }
  size_t count() const { return count_; }
  /// Returns the listpack and leaves the builder empty for the next one.
  std::string Finish();

  /// Bytes `element` adds to a listpack, for deciding where a quicklist node ends.
  static size_t EntryBytes(std::string_view element);

 private:
  std::string body_;  // header placeholder + entries
  size_t count_ = 0;
};

/// An intset of `sorted` (ascending, distinct) with the narrowest width that holds them all.
std::string EncodeIntset(std::span<const int64_t> sorted);

/// Decoders append each element (integers as decimal text) to `*out`. Zipmap gives field, value,
/// field, value... An error means the blob is corrupt; `*out` then holds a partial result.
Status DecodeListpack(std::string_view blob, std::vector<std::string>* out);
Status DecodeZiplist(std::string_view blob, std::vector<std::string>* out);
Status DecodeZipmap(std::string_view blob, std::vector<std::string>* out);
Status DecodeIntset(std::string_view blob, std::vector<std::string>* out);

}  // namespace mr::persistence
