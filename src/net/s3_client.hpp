// An S3 client on HttpClient (so every call gets its retries with backoff, Retry-After, circuit
// breaker and rate limit): ListObjectsV2 over all pages, HeadObject, ranged GetObject, parallel
// ranged download of an object to a file, PutObject, multipart upload of a file with parallel
// parts (aborted on any failure so no parts are left behind), DeleteObject, presigned GET URLs.
// Requests are signed with SigV4 (sigv4.hpp). Works with AWS (virtual-hosted addressing) and
// S3-compatible servers through endpoint_url (path-style addressing). S3's XML error bodies become
// S3Errors that name the code and say what to check; no message ever holds the secret key.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "net/http_client.hpp"
#include "net/secret.hpp"
#include "net/sigv4.hpp"
#include "resilience/policy.hpp"

namespace sqlflow::net {

inline constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

struct S3Options {
  // AWS region; empty: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1.
  std::string region;
  // An S3-compatible server ("http://127.0.0.1:4568", "minio:9000"): requests go there path-style
  // (endpoint/bucket/key). Empty: AWS, virtual-hosted style (bucket.s3.region.amazonaws.com/key).
  std::string endpoint_url;
  // Scheme for AWS and for an endpoint_url given without one.
  bool use_ssl = true;
  // Path-style addressing on AWS too (s3.region.amazonaws.com/bucket/key). Buckets whose names
  // have dots always use it over TLS, since *.s3.region.amazonaws.com certificates do not match them.
  bool force_path_style = false;

  // Credentials. Precedence: these fields, then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
  // AWS_SESSION_TOKEN, then the shared credentials file (profile below).
  std::string access_key_id;
  SecretString secret_access_key;
  SecretString session_token;
  std::string profile;           // empty: AWS_PROFILE, then "default"
  std::string credentials_file;  // empty: AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/credentials
  bool anonymous = false;        // unsigned requests (public buckets)

  // Hash request bodies into the signature. false sends UNSIGNED-PAYLOAD over https (saves a
  // SHA-256 pass over every upload; TLS protects the body); plain http always hashes.
  bool sign_payload = true;

  // Download ranges and upload parts. S3 allows parts of 5 MiB to 5 GiB and at most 10,000 parts,
  // so uploads raise the part size to ⌈size / 10,000⌉ when a file needs it.
  std::uint64_t part_size = 8 * kMiB;
  // Ranged GETs or part uploads in flight at once.
  std::size_t concurrency = 8;
  // put_file sends files up to this size with one PutObject, larger ones as a multipart upload.
  // PutObject bodies are held in memory (the HTTP client takes bodies as strings), as are the
  // parts in flight: memory is about max(threshold, concurrency × part_size).
  std::uint64_t multipart_threshold = 64 * kMiB;

  // HTTP settings (timeouts, TLS, proxy). auth is set by the client.
  ClientOptions http = default_http();
  // Retry/breaker/rate limit. Empty: resilience::default_profile("s3") (3 attempts with backoff
  // up to 20 s, so 503 SlowDown and 500 InternalError are retried; 3,500 requests/s).
  std::optional<resilience::ResilienceOptions> resilience;

  static ClientOptions default_http();
  // Throws a validation Error naming the bad field. Runs before any I/O.
  void validate() const;
};

// Environment lookups go through this, so tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

// Region and credentials after applying options, environment and the shared credentials file.
struct S3ResolvedConfig {
  std::string region;
  sigv4::Credentials credentials;
  std::string credentials_source;  // "options", "environment", "shared credentials file <path> [profile]",
                                   // "anonymous"
};
// Throws a config Error when no credentials are found (and anonymous is off), naming every place
// it looked; never prints a secret.
S3ResolvedConfig resolve_s3_config(const S3Options& options, const EnvLookup& env);

// The credentials of `profile` in the INI text of an AWS shared credentials file
// (aws_access_key_id, aws_secret_access_key, aws_session_token); nullopt when the profile or its
// keys are missing.
std::optional<sigv4::Credentials> parse_shared_credentials(std::string_view text, std::string_view profile);

// An error S3 reported (or an HTTP failure of an S3 call). Message: "S3 <Operation> s3://b/k
// failed: <Code>: <Message> (HTTP <status>[, request id …])" with a hint on what to check.
class S3Error : public Error {
 public:
  S3Error(ErrorKind kind, std::string message, std::string hint, bool retryable, std::string code, int status,
          std::string request_id);
  const std::string& code() const { return code_; }  // "NoSuchKey", "SlowDown", … ("" for transport failures)
  int status() const { return status_; }             // 0 for transport failures
  const std::string& request_id() const { return request_id_; }

 private:
  std::string code_;
  int status_;
  std::string request_id_;
};

// What to check for an S3 error code ("" for codes without advice).
std::string s3_error_hint(std::string_view code);

struct S3Object {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;           // as S3 sends it, quotes included ("\"9b2cf535f27731c974343645a3985328\"")
  std::string last_modified;  // ISO 8601 as listed ("2009-10-12T17:50:30.000Z")
  WallClock::time_point last_modified_time{};
};

struct S3ObjectInfo {
  std::uint64_t size = 0;
  std::string etag;
  std::string content_type;
  WallClock::time_point last_modified{};
};

struct S3ListOptions {
  std::string prefix;
  std::string delimiter;  // "/" groups keys below the prefix into common_prefixes
  int max_keys = 1000;    // per page (S3 caps it at 1000)
  std::string start_after;
};

struct S3ListPage {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
  // The server's clock when it answered (its Date header, whole seconds), if it sent one: what
  // LastModified values are compared with, whatever this machine's clock says.
  std::optional<WallClock::time_point> server_time;
};

struct S3ListResult {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;
  int pages = 0;
  std::optional<WallClock::time_point> server_time;  // of the first page
};

struct S3CompletedPart {
  int part_number = 0;
  std::string etag;
};

using S3Headers = Headers;  // name, value

struct S3TransferOptions {
  std::optional<std::uint64_t> part_size;  // default: S3Options::part_size
  std::optional<std::size_t> concurrency;  // default: S3Options::concurrency
  std::string content_type;                // uploads only
  // Uploads only: sent with PutObject and CreateMultipartUpload (not with the parts), e.g.
  // x-amz-server-side-encryption: AES256. Signed like every header.
  S3Headers object_headers;
};

class S3Client {
 public:
  // Resolves region and credentials (see S3Options) and validates the options; no I/O.
  explicit S3Client(S3Options options, const EnvLookup& env = process_env());
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // ListObjectsV2, one page; `continuation_token` from the previous page (empty for the first).
  S3ListPage list_objects_page(const std::string& bucket, const S3ListOptions& options,
                               const std::string& continuation_token = {});
  // ListObjectsV2, every page (following NextContinuationToken until IsTruncated is false).
  S3ListResult list_objects(const std::string& bucket, const S3ListOptions& options = {});

  S3ObjectInfo head_object(const std::string& bucket, const std::string& key);
  // Bytes [offset, offset + length) of the object. With `if_match` (an ETag) S3 answers 412 when
  // the object changed. Throws when the server returns another range or more bytes.
  std::string get_object_range(const std::string& bucket, const std::string& key, std::uint64_t offset,
                               std::uint64_t length, const std::string& if_match = {});
  // The whole object into memory (small objects).
  std::string get_object(const std::string& bucket, const std::string& key);

  // Downloads the object to `destination` with parallel ranged GETs (If-Match the ETag from a
  // HeadObject first, so all ranges come from one version). Writes a temporary sibling and renames
  // it over `destination` after checking its size; a part cut off mid-body is fetched again.
  // Returns what HeadObject said.
  S3ObjectInfo download_file(const std::string& bucket, const std::string& key,
                             const std::filesystem::path& destination, const S3TransferOptions& options = {});

  // PutObject of `body` (with `headers`, e.g. x-amz-server-side-encryption); returns the ETag.
  std::string put_object(const std::string& bucket, const std::string& key, std::string body,
                         const std::string& content_type = {}, const S3Headers& headers = {});
  // Uploads a file: one PutObject up to multipart_threshold, a multipart upload above. Returns the ETag.
  std::string put_file(const std::string& bucket, const std::string& key, const std::filesystem::path& file,
                       const S3TransferOptions& options = {});
  // Multipart upload of a file whatever its size (≥ 1 byte): CreateMultipartUpload, UploadPart in
  // parallel, CompleteMultipartUpload; on any failure AbortMultipartUpload, then the error.
  std::string multipart_upload_file(const std::string& bucket, const std::string& key,
                                    const std::filesystem::path& file, const S3TransferOptions& options = {});

  // The multipart steps, for callers that produce parts themselves.
  std::string create_multipart_upload(const std::string& bucket, const std::string& key,
                                      const std::string& content_type = {}, const S3Headers& headers = {});
  std::string upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                          int part_number, std::string body);  // returns the part's ETag
  std::string complete_multipart_upload(const std::string& bucket, const std::string& key,
                                        const std::string& upload_id,
                                        const std::vector<S3CompletedPart>& parts);
  void abort_multipart_upload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id);

  // DeleteObject (S3 answers 204 for a missing key too).
  void delete_object(const std::string& bucket, const std::string& key);

  // A presigned GET URL valid for `expires` (1 s – 7 days).
  std::string presign_get(const std::string& bucket, const std::string& key, std::chrono::seconds expires);

  // The URL of an object (or of the bucket when `key` is empty), with `query` appended.
  std::string object_url(const std::string& bucket, const std::string& key,
                         const std::string& query = {}) const;

  const S3Options& options() const { return options_; }
  const S3ResolvedConfig& config() const { return config_; }
  HttpClient& http() { return *http_; }

 private:
  Request make_request(const std::string& method, const std::string& bucket, const std::string& key,
                       const std::string& query, std::string body = {}) const;
  // Throws an S3Error for a failed response of `operation`.
  [[noreturn]] void fail(const Response& r, const std::string& operation, const std::string& bucket,
                         const std::string& key) const;
  Response call(Request req, const std::string& operation, const std::string& bucket, const std::string& key);
  std::uint64_t part_size_for(std::uint64_t size, const S3TransferOptions& options) const;

  S3Options options_;
  S3ResolvedConfig config_;
  std::shared_ptr<SigV4Auth> auth_;
  std::unique_ptr<HttpClient> http_;
};

// The s3://bucket/key form used in messages.
std::string s3_uri(const std::string& bucket, const std::string& key);

}  // namespace sqlflow::net
