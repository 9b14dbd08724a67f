// Glob matching with Redis' stringmatchlen rules (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET).
#include <cctype>

#include "engine/core/db.h"

namespace mr::engine {

namespace {

char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one [...] class starting after '['; advances *pi to the closing ']' (or the end).
bool MatchClass(std::string_view p, size_t* pi, char c, bool nocase) {
  size_t i = *pi;
  bool negate = i < p.size() && p[i] == '^';
  if (negate) {
    i++;
  }
  bool match = false;
  while (i < p.size()) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      i++;
      match |= Fold(p[i], nocase) == Fold(c, nocase);
    } else if (p[i] == ']') {
      break;
    } else if (i + 2 < p.size() && p[i + 1] == '-') {
      char lo = Fold(p[i], nocase);
      char hi = Fold(p[i + 2], nocase);
      if (lo > hi) {
        std::swap(lo, hi);
      }
      char x = Fold(c, nocase);
      match |= x >= lo && x <= hi;
      i += 2;
    } else {
      match |= Fold(p[i], nocase) == Fold(c, nocase);
    }
    i++;
  }
  *pi = i;
  return negate ? !match : match;
}

bool Match(std::string_view p, std::string_view s, bool nocase, int depth) {
  if (depth > 1000) {
    return false;
  }
  size_t pi = 0;
  size_t si = 0;
  while (pi < p.size() && si < s.size()) {
    switch (p[pi]) {
      case '*': {
        while (pi + 1 < p.size() && p[pi + 1] == '*') {
          pi++;
        }
        if (pi + 1 == p.size()) {
          return true;
        }
        for (; si < s.size(); ++si) {
          if (Match(p.substr(pi + 1), s.substr(si), nocase, depth + 1)) {
            return true;
          }
        }
        return false;
      }
      case '?':
        si++;
        break;
      case '[':
        pi++;
        if (!MatchClass(p, &pi, s[si], nocase)) {
          return false;
        }
        si++;
        break;
      case '\\':
        if (pi + 1 < p.size()) {
          pi++;
        }
        [[fallthrough]];
      default:
        if (Fold(p[pi], nocase) != Fold(s[si], nocase)) {
          return false;
        }
        si++;
        break;
    }
    pi++;
    if (si == s.size()) {
      while (pi < p.size() && p[pi] == '*') {
        pi++;
      }
      break;
    }
  }
  while (si == s.size() && pi < p.size() && p[pi] == '*') {
    pi++;
  }
  return pi >= p.size() && si == s.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase) {
  return Match(pattern, s, nocase, 0);
}

}  // namespace mr::engine
