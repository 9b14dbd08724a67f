// Instance (tenant) passwords at rest: a salted SHA-256 verifier, checked in constant time.
// Generated instance passwords carry 128+ bits of entropy, so a fast hash is enough and AUTH stays cheap.
#pragma once

#include <string>
#include <string_view>

namespace mr {

/// "sha256$<32 hex salt>$<64 hex digest>"; the plaintext is never stored.
std::string HashInstancePassword(std::string_view password);
/// True when `password` matches a verifier made by HashInstancePassword.
bool VerifyInstancePassword(std::string_view password, std::string_view verifier);
/// Compares without revealing, through timing, where the first difference is.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace mr
