// The one redaction utility: every URL, header, body or message the HTTP layer puts into a log
// line, an error or a metric goes through here first.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqlflow::net {

inline constexpr std::string_view kRedacted = "***";

// Query/form field names that carry secrets: key, api_key, apikey, token, access_token,
// secret, client_secret, password, passwd, signature, sig, assertion, refresh_token, code,
// credential(s), auth, session, X-Amz-Signature / X-Amz-Credential / X-Amz-Security-Token, …
bool is_sensitive_name(std::string_view name);
// Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-API-Key, X-Shopify-Access-Token,
// X-Amz-Security-Token and any header whose name says token/secret/key/password/auth.
bool is_sensitive_header(std::string_view name);

// URL with the userinfo password and the values of sensitive query parameters replaced by ***.
std::string redact_url(std::string_view url);
// The header's value, or *** when the header is sensitive.
std::string redact_header_value(std::string_view name, std::string_view value);
// "Name: value" lines for logs, sensitive values replaced.
std::string redact_headers(const std::vector<std::pair<std::string, std::string>>& headers);
// An application/x-www-form-urlencoded body with sensitive fields (client_secret, refresh_token,
// password, assertion, …) replaced.
std::string redact_form(std::string_view body);
// Free text (error bodies, library messages): URLs in it redacted, "Bearer …"/"Basic …"
// credentials and name=value / "name": "value" pairs with sensitive names replaced, and every
// registered secret scrubbed. Idempotent.
std::string redact(std::string_view text);

}  // namespace sqlflow::net
