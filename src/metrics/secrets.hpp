// Secret redaction: a process-wide registry of secret values, and the masker every log line and
// every exported metric label/value passes through (CWE-532: secrets must not reach logs).
#pragma once

#include <string>
#include <string_view>

namespace sqlflow::metrics {

inline constexpr std::string_view kMask = "***";

// Remembers `secret` for the rest of the process so mask_secrets replaces it (and its
// percent-encoded and JSON-escaped spellings) with "***". Call it as soon as a secret value is
// known — when PARAMS of type secret are resolved, when a token is fetched. Empty strings are
// ignored; every other value is masked wherever it occurs, however short. Thread-safe.
void register_secret(std::string secret);

// `text` with every registered secret replaced by "***", and, whether registered or not:
//  - URL passwords:      scheme://user:PASSWORD@host
//  - URL query values of parameters whose name contains key, token, secret, password, passwd,
//    signature or credential, or is pwd/sig/auth:  ?api_key=VALUE&…
//  - key=value pairs in connection strings whose name contains password, passwd, secret or
//    token, or is pwd:  host=db password=VALUE   (quoted values: password='VALUE')
//  - HTTP credentials: "Bearer VALUE", "Basic VALUE", and the values of Authorization,
//    Proxy-Authorization, X-Api-Key, Api-Key, X-Auth-Token, X-Shopify-Access-Token, Cookie and Set-Cookie
//    headers.
// Thread-safe; costs one scan per registered secret plus one scan for the patterns.
std::string mask_secrets(std::string_view text);

// Number of registered spellings (for tests and diagnostics).
std::size_t registered_secret_count();

}  // namespace sqlflow::metrics
