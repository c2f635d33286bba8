// Secrets (passwords, tokens, API keys) as a type that cannot be printed by accident: no
// operator<<, no conversion to string; code that must send it calls reveal(). Every secret is
// also remembered process-wide so scrub_secrets() can remove it from any text (error bodies
// that echo a header, third-party messages) before that text reaches a log, error or metric.
#pragma once

#include <string>
#include <string_view>

namespace sqlflow::net {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value);
  SecretString(const SecretString&) = default;
  SecretString& operator=(const SecretString&) = default;
  SecretString(SecretString&&) noexcept = default;
  SecretString& operator=(SecretString&&) noexcept = default;

  // The value itself, for the one place that must send it. Never log the result.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  // "***" (or "" when empty), for messages that need to say a secret is set.
  std::string masked() const { return value_.empty() ? std::string() : std::string("***"); }
  bool operator==(const SecretString& other) const { return value_ == other.value_; }

 private:
  std::string value_;
};

// Remembers `value` so scrub_secrets() removes it. Values shorter than 6 characters are not
// remembered: replacing them everywhere would mangle ordinary text (and they are no real secret).
void register_secret(std::string_view value);
// `text` with every registered secret replaced by "***".
std::string scrub_secrets(std::string text);

}  // namespace sqlflow::net
