#include "persistence/rdb_format.h"

namespace mr::persistence {

std::string_view RdbTypeName(uint8_t type) {
  switch (static_cast<RdbType>(type)) {
    case RdbType::kString: return "string";
    case RdbType::kList: return "list";
    case RdbType::kSet: return "set";
    case RdbType::kZSet: return "zset";
    case RdbType::kHash: return "hash";
    case RdbType::kZSet2: return "zset2";
    case RdbType::kModulePreGa: return "module-pre-ga";
    case RdbType::kModule2: return "module";
    case RdbType::kHashZipmap: return "hash-zipmap";
    case RdbType::kListZiplist: return "list-ziplist";
    case RdbType::kSetIntset: return "set-intset";
    case RdbType::kZSetZiplist: return "zset-ziplist";
    case RdbType::kHashZiplist: return "hash-ziplist";
    case RdbType::kListQuicklist: return "list-quicklist";
    case RdbType::kStreamListpacks: return "stream";
    case RdbType::kHashListpack: return "hash-listpack";
    case RdbType::kZSetListpack: return "zset-listpack";
    case RdbType::kListQuicklist2: return "list-quicklist2";
    case RdbType::kStreamListpacks2: return "stream2";
    case RdbType::kSetListpack: return "set-listpack";
    case RdbType::kStreamListpacks3: return "stream3";
  }
  return "unknown-type";
}

}  // namespace mr::persistence
