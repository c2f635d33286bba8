// S3 options, credential resolution (options → environment → shared credentials file), and the
// error type with its hints.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/ascii.hpp"
#include "net/redact.hpp"
#include "net/s3_client.hpp"

namespace sqlflow::net {

namespace {

std::string trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '\r')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return std::string(v);
}

std::string env_or(const EnvLookup& env, const std::string& name) {
  if (!env) return {};
  auto v = env(name);
  return v ? *v : std::string();
}

}  // namespace

ClientOptions S3Options::default_http() {
  ClientOptions o;
  // A part of 64 MiB over a slow link takes minutes: bound the attempt by progress instead of a
  // short total time.
  o.timeout = std::chrono::minutes(30);
  o.low_speed_bytes = 1024;
  o.low_speed_time = std::chrono::seconds(60);
  o.body_limit_hint = "download large objects with download_file, which streams them to disk";
  return o;
}

void S3Options::validate() const {
  constexpr std::uint64_t kMinPart = 5 * kMiB, kMaxPart = std::uint64_t{5} << 30;
  if (part_size < kMinPart || part_size > kMaxPart)
    throw validation_error(
        "S3 part_size must be 5 MiB to 5 GiB (S3's part limits), got " + std::to_string(part_size) + " bytes",
        "8 to 64 MiB suits most links");
  if (concurrency < 1 || concurrency > 256)
    throw validation_error("S3 concurrency must be 1 to 256, got " + std::to_string(concurrency));
  if (multipart_threshold < kMinPart || multipart_threshold > kMaxPart)
    throw validation_error("S3 multipart_threshold must be 5 MiB to 5 GiB (PutObject's limit), got " +
                           std::to_string(multipart_threshold) + " bytes");
  if (!endpoint_url.empty()) {
    std::string e = ascii_lower(endpoint_url);
    size_t scheme = e.find("://");
    if (scheme != std::string::npos && e.substr(0, scheme) != "http" && e.substr(0, scheme) != "https")
      throw validation_error("S3 endpoint_url must be http:// or https://, got '" + redact_url(endpoint_url) +
                             "'");
    if (e.find_first_of("?#") != std::string::npos)
      throw validation_error("S3 endpoint_url must not have a query or fragment: '" +
                             redact_url(endpoint_url) + "'");
  }
  if (!access_key_id.empty() && secret_access_key.empty())
    throw validation_error("S3 access_key_id is set but secret_access_key is not",
                           "set both, or neither to use the environment or ~/.aws/credentials");
  if (access_key_id.empty() && !secret_access_key.empty())
    throw validation_error("S3 secret_access_key is set but access_key_id is not");
  http.validate();
  if (resilience) resilience->validate();
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::optional<sigv4::Credentials> parse_shared_credentials(std::string_view text, std::string_view profile) {
  std::string section;
  std::string key_id, secret, token;
  bool found = false;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      section =
          close == std::string::npos ? std::string() : trim(std::string_view(line).substr(1, close - 1));
      // ~/.aws/config names them "profile x"; accept that spelling too.
      if (section.rfind("profile ", 0) == 0) section = trim(std::string_view(section).substr(8));
      if (section == profile) found = true;
      continue;
    }
    if (section != profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = ascii_lower(trim(std::string_view(line).substr(0, eq)));
    std::string v = trim(std::string_view(line).substr(eq + 1));
    if (k == "aws_access_key_id")
      key_id = v;
    else if (k == "aws_secret_access_key")
      secret = v;
    else if (k == "aws_session_token")
      token = v;
  }
  if (!found || key_id.empty() || secret.empty()) return std::nullopt;
  sigv4::Credentials c;
  c.access_key_id = key_id;
  c.secret_access_key = SecretString(secret);
  if (!token.empty()) c.session_token = SecretString(token);
  return c;
}

S3ResolvedConfig resolve_s3_config(const S3Options& o, const EnvLookup& env) {
  S3ResolvedConfig r;
  r.region = o.region;
  if (r.region.empty()) r.region = env_or(env, "AWS_REGION");
  if (r.region.empty()) r.region = env_or(env, "AWS_DEFAULT_REGION");
  if (r.region.empty()) r.region = "us-east-1";

  if (o.anonymous) {
    r.credentials_source = "anonymous";
    return r;
  }
  if (!o.access_key_id.empty()) {
    r.credentials.access_key_id = o.access_key_id;
    r.credentials.secret_access_key = o.secret_access_key;
    r.credentials.session_token = o.session_token;
    r.credentials_source = "options";
    return r;
  }
  std::string env_key = env_or(env, "AWS_ACCESS_KEY_ID"), env_secret = env_or(env, "AWS_SECRET_ACCESS_KEY");
  if (!env_key.empty() && !env_secret.empty()) {
    r.credentials.access_key_id = env_key;
    r.credentials.secret_access_key = SecretString(env_secret);
    std::string token = env_or(env, "AWS_SESSION_TOKEN");
    if (!token.empty()) r.credentials.session_token = SecretString(token);
    r.credentials_source = "environment";
    return r;
  }
  std::string profile = o.profile;
  if (profile.empty()) profile = env_or(env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string file = o.credentials_file;
  if (file.empty()) file = env_or(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) {
    std::string home = env_or(env, "HOME");
    if (!home.empty()) file = home + "/.aws/credentials";
  } else if (file.rfind("~/", 0) == 0) {
    file = env_or(env, "HOME") + file.substr(1);
  }
  std::string looked = "the S3 options (access_key_id), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";
  if (!file.empty()) {
    std::ifstream in(file);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      if (auto c = parse_shared_credentials(ss.str(), profile)) {
        r.credentials = std::move(*c);
        r.credentials_source = "shared credentials file " + file + " [" + profile + "]";
        return r;
      }
      looked +=
          ", profile [" + profile + "] in " + file + " (no aws_access_key_id/aws_secret_access_key there)";
    } else {
      looked += ", " + file + " (not readable)";
    }
  }
  if (!env_key.empty() || !env_secret.empty())
    looked += "; note: only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set";
  throw config_error(
      "no AWS credentials found; looked in " + looked,
      "set access_key_id and secret_access_key, export AWS_ACCESS_KEY_ID and "
      "AWS_SECRET_ACCESS_KEY, or add the profile to ~/.aws/credentials (AWS_PROFILE picks it); "
      "use anonymous access for public buckets");
}

S3Error::S3Error(ErrorKind kind, std::string message, std::string hint, bool retryable, std::string code,
                 int status, std::string request_id)
    : Error(kind, std::move(message), std::move(hint), retryable),
      code_(std::move(code)),
      status_(status),
      request_id_(std::move(request_id)) {}

std::string s3_error_hint(std::string_view code) {
  if (code == "NoSuchBucket")
    return "check the bucket name, and that endpoint_url/region point at the account that owns it";
  if (code == "NoSuchKey" || code == "NotFound")
    return "check the key (keys are case-sensitive and include every folder, without a leading '/')";
  if (code == "AccessDenied")
    return "check that the access key's IAM policy and the bucket policy allow this action on the bucket and "
           "key";
  if (code == "Forbidden")
    return "check the access key id and secret, and that the IAM and bucket policies allow this action (HEAD "
           "responses carry no error code; a GET of the same object shows S3's reason)";
  if (code == "SignatureDoesNotMatch")
    return "check that the secret access key belongs to the access key id, and the region";
  if (code == "InvalidAccessKeyId")
    return "check the access key id (AWS_ACCESS_KEY_ID or the profile in ~/.aws/credentials): it does not "
           "exist for this endpoint";
  if (code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired")
    return "the session token expired or is wrong: get fresh temporary credentials (AWS_SESSION_TOKEN)";
  if (code == "RequestTimeTooSkewed") return "the system clock is more than 15 minutes off: sync it (NTP)";
  if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" ||
      code == "IllegalLocationConstraintException")
    return "the bucket is in another region: set region to the bucket's region";
  if (code == "SlowDown" || code == "ServiceUnavailable")
    return "S3 is throttling this prefix; lower concurrency or spread keys over more prefixes";
  if (code == "InternalError") return "S3 had an internal error; retrying later usually works";
  if (code == "NoSuchUpload") return "the multipart upload was completed or aborted already";
  if (code == "EntityTooSmall") return "every part but the last must be at least 5 MiB";
  if (code == "InvalidRange") return "the requested range starts past the end of the object";
  if (code == "PreconditionFailed") return "the object changed while it was read; run again";
  return {};
}

}  // namespace sqlflow::net
