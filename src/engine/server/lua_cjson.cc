// `cjson`: JSON encode/decode with lua-cjson's observable behaviour in Redis (14 significant
// digits, "/" escaped, empty tables as {}, sparse-array refusal, cjson.null for JSON null).
#include <lua.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/server/lua_libs.h"

namespace mr::engine {

namespace {

constexpr int kMaxDepth = 1000;
// Arrays with holes: refused when the highest index is beyond 10 and over twice the item count.
constexpr double kSparseRatio = 2;
constexpr double kSparseSafe = 10;

// Raised with the position of the calling script, as lua-cjson does.
[[noreturn]] void Fail(lua_State* L, const std::string& msg) {
  luaL_error(L, "%s", msg.c_str());
  std::abort();  // luaL_error does not return
}

void AppendNumber(lua_State* L, double v, std::string* out) {
  if (!std::isfinite(v)) {
    Fail(L, "Cannot serialise number: must not be NaN or Inf");
  }
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.14g", v);
  out->append(buf, static_cast<size_t>(n));
}

void AppendString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '/': out->append("\\/"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

// > 0: an array of that length; 0: empty (encoded as {}); -1: an object.
long ArrayLength(lua_State* L, int t) {
  std::optional<ArrayKeys> keys = ScanArrayKeys(L, t);
  if (!keys) {
    return -1;
  }
  if (keys->max > kSparseSafe && keys->max > keys->count * kSparseRatio) {
    Fail(L, "Cannot serialise table: excessively sparse array");
  }
  return static_cast<long>(keys->max);
}

void Encode(lua_State* L, int index, int depth, std::string* out);

void EncodeTable(lua_State* L, int t, int depth, std::string* out) {
  if (depth > kMaxDepth) {
    Fail(L, "Cannot serialise, excessive nesting (" + std::to_string(depth) + ")");
  }
  luaL_checkstack(L, 6, "cjson: nesting too deep");
  long len = ArrayLength(L, t);
  if (len > 0) {
    out->push_back('[');
    for (long i = 1; i <= len; ++i) {
      if (i > 1) {
        out->push_back(',');
      }
      lua_rawgeti(L, t, static_cast<int>(i));
      Encode(L, lua_gettop(L), depth, out);
      lua_pop(L, 1);
    }
    out->push_back(']');
    return;
  }
  out->push_back('{');
  bool first = true;
  for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1)) {
    if (!first) {
      out->push_back(',');
    }
    first = false;
    int kt = lua_type(L, -2);
    if (kt == LUA_TSTRING) {
      size_t n = 0;
      const char* s = lua_tolstring(L, -2, &n);
      AppendString(std::string_view(s, n), out);
    } else if (kt == LUA_TNUMBER) {
      out->push_back('"');
      AppendNumber(L, lua_tonumber(L, -2), out);
      out->push_back('"');
    } else {
      Fail(L, "Cannot serialise table: table key must be a number or string");
    }
    out->push_back(':');
    Encode(L, lua_gettop(L), depth, out);
  }
  out->push_back('}');
}

void Encode(lua_State* L, int index, int depth, std::string* out) {
  switch (lua_type(L, index)) {
    case LUA_TSTRING: {
      size_t n = 0;
      const char* s = lua_tolstring(L, index, &n);
      return AppendString(std::string_view(s, n), out);
    }
    case LUA_TNUMBER:
      return AppendNumber(L, lua_tonumber(L, index), out);
    case LUA_TBOOLEAN:
      out->append(lua_toboolean(L, index) ? "true" : "false");
      return;
    case LUA_TNIL:
      out->append("null");
      return;
    case LUA_TTABLE:
      return EncodeTable(L, index, depth + 1, out);
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, index) == nullptr) {  // cjson.null
        out->append("null");
        return;
      }
      [[fallthrough]];
    default:
      Fail(L, std::string("Cannot serialise ") + luaL_typename(L, index) + ": type not supported");
  }
}

int CjsonEncode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  std::string out;
  Encode(L, 1, 0, &out);
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

// ---- Decoding: recursive descent straight onto the Lua stack ----

class Decoder {
 public:
  Decoder(lua_State* L, std::string_view in) : L_(L), in_(in) {}

  void Document() {
    Value(0);
    SkipSpace();
    if (pos_ != in_.size()) {
      Error("the end");
    }
  }

 private:
  // lua-cjson's wording: "Expected <what> but found <token> at character <n>".
  [[noreturn]] void Error(const std::string& expected) {
    Fail(L_, "Expected " + expected + " but found " + TokenName() + " at character " +
                 std::to_string(pos_ + 1));
  }

  [[noreturn]] void FailAt(const std::string& msg) {
    Fail(L_, msg + " at character " + std::to_string(pos_ + 1));
  }

  std::string TokenName() const {
    if (pos_ >= in_.size()) {
      return "T_END";
    }
    switch (in_[pos_]) {
      case '{': return "T_OBJ_BEGIN";
      case '}': return "T_OBJ_END";
      case '[': return "T_ARR_BEGIN";
      case ']': return "T_ARR_END";
      case ',': return "T_COMMA";
      case ':': return "T_COLON";
      case '"': return "T_STRING";
      default: break;
    }
    std::string_view rest = in_.substr(pos_);
    if (rest.substr(0, 4) == "true" || rest.substr(0, 5) == "false") {
      return "T_BOOLEAN";
    }
    if (rest.substr(0, 4) == "null") {
      return "T_NULL";
    }
    char c = in_[pos_];
    if (c == '-' || (c >= '0' && c <= '9')) {
      return "T_NUMBER";
    }
    return "invalid token";
  }

  void SkipSpace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      pos_++;
    }
  }

  bool Literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  void Value(int depth) {
    SkipSpace();
    if (pos_ >= in_.size()) {
      Error("value");
    }
    char c = in_[pos_];
    if (c == '{' || c == '[') {
      if (depth + 1 > kMaxDepth) {
        Fail(L_, "Found too many nested data structures (" + std::to_string(depth + 1) +
                     ") at character " + std::to_string(pos_ + 1));
      }
      luaL_checkstack(L_, 4, "cjson: nesting too deep");
      return c == '{' ? Object(depth + 1) : Array(depth + 1);
    }
    if (c == '"') {
      return String();
    }
    if (Literal("true")) {
      return lua_pushboolean(L_, 1);
    }
    if (Literal("false")) {
      return lua_pushboolean(L_, 0);
    }
    if (Literal("null")) {
      return lua_pushlightuserdata(L_, nullptr);
    }
    Number();
  }

  void Number() {
    size_t start = pos_;
    if (pos_ < in_.size() && (in_[pos_] == '-' || in_[pos_] == '+')) {
      pos_++;
    }
    while (pos_ < in_.size() && (std::isalnum(static_cast<unsigned char>(in_[pos_])) ||
                                 in_[pos_] == '.' || in_[pos_] == '-' || in_[pos_] == '+')) {
      pos_++;
    }
    std::string token(in_.substr(start, pos_ - start));
    char* end = nullptr;
    double v = token.empty() ? 0 : std::strtod(token.c_str(), &end);
    if (token.empty() || end != token.c_str() + token.size()) {
      pos_ = start;
      Error("value");
    }
    lua_pushnumber(L_, v);
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > in_.size()) {
      return false;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = in_[pos_ + static_cast<size_t>(i)];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  void String() {
    pos_++;  // opening quote
    std::string s;
    while (true) {
      if (pos_ >= in_.size()) {
        FailAt("Expected value but found invalid token");
      }
      char c = in_[pos_++];
      if (c == '"') {
        break;
      }
      if (c != '\\') {
        s.push_back(c);
        continue;
      }
      if (pos_ >= in_.size()) {
        FailAt("Expected value but found invalid token");
      }
      char e = in_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': s.push_back(e); break;
        case 'b': s.push_back('\b'); break;
        case 'f': s.push_back('\f'); break;
        case 'n': s.push_back('\n'); break;
        case 'r': s.push_back('\r'); break;
        case 't': s.push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) {
            FailAt("Expected value but found invalid unicode escape code");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair
            uint32_t low = 0;
            if (!Literal("\\u") || !Hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
              FailAt("Expected value but found invalid unicode escape code");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, &s);
          break;
        }
        default:
          FailAt("Expected value but found invalid escape code");
      }
    }
    lua_pushlstring(L_, s.data(), s.size());
  }

  void Array(int depth) {
    pos_++;
    lua_newtable(L_);
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == ']') {
      pos_++;
      return;
    }
    for (int i = 1;; ++i) {
      Value(depth);
      lua_rawseti(L_, -2, i);
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        pos_++;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == ']') {
        pos_++;
        return;
      }
      Error("comma or array end");
    }
  }

  void Object(int depth) {
    pos_++;
    lua_newtable(L_);
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == '}') {
      pos_++;
      return;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= in_.size() || in_[pos_] != '"') {
        Error("object key string");
      }
      String();
      SkipSpace();
      if (pos_ >= in_.size() || in_[pos_] != ':') {
        Error("colon");
      }
      pos_++;
      Value(depth);
      lua_rawset(L_, -3);
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        pos_++;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == '}') {
        pos_++;
        return;
      }
      Error("comma or object end");
    }
  }

  lua_State* L_;
  std::string_view in_;
  size_t pos_ = 0;
};

int CjsonDecode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  size_t n = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  Decoder(L, std::string_view(s, n)).Document();
  return 1;
}

}  // namespace

void OpenCjsonLib(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, CjsonEncode);
  lua_setfield(L, -2, "encode");
  lua_pushcfunction(L, CjsonDecode);
  lua_setfield(L, -2, "decode");
  lua_pushlightuserdata(L, nullptr);
  lua_setfield(L, -2, "null");
}

std::optional<ArrayKeys> ScanArrayKeys(lua_State* L, int t) {
  ArrayKeys keys;
  for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1)) {
    if (lua_type(L, -2) != LUA_TNUMBER) {
      lua_pop(L, 2);
      return std::nullopt;
    }
    double k = lua_tonumber(L, -2);
    if (k < 1 || std::floor(k) != k) {
      lua_pop(L, 2);
      return std::nullopt;
    }
    keys.max = std::max(keys.max, k);
    keys.count++;
  }
  return keys;
}

}  // namespace mr::engine
