#include "net/s3_client.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>

#include "core/ascii.hpp"
#include "core/atomic_output.hpp"
#include "metrics/logging.hpp"
#include "net/redact.hpp"
#include "net/s3_xml.hpp"
#include "resilience/classify.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::net {

namespace {

// S3's own default for objects stored without a type. Set explicitly: libcurl would otherwise
// label every body application/x-www-form-urlencoded, and S3 would keep that as the object's type.
constexpr std::string_view kDefaultContentType = "binary/octet-stream";

// "key=value&…" with both sides encoded as SigV4 wants (so the URL is its own canonical form).
std::string query_param(std::string_view k, std::string_view v) {
  return sigv4::uri_encode(k, false) + "=" + sigv4::uri_encode(v, false);
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "2009-10-12T17:50:30.000Z" → time point (fraction and a missing Z tolerated).
WallClock::time_point parse_iso8601(std::string_view s) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 19 || std::sscanf(std::string(s.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo,
                                   &d, &h, &mi, &se) != 6)
    return {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return {};
  return WallClock::from_time_t(t);
}

// An open file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int release_close() {
    int rc = fd >= 0 ? ::close(fd) : 0;
    fd = -1;
    return rc;
  }
};

std::string errno_text(int e) {
  return std::strerror(e);
}

// Reads exactly `length` bytes at `offset` (a part of an upload).
std::string read_range(int fd, const std::filesystem::path& path, std::uint64_t offset,
                       std::uint64_t length) {
  std::string buf(length, '\0');
  std::uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, buf.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorKind::Data, "cannot read " + path.string() + ": " + errno_text(errno));
    if (n == 0) throw Error(ErrorKind::Data, path.string() + " shrank while it was being uploaded");
    done += static_cast<std::uint64_t>(n);
  }
  return buf;
}

}  // namespace

std::string s3_uri(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + (key.empty() ? "" : "/" + key);
}

// ------------------------------------------------------------------------------------------------

S3Client::S3Client(S3Options options, const EnvLookup& env) : options_(std::move(options)) {
  options_.validate();
  config_ = resolve_s3_config(options_, env);
  ClientOptions http = options_.http;
  if (!options_.anonymous) {
    auth_ = std::make_shared<SigV4Auth>(config_.credentials, config_.region, "s3");
    http.auth = auth_;
  }
  resilience::ResilienceOptions ro =
      options_.resilience ? *options_.resilience : resilience::default_profile("s3");
  http_ = std::make_unique<HttpClient>(std::move(http), resilience::ResiliencePolicy(std::move(ro)));
  spdlog::debug(
      "S3 client: region {}, {}, credentials from {}", config_.region,
      options_.endpoint_url.empty() ? std::string("AWS endpoints") : redact_url(options_.endpoint_url),
      config_.credentials_source);
}

S3Client::~S3Client() = default;

std::string S3Client::object_url(const std::string& bucket, const std::string& key,
                                 const std::string& query) const {
  std::string url;
  const std::string encoded_key = sigv4::uri_encode(key, true);
  if (!options_.endpoint_url.empty()) {
    std::string ep = options_.endpoint_url;
    if (ep.find("://") == std::string::npos) ep = (options_.use_ssl ? "https://" : "http://") + ep;
    while (!ep.empty() && ep.back() == '/') ep.pop_back();
    url = ep + "/" + bucket + (key.empty() ? "" : "/" + encoded_key);
  } else {
    const std::string scheme = options_.use_ssl ? "https://" : "http://";
    const std::string host = "s3." + config_.region + ".amazonaws.com";
    // Virtual-hosted style is AWS's default; a dotted bucket name breaks the wildcard certificate.
    bool path_style =
        options_.force_path_style || (options_.use_ssl && bucket.find('.') != std::string::npos);
    if (path_style)
      url = scheme + host + "/" + bucket + (key.empty() ? "" : "/" + encoded_key);
    else
      url = scheme + bucket + "." + host + "/" + encoded_key;
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

Request S3Client::make_request(const std::string& method, const std::string& bucket, const std::string& key,
                               const std::string& query, std::string body) const {
  Request r(method, object_url(bucket, key, query));
  const bool https = r.url.rfind("https://", 0) == 0;
  std::string hash;
  if (body.empty())
    hash = std::string(sigv4::kEmptySha256);
  else if (options_.sign_payload || !https)
    hash = sigv4::sha256_hex(body);
  else
    hash = std::string(sigv4::kUnsignedPayload);
  r.headers.emplace_back("x-amz-content-sha256", hash);
  r.body = std::move(body);
  return r;
}

void S3Client::fail(const Response& r, const std::string& operation, const std::string& bucket,
                    const std::string& key) const {
  const std::string where = "S3 " + operation + " " + s3_uri(bucket, key);
  if (!r.error && r.ok()) throw internal_error(where + ": fail() called on a success");
  ErrorKind kind = r.error ? r.error->kind() : ErrorKind::Data;
  bool retryable = r.error && r.error->retryable();
  if (r.status == 0) {
    // Transport failure (or an open breaker): the HTTP client's message says it all.
    std::string msg = r.error ? r.error->message() : "no response";
    throw S3Error(kind, where + " failed: " + scrub_secrets(msg), r.error ? r.error->hint() : std::string(),
                  retryable, "", 0, "");
  }
  std::string code, message, request_id = r.header("x-amz-request-id"), region;
  if (!r.body.empty() && r.body.find("<Error") != std::string::npos) {
    try {
      s3xml::Element e = s3xml::parse(r.body);
      if (e.name == "Error") {
        code = e.child_text("Code");
        message = e.child_text("Message");
        if (request_id.empty()) request_id = e.child_text("RequestId");
        region = e.child_text("Region");
      }
    } catch (const Error&) {
      // Not S3's XML (a proxy's page, or cut short): fall back to the status.
    }
  }
  if (code.empty()) {
    // HEAD responses have no body; name the status as S3 would.
    switch (r.status) {
      case 404:
        code = key.empty() ? "NoSuchBucket" : "NotFound";
        break;
      case 403:
        code = "Forbidden";
        break;
      case 503:
        code = "ServiceUnavailable";
        break;
      default:
        code = "HTTP" + std::to_string(r.status);
    }
    if (r.error) {
      // The HTTP client's message ("… failed: HTTP 502: <start of the body> (gave up …)") carries
      // the start of a non-XML body (a proxy's page): keep just that part.
      std::string text = r.error->message();
      const std::string status_text = " failed: HTTP " + std::to_string(r.status) + ": ";
      size_t at = text.find(status_text);
      if (at != std::string::npos) {
        message = text.substr(at + status_text.size());
        size_t gave_up = message.rfind(" (gave up");
        if (gave_up != std::string::npos) message.resize(gave_up);
      }
    }
  }
  std::string msg = where + " failed: " + code + (message.empty() ? "" : ": " + message) + " (HTTP " +
                    std::to_string(r.status);
  if (r.attempts > 1) msg += ", " + std::to_string(r.attempts) + " attempts";
  if (!request_id.empty()) msg += ", request id " + request_id;
  msg += ")";
  std::string hint = s3_error_hint(code);
  if (!region.empty() && hint.find("region") != std::string::npos) hint += " (S3 says: " + region + ")";
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId")
    hint += "; credentials came from " + config_.credentials_source;
  // S3's messages never carry the secret, but scrub anyway: nothing secret leaves through errors.
  // (Not redact(): its name-value heuristics would take "SignatureDoesNotMatch: The" for a secret.)
  throw S3Error(kind, scrub_secrets(msg), hint, retryable, code, r.status, request_id);
}

Response S3Client::call(Request req, const std::string& operation, const std::string& bucket,
                        const std::string& key) {
  Response r = http_->fetch(std::move(req));  // no copy of an upload's body
  if (!r.ok()) fail(r, operation, bucket, key);
  return r;
}

// ------------------------------------------------------------------------------------------------

S3ListPage S3Client::list_objects_page(const std::string& bucket, const S3ListOptions& o,
                                       const std::string& continuation_token) {
  if (o.max_keys < 1 || o.max_keys > 1000)
    throw validation_error("S3 list max_keys must be 1 to 1000, got " + std::to_string(o.max_keys));
  std::string q = "list-type=2";
  if (!continuation_token.empty()) q += "&" + query_param("continuation-token", continuation_token);
  if (!o.delimiter.empty()) q += "&" + query_param("delimiter", o.delimiter);
  // encoding-type=url: keys come percent-encoded, so keys with characters XML 1.0 cannot carry
  // still list (AWS's advice). Servers that ignore it send plain keys and no EncodingType element.
  q += "&encoding-type=url";
  q += "&" + query_param("max-keys", std::to_string(o.max_keys));
  if (!o.prefix.empty()) q += "&" + query_param("prefix", o.prefix);
  if (!o.start_after.empty()) q += "&" + query_param("start-after", o.start_after);
  Response r = call(make_request("GET", bucket, "", q), "ListObjectsV2", bucket, "");

  s3xml::Element root = s3xml::parse(r.body);
  auto bad = [&](const std::string& what) {
    return data_error("S3 ListObjectsV2 " + s3_uri(bucket, o.prefix) + ": " + what,
                      "the server did not answer like S3; check endpoint_url");
  };
  if (root.name != "ListBucketResult") throw bad("expected <ListBucketResult>, got <" + root.name + ">");
  const bool url_encoded = ascii_lower(root.child_text("EncodingType")) == "url";
  // With encoding-type=url S3 encodes a space as '+' (form style), so '+' decodes to a space.
  auto decode = [&](const std::string& s) {
    if (!url_encoded) return s;
    std::string plus = s;
    for (auto& c : plus)
      if (c == '+') c = ' ';
    return sigv4::uri_decode(plus);
  };
  S3ListPage page;
  if (auto t = resilience::parse_http_date(r.header("Date"))) page.server_time = *t;
  for (const s3xml::Element* c : root.children_named("Contents")) {
    S3Object obj;
    obj.key = decode(c->child_text("Key"));
    auto size = parse_u64(c->child_text("Size"));
    if (!size) throw bad("bad <Size> '" + c->child_text("Size") + "' for key " + obj.key);
    obj.size = *size;
    obj.etag = c->child_text("ETag");
    obj.last_modified = c->child_text("LastModified");
    obj.last_modified_time = parse_iso8601(obj.last_modified);
    page.objects.push_back(std::move(obj));
  }
  for (const s3xml::Element* p : root.children_named("CommonPrefixes"))
    page.common_prefixes.push_back(decode(p->child_text("Prefix")));
  page.truncated = ascii_lower(root.child_text("IsTruncated")) == "true";
  if (page.truncated) {
    page.next_continuation_token = root.child_text("NextContinuationToken");
    if (page.next_continuation_token.empty())
      throw bad("IsTruncated is true but NextContinuationToken is missing");
  }
  return page;
}

S3ListResult S3Client::list_objects(const std::string& bucket, const S3ListOptions& options) {
  S3ListResult out;
  std::string token;
  for (;;) {
    S3ListPage page = list_objects_page(bucket, options, token);
    if (++out.pages == 1) out.server_time = page.server_time;
    for (auto& o : page.objects) out.objects.push_back(std::move(o));
    for (auto& p : page.common_prefixes) out.common_prefixes.push_back(std::move(p));
    if (!page.truncated) break;
    // A server that hands back the same token would loop forever.
    if (page.next_continuation_token == token)
      throw data_error("S3 ListObjectsV2 " + s3_uri(bucket, options.prefix) +
                       ": the server returned the same continuation token twice");
    token = std::move(page.next_continuation_token);
  }
  return out;
}

S3ObjectInfo S3Client::head_object(const std::string& bucket, const std::string& key) {
  Response r = call(make_request("HEAD", bucket, key, ""), "HeadObject", bucket, key);
  S3ObjectInfo info;
  auto size = parse_u64(r.header("Content-Length"));
  if (!size)
    throw data_error("S3 HeadObject " + s3_uri(bucket, key) + ": no valid Content-Length ('" +
                     r.header("Content-Length") + "')");
  info.size = *size;
  info.etag = r.header("ETag");
  info.content_type = r.header("Content-Type");
  if (auto t = resilience::parse_http_date(r.header("Last-Modified"))) info.last_modified = *t;
  return info;
}

std::string S3Client::get_object_range(const std::string& bucket, const std::string& key,
                                       std::uint64_t offset, std::uint64_t length,
                                       const std::string& if_match) {
  if (length == 0) return {};
  Request req = make_request("GET", bucket, key, "");
  // Explicit first-last ranges only: some servers (s3rver) answer suffix ranges (bytes=-N) wrongly.
  req.headers.emplace_back("Range",
                           "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  if (!if_match.empty()) req.headers.emplace_back("If-Match", if_match);
  Response r = call(std::move(req), "GetObject", bucket, key);
  if (r.status == 200 && offset == 0 && r.body.size() <= length) return std::move(r.body);  // whole object
  if (r.status != 206 || r.body.size() != length)
    throw data_error("S3 GetObject " + s3_uri(bucket, key) + ": asked for " + std::to_string(length) +
                         " bytes at " + std::to_string(offset) + ", got HTTP " + std::to_string(r.status) +
                         " with " + std::to_string(r.body.size()) + " bytes",
                     "the server ignored or misread the Range header");
  return std::move(r.body);
}

std::string S3Client::get_object(const std::string& bucket, const std::string& key) {
  Response r = call(make_request("GET", bucket, key, ""), "GetObject", bucket, key);
  return std::move(r.body);
}

// ------------------------------------------------------------------------------------------------

S3ObjectInfo S3Client::download_file(const std::string& bucket, const std::string& key,
                                     const std::filesystem::path& destination, const S3TransferOptions& o) {
  const std::string where = "S3 download " + s3_uri(bucket, key);
  S3ObjectInfo info = head_object(bucket, key);
  const std::uint64_t part = o.part_size.value_or(options_.part_size);
  const std::size_t concurrency = o.concurrency.value_or(options_.concurrency);
  if (part == 0 || concurrency == 0)
    throw validation_error(where + ": part size and concurrency must be positive");

  files::AtomicOutput out(destination, files::AtomicOutput::Layout::File, "S3 download");
  out.prepare();
  try {
    Fd fd(::open(out.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.fd < 0)
      throw Error(ErrorKind::Data,
                  where + ": cannot create " + out.temp_path().string() + ": " + errno_text(errno));

    const std::uint64_t parts = info.size == 0 ? 0 : (info.size + part - 1) / part;
    std::vector<std::uint64_t> cursor(parts), start(parts), end(parts);  // end: one past the last byte
    int write_errno = 0;
    std::vector<Request> requests;
    requests.reserve(parts);
    for (std::uint64_t i = 0; i < parts; ++i) {
      start[i] = cursor[i] = i * part;
      end[i] = std::min(info.size, start[i] + part);
      Request req = make_request("GET", bucket, key, "");
      req.headers.emplace_back("Range",
                               "bytes=" + std::to_string(start[i]) + "-" + std::to_string(end[i] - 1));
      // Every range from the version HeadObject saw: a rewrite in between fails with 412.
      if (!info.etag.empty()) req.headers.emplace_back("If-Match", info.etag);
      // fetch_all calls these on this thread, one at a time.
      req.on_data = [&, i](std::string_view chunk) {
        if (cursor[i] + chunk.size() > end[i]) return false;  // more than asked for: not our range
        const char* p = chunk.data();
        size_t left = chunk.size();
        while (left > 0) {
          ssize_t n = ::pwrite(fd.fd, p, left, static_cast<off_t>(cursor[i]));
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) {
            write_errno = errno;
            return false;
          }
          p += n;
          left -= static_cast<size_t>(n);
          cursor[i] += static_cast<std::uint64_t>(n);
        }
        return true;
      };
      // A retry after a cut-off body delivers the part from its start again.
      req.on_restart = [&, i] { cursor[i] = start[i]; };
      requests.push_back(std::move(req));
    }
    std::vector<Response> responses = http_->fetch_all(std::move(requests), concurrency);
    if (write_errno)
      throw Error(ErrorKind::Data,
                  where + ": cannot write " + out.temp_path().string() + ": " + errno_text(write_errno));
    for (std::uint64_t i = 0; i < parts; ++i) {
      const Response& r = responses[i];
      if (!r.ok()) {
        if (r.status == 0 && cursor[i] >= end[i] && r.error &&
            r.error->message().find("aborted by the consumer") != std::string::npos)
          throw data_error(where + ": the server sent more than the " + std::to_string(end[i] - start[i]) +
                               " bytes asked for in part " + std::to_string(i + 1),
                           "the server ignored the Range header");
        fail(r, "GetObject", bucket, key);
      }
      const bool whole = start[i] == 0 && end[i] == info.size;
      if (r.status != 206 && !(r.status == 200 && whole))
        throw data_error(where + ": part " + std::to_string(i + 1) + " came back with HTTP " +
                             std::to_string(r.status) + " instead of 206 Partial Content",
                         "the server ignored the Range header");
      if (cursor[i] != end[i])
        throw data_error(where + ": part " + std::to_string(i + 1) + " has " +
                         std::to_string(cursor[i] - start[i]) + " bytes, expected " +
                         std::to_string(end[i] - start[i]));
    }
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) != info.size)
      throw data_error(where + ": the downloaded file has " + std::to_string(st.st_size) +
                       " bytes, HeadObject said " + std::to_string(info.size));
    if (fd.release_close() != 0)
      throw Error(ErrorKind::Data,
                  where + ": cannot write " + out.temp_path().string() + ": " + errno_text(errno));
    out.commit();
  } catch (...) {
    out.abort();
    throw;
  }
  return info;
}

// ------------------------------------------------------------------------------------------------

std::string S3Client::put_object(const std::string& bucket, const std::string& key, std::string body,
                                 const std::string& content_type, const S3Headers& headers) {
  Request req = make_request("PUT", bucket, key, "", std::move(body));
  req.headers.emplace_back("Content-Type",
                           content_type.empty() ? std::string(kDefaultContentType) : content_type);
  for (const auto& h : headers) req.headers.push_back(h);
  Response r = call(std::move(req), "PutObject", bucket, key);
  return r.header("ETag");
}

std::uint64_t S3Client::part_size_for(std::uint64_t size, const S3TransferOptions& o) const {
  std::uint64_t part = o.part_size.value_or(options_.part_size);
  if (part < 5 * kMiB)
    throw validation_error(
        "S3 part size must be at least 5 MiB (S3's minimum for all parts but the last), got " +
        std::to_string(part) + " bytes");
  // At most 10,000 parts: raise the part size (to whole MiB) when the file needs it.
  const std::uint64_t needed = (size + 9999) / 10000;
  if (part < needed) part = (needed + kMiB - 1) / kMiB * kMiB;
  if (part > (std::uint64_t{5} << 30))
    throw validation_error("the file is too large for S3 (" + std::to_string(size) +
                           " bytes; at most 10,000 parts of 5 GiB)");
  return part;
}

std::string S3Client::put_file(const std::string& bucket, const std::string& key,
                               const std::filesystem::path& file, const S3TransferOptions& o) {
  std::error_code ec;
  std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) throw Error(ErrorKind::Config, "S3 upload of " + file.string() + ": " + ec.message());
  if (size > options_.multipart_threshold) return multipart_upload_file(bucket, key, file, o);
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0)
    throw Error(ErrorKind::Config, "S3 upload: cannot open " + file.string() + ": " + errno_text(errno));
  return put_object(bucket, key, read_range(fd.fd, file, 0, size), o.content_type, o.object_headers);
}

std::string S3Client::create_multipart_upload(const std::string& bucket, const std::string& key,
                                              const std::string& content_type, const S3Headers& headers) {
  Request req = make_request("POST", bucket, key, "uploads=");
  req.headers.emplace_back("Content-Type",
                           content_type.empty() ? std::string(kDefaultContentType) : content_type);
  for (const auto& h : headers) req.headers.push_back(h);
  Response r = call(std::move(req), "CreateMultipartUpload", bucket, key);
  s3xml::Element root = s3xml::parse(r.body);
  std::string id = root.name == "InitiateMultipartUploadResult" ? root.child_text("UploadId") : std::string();
  if (id.empty())
    throw data_error("S3 CreateMultipartUpload " + s3_uri(bucket, key) + ": no UploadId in the response",
                     "the server did not answer like S3; check endpoint_url");
  return id;
}

std::string S3Client::upload_part(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id, int part_number, std::string body) {
  if (part_number < 1 || part_number > 10000)
    throw validation_error("S3 part numbers are 1 to 10000, got " + std::to_string(part_number));
  std::string q =
      query_param("partNumber", std::to_string(part_number)) + "&" + query_param("uploadId", upload_id);
  Request req = make_request("PUT", bucket, key, q, std::move(body));
  req.headers.emplace_back("Content-Type", std::string(kDefaultContentType));
  Response r = call(std::move(req), "UploadPart", bucket, key);
  std::string etag = r.header("ETag");
  if (etag.empty())
    throw data_error("S3 UploadPart " + s3_uri(bucket, key) + " part " + std::to_string(part_number) +
                     ": no ETag in the response");
  return etag;
}

std::string S3Client::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id,
                                                const std::vector<S3CompletedPart>& parts) {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& p : parts)
    body += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>" +
            s3xml::escape(p.etag) + "</ETag></Part>";
  body += "</CompleteMultipartUpload>";
  Request req = make_request("POST", bucket, key, query_param("uploadId", upload_id), std::move(body));
  req.headers.emplace_back("Content-Type", "application/xml");
  Response r = call(std::move(req), "CompleteMultipartUpload", bucket, key);
  // S3 may answer 200 and still fail: the error is then in the body.
  s3xml::Element root = s3xml::parse(r.body);
  if (root.name == "Error") {
    Response as_error = r;
    as_error.status = 500;
    as_error.error =
        std::make_shared<Error>(ErrorKind::Connection, "CompleteMultipartUpload failed", "", true);
    fail(as_error, "CompleteMultipartUpload", bucket, key);
  }
  if (root.name != "CompleteMultipartUploadResult")
    throw data_error("S3 CompleteMultipartUpload " + s3_uri(bucket, key) + ": unexpected <" + root.name +
                     ">");
  return root.child_text("ETag");
}

void S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) {
  call(make_request("DELETE", bucket, key, query_param("uploadId", upload_id)), "AbortMultipartUpload",
       bucket, key);
}

std::string S3Client::multipart_upload_file(const std::string& bucket, const std::string& key,
                                            const std::filesystem::path& file, const S3TransferOptions& o) {
  const std::string where = "S3 multipart upload of " + file.string() + " to " + s3_uri(bucket, key);
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) throw Error(ErrorKind::Config, where + ": cannot open the file: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) throw Error(ErrorKind::Config, where + ": " + errno_text(errno));
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  if (size == 0)
    throw validation_error(where + ": the file is empty (a multipart upload needs at least one byte)");
  const std::uint64_t part = part_size_for(size, o);
  const int parts = static_cast<int>((size + part - 1) / part);
  const std::size_t concurrency =
      std::max<std::size_t>(1, std::min<std::size_t>(o.concurrency.value_or(options_.concurrency), parts));

  const std::string upload_id = create_multipart_upload(bucket, key, o.content_type, o.object_headers);
  std::vector<std::string> etags(static_cast<size_t>(parts));
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  // Workers pull part numbers in order; memory is one part per worker.
  auto worker = [&] {
    for (;;) {
      int i = next.fetch_add(1);
      if (i >= parts || failed.load()) return;
      try {
        const std::uint64_t offset = static_cast<std::uint64_t>(i) * part;
        std::string body = read_range(fd.fd, file, offset, std::min(part, size - offset));
        etags[static_cast<size_t>(i)] = upload_part(bucket, key, upload_id, i + 1, std::move(body));
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed.store(true);
        return;
      }
    }
  };
  std::string etag;
  try {
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < concurrency; ++t) threads.emplace_back(metrics::with_log_context(worker));
    worker();
    for (auto& t : threads) t.join();
    if (first_error) std::rethrow_exception(first_error);
    std::vector<S3CompletedPart> done;
    done.reserve(static_cast<size_t>(parts));
    for (int i = 0; i < parts; ++i) done.push_back({i + 1, etags[static_cast<size_t>(i)]});
    etag = complete_multipart_upload(bucket, key, upload_id, done);
  } catch (...) {
    // Every worker has stopped, so no part is in flight: after the abort no part remains stored.
    try {
      abort_multipart_upload(bucket, key, upload_id);
    } catch (const Error& e) {
      spdlog::warn(
          "{}: AbortMultipartUpload failed too, parts may stay stored (and billed) until a lifecycle "
          "rule removes them: {}",
          where, e.what());
    }
    throw;
  }
  return etag;
}

void S3Client::delete_object(const std::string& bucket, const std::string& key) {
  call(make_request("DELETE", bucket, key, ""), "DeleteObject", bucket, key);
}

std::string S3Client::presign_get(const std::string& bucket, const std::string& key,
                                  std::chrono::seconds expires) {
  if (!auth_) return object_url(bucket, key);
  return auth_->signer().presign("GET", object_url(bucket, key), WallClock::now(), expires);
}

}  // namespace sqlflow::net
