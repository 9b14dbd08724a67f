// base64url (RFC 4648 §5) without padding, as JOSE uses it. Decoding is strict: no padding, no
// whitespace, no characters outside the alphabet, and unused trailing bits must be zero.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mr::security {

/// Encodes bytes as unpadded base64url.
std::string Base64UrlEncode(std::string_view bytes);
/// Decodes canonical unpadded base64url; nullopt for anything else.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace mr::security
