#include "security/password_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>

namespace mr::security {
namespace {

// The most common leaked passwords of 10+ characters and the stems people decorate with digits and
// symbols ("password2024!"); a small list on purpose: it stops the worst, not every weak choice.
constexpr std::array<std::string_view, 64> kCommon = {
    "password",    "passw0rd",     "p@ssw0rd",    "p@ssword",   "qwerty",      "qwertyuiop",
    "qwertyuiop[]", "asdfghjkl",   "zxcvbnm",     "1qaz2wsx",   "1qaz2wsx3edc", "qazwsxedc",
    "123456789",   "1234567890",   "12345678910", "0987654321", "1122334455",  "0123456789",
    "iloveyou",    "letmein",      "welcome",     "admin",      "administrator", "abc123",
    "abcdefghij",  "abcdefg",      "princess",    "sunshine",   "football",    "baseball",
    "basketball",  "superman",     "batman",      "starwars",   "dragon",      "monkey",
    "master",      "shadow",       "trustno1",    "whatever",   "changeme",    "secret",
    "computer",    "internet",     "michael",     "jennifer",   "charlie",     "liverpool",
    "chocolate",   "butterfly",    "pokemon",     "minecraft",  "myspace",     "qwerty123",
    "aaaaaaaaaa",  "1111111111",   "1q2w3e4r5t",  "1q2w3e4r",   "zaq12wsx",    "redis",
    "miniredis",   "default",      "passphrase",  "loveme"};

// Number of code points, or nullopt when `s` is not valid UTF-8 (overlongs, surrogates included).
std::optional<size_t> CountCodePoints(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80            ? 1
                 : (c >> 5) == 0x6   ? 2
                 : (c >> 4) == 0xE   ? 3
                 : (c >> 3) == 0x1E  ? 4
                                     : 0;
    if (len == 0 || i + len > s.size()) {
      return std::nullopt;
    }
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return std::nullopt;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    i += len;
  }
  return count;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

int CharacterClasses(std::string_view s) {
  bool lower = false, upper = false, digit = false, other = false;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    lower |= std::islower(c) != 0;
    upper |= std::isupper(c) != 0;
    digit |= std::isdigit(c) != 0;
    other |= !std::isalnum(c);
  }
  return lower + upper + digit + other;
}

bool IsCommon(const std::string& lower) {
  auto listed = [](std::string_view s) {
    return std::find(kCommon.begin(), kCommon.end(), s) != kCommon.end();
  };
  if (listed(lower)) {
    return true;
  }
  // "Password123!" is still "password": strip trailing digits and punctuation, then look again.
  std::string_view stem = lower;
  while (!stem.empty() && !std::isalpha(static_cast<unsigned char>(stem.back()))) {
    stem.remove_suffix(1);
  }
  return !stem.empty() && stem.size() < lower.size() && listed(stem);
}

bool AllOneCharacter(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [&](char c) { return c == s.front(); });
}

}  // namespace

Status CheckPasswordStrength(std::string_view password, std::string_view email) {
  if (password.size() > kMaxPasswordBytes) {
    return Status::Error("Password is too long: use at most " + std::to_string(kMaxPasswordBytes) +
                         " bytes.");
  }
  std::optional<size_t> length = CountCodePoints(password);
  if (!length) {
    return Status::Error("Password contains invalid characters (it must be valid UTF-8).");
  }
  if (*length < kMinPasswordCodePoints) {
    return Status::Error("Password is too short: use at least " +
                         std::to_string(kMinPasswordCodePoints) + " characters.");
  }
  if (AllOneCharacter(password)) {
    return Status::Error("Password repeats a single character; choose a less predictable one.");
  }
  if (*length < kMixedClassesBelowCodePoints && CharacterClasses(password) < 2) {
    return Status::Error("Password needs two kinds of characters (lowercase, uppercase, digits, "
                         "symbols), or at least " +
                         std::to_string(kMixedClassesBelowCodePoints) + " characters.");
  }
  std::string lower = AsciiLower(password);
  if (IsCommon(lower)) {
    return Status::Error("Password is too common; choose one that is not on lists of leaked "
                         "passwords.");
  }
  std::string_view local = email.substr(0, email.find('@'));
  // A very short local part ("jo") would forbid ordinary passwords without making them weaker.
  bool has_local = local.size() >= 3 && lower.find(AsciiLower(local)) != std::string::npos;
  bool has_email = !email.empty() && lower.find(AsciiLower(email)) != std::string::npos;
  if (has_local || has_email) {
    return Status::Error("Password must not contain your email address or its name part.");
  }
  return Status::Ok();
}

}  // namespace mr::security
