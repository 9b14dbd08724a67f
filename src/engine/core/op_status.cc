// Exact Redis 7 error strings for each OpStatus.
#include "engine/core/op_status.h"

namespace mr::engine {

std::string_view ErrorText(OpStatus s) {
  switch (s) {
    case OpStatus::WRONG_TYPE:
      return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case OpStatus::OUT_OF_MEMORY:
      return "OOM command not allowed when used memory > 'maxmemory'.";
    case OpStatus::INVALID_INT:
      return "ERR value is not an integer or out of range";
    case OpStatus::INVALID_FLOAT:
      return "ERR value is not a valid float";
    case OpStatus::OUT_OF_RANGE:
      return "ERR index out of range";
    case OpStatus::OVERFLOW:
      return "ERR increment or decrement would overflow";
    case OpStatus::SYNTAX_ERROR:
      return "ERR syntax error";
    case OpStatus::KEY_NOTFOUND:
      return "ERR no such key";
    case OpStatus::INVALID_VALUE:
      return "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    case OpStatus::NAN_RESULT:
      return "ERR increment would produce NaN or Infinity";
    default:
      return "";
  }
}

}  // namespace mr::engine
