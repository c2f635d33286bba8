// S3Client against s3rver (the functional surface: listing, ranged and parallel downloads, put,
// multipart) and against S3FaultFixture (what s3rver cannot show: signatures checked, 503 SlowDown,
// bodies cut off mid-part, a failing UploadPart followed by AbortMultipartUpload), plus
// credentials resolution and the XML reader on hostile input.
#include "net/s3_client.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <set>

#include "fixtures/s3/s3_fault_fixture.hpp"
#include "fixtures/s3/s3rver_fixture.hpp"
#include "net/s3_xml.hpp"
#include "net_test_util.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::net;
using sqlflow::test::S3FaultFixture;
using sqlflow::test::S3rverFixture;
using sqlflow::test::TempDir;

namespace {

// No environment: tests must not pick up a developer's AWS_* variables or ~/.aws.
EnvLookup no_env() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

S3Options s3rver_options(const S3rverFixture& s3) {
  S3Options o;
  o.endpoint_url = s3.endpoint();
  o.access_key_id = S3rverFixture::kAccessKeyId;
  o.secret_access_key = SecretString(S3rverFixture::kSecretAccessKey);
  o.resilience = net::testing::fast_policy();
  return o;
}

S3Options fault_options(const S3FaultFixture& fx) {
  S3Options o;
  o.endpoint_url = fx.endpoint();
  o.region = fx.options().region;
  o.access_key_id = fx.options().access_key_id;
  o.secret_access_key = SecretString(fx.options().secret_access_key);
  o.resilience = net::testing::fast_policy(3);
  return o;
}

// Deterministic bytes that differ at every offset (a misplaced range shows up).
std::string make_data(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (std::size_t i = 0; i + 4 <= n; i += 4) {
    std::uint32_t v = rng();
    std::memcpy(&s[i], &v, 4);
  }
  for (std::size_t i = n - n % 4; i < n; ++i) s[i] = static_cast<char>(rng());
  return s;
}

void write_bytes(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

template <class F>
S3Error catch_s3(F&& f) {
  try {
    f();
  } catch (const S3Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an S3Error";
  return S3Error(ErrorKind::Internal, "none", "", false, "", 0, "");
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// s3rver

TEST(S3ClientS3rver, ListsEveryPageWithContinuationTokens) {
  S3rverFixture s3({"list-bucket"});
  S3Client client(s3rver_options(s3), no_env());
  std::set<std::string> want;
  for (int i = 0; i < 45; ++i) {
    std::string key =
        "data/part-" + std::to_string(1000 + i) + (i % 5 == 0 ? " with space+plus.csv" : ".csv");
    client.put_object("list-bucket", key, std::string(static_cast<size_t>(i), 'x'));
    want.insert(key);
  }
  client.put_object("list-bucket", "other/file.csv", "elsewhere");

  S3ListOptions lo;
  lo.prefix = "data/";
  lo.max_keys = 7;  // 45 keys: 7 pages, so the continuation token is used 6 times
  S3ListResult r = client.list_objects("list-bucket", lo);
  EXPECT_EQ(r.pages, 7);
  ASSERT_EQ(r.objects.size(), 45u);
  std::set<std::string> got;
  for (const auto& o : r.objects) {
    got.insert(o.key);
    int i = std::stoi(o.key.substr(10, 4)) - 1000;
    EXPECT_EQ(o.size, static_cast<std::uint64_t>(i)) << o.key;
    EXPECT_EQ(o.etag.size(), 34u) << o.etag;  // "<32 hex digits>"
    EXPECT_GT(o.last_modified_time.time_since_epoch().count(), 0) << o.last_modified;
  }
  EXPECT_EQ(got, want);

  S3ListOptions all;
  all.delimiter = "/";
  S3ListResult top = client.list_objects("list-bucket", all);
  EXPECT_TRUE(top.objects.empty());
  EXPECT_EQ(top.common_prefixes, (std::vector<std::string>{"data/", "other/"}));
}

TEST(S3ClientS3rver, DownloadsA50MBObjectInParallelRanges) {
  S3rverFixture s3({"big-bucket"});
  S3Options o = s3rver_options(s3);
  o.concurrency = 4;
  S3Client client(o, no_env());
  TempDir dir("s3dl");
  const std::string data = make_data(50'000'000, 7);
  write_bytes(dir / "source.bin", data);
  client.put_file("big-bucket", "blobs/source.bin", dir / "source.bin");  // one PutObject (< 64 MiB)

  S3TransferOptions t;
  t.part_size = 8 * kMiB;  // 5 full parts and a short sixth
  S3ObjectInfo info = client.download_file("big-bucket", "blobs/source.bin", dir / "out" / "copy.bin", t);
  EXPECT_EQ(info.size, data.size());
  EXPECT_TRUE(read_bytes(dir / "out" / "copy.bin") == data) << "downloaded bytes differ from the source";
  // Nothing but the result is left in the folder (the temporary file was renamed).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "out"), {}), 1);
  // PUT, HEAD and 6 ranged GETs.
  EXPECT_EQ(client.http().stats().requests.load(), 8u);

  EXPECT_EQ(client.get_object_range("big-bucket", "blobs/source.bin", 12'345'678, 1000, info.etag),
            data.substr(12'345'678, 1000));
}

TEST(S3ClientS3rver, PutAndMultipartUploadsReadBackIdentical) {
  S3rverFixture s3({"up-bucket"});
  S3Options o = s3rver_options(s3);
  o.part_size = 5 * kMiB;
  o.multipart_threshold = 8 * kMiB;
  o.concurrency = 3;
  S3Client client(o, no_env());
  TempDir dir("s3up");

  const std::string small = make_data(300'000, 1);
  write_bytes(dir / "small.bin", small);
  std::string etag = client.put_file("up-bucket", "small.bin", dir / "small.bin");
  EXPECT_FALSE(etag.empty());
  EXPECT_TRUE(client.get_object("up-bucket", "small.bin") == small);

  const std::string big = make_data(17 * kMiB + 123, 2);  // 4 parts of 5 MiB (the last short)
  write_bytes(dir / "big.bin", big);
  client.put_file("up-bucket", "nested/big.bin", dir / "big.bin");  // above the threshold: multipart
  S3ObjectInfo info = client.head_object("up-bucket", "nested/big.bin");
  EXPECT_EQ(info.size, big.size());
  S3TransferOptions t;
  t.part_size = 6 * kMiB;
  client.download_file("up-bucket", "nested/big.bin", dir / "big.copy", t);
  EXPECT_TRUE(read_bytes(dir / "big.copy") == big);

  client.delete_object("up-bucket", "nested/big.bin");
  S3Error e = catch_s3([&] { client.head_object("up-bucket", "nested/big.bin"); });
  EXPECT_EQ(e.status(), 404);
  EXPECT_EQ(e.code(), "NotFound");
}

TEST(S3ClientS3rver, MissingKeysAndBucketsAreNamedWithAHint) {
  S3rverFixture s3({"err-bucket"});
  S3Client client(s3rver_options(s3), no_env());
  S3Error e = catch_s3([&] { client.get_object("err-bucket", "no/such.csv"); });
  EXPECT_EQ(e.code(), "NoSuchKey");
  EXPECT_EQ(e.kind(), ErrorKind::Config);
  EXPECT_NE(e.message().find("GetObject s3://err-bucket/no/such.csv"), std::string::npos) << e.message();
  EXPECT_NE(e.hint().find("check the key"), std::string::npos);

  e = catch_s3([&] { client.list_objects("no-such-bucket"); });
  EXPECT_EQ(e.code(), "NoSuchBucket");
  EXPECT_NE(e.hint().find("bucket name"), std::string::npos);
}

TEST(S3ClientS3rver, PresignedUrlsWorkWithoutCredentials) {
  S3rverFixture s3({"pre-bucket"});
  S3Client client(s3rver_options(s3), no_env());
  client.put_object("pre-bucket", "reports/2024 01.csv", "a,b\n1,2\n");
  std::string url = client.presign_get("pre-bucket", "reports/2024 01.csv", std::chrono::minutes(5));
  EXPECT_NE(url.find("X-Amz-Signature="), std::string::npos);
  HttpClient plain;
  Response r = plain.fetch(Request("GET", url));
  ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  EXPECT_EQ(r.body, "a,b\n1,2\n");
}

// ------------------------------------------------------------------------------------------------
// fault fixture

TEST(S3ClientFaults, SignedRequestsAreAcceptedAndKeysRoundTrip) {
  S3FaultFixture fx;
  S3Client client(fault_options(fx), no_env());
  const std::vector<std::string> keys = {"a b/c+d.csv", "ünï/çødé.txt", "odd/!'()*&$=;:@,?.txt", "plain.csv"};
  for (const auto& k : keys) client.put_object("bucket", k, "body of " + k, "text/csv");
  for (const auto& k : keys) {
    ASSERT_TRUE(fx.object("bucket", k)) << k;
    EXPECT_EQ(fx.object("bucket", k)->content_type, "text/csv");
    EXPECT_EQ(client.get_object("bucket", k), "body of " + k);
  }
  // The fixture answers encoding-type=url ('+' for a space), which the client decodes.
  S3ListResult r = client.list_objects("bucket");
  std::set<std::string> listed;
  for (const auto& o : r.objects) listed.insert(o.key);
  EXPECT_EQ(listed, std::set<std::string>(keys.begin(), keys.end()));
  EXPECT_EQ(fx.signature_failures(), 0);

  // A suffix-free explicit range, and a range past the end.
  EXPECT_EQ(client.get_object_range("bucket", "plain.csv", 8, 5), "plain");
  S3Error e = catch_s3([&] { client.get_object_range("bucket", "plain.csv", 1000, 5); });
  EXPECT_EQ(e.code(), "InvalidRange");
}

TEST(S3ClientFaults, WrongSecretGivesSignatureDoesNotMatchWithoutTheSecret) {
  S3FaultFixture fx;
  S3Options o = fault_options(fx);
  const std::string wrong = "a-wrong-secret-value-0123456789";
  o.secret_access_key = SecretString(wrong);
  S3Client client(o, no_env());
  S3Error e = catch_s3([&] { client.list_objects("bucket"); });
  EXPECT_EQ(e.code(), "SignatureDoesNotMatch");
  EXPECT_EQ(e.status(), 403);
  EXPECT_EQ(e.kind(), ErrorKind::Config);
  EXPECT_NE(e.hint().find("secret access key"), std::string::npos) << e.hint();
  const std::string all = std::string(e.what()) + e.message() + e.hint();
  EXPECT_EQ(all.find(wrong), std::string::npos) << all;
  EXPECT_EQ(all.find(fx.options().secret_access_key), std::string::npos);
  EXPECT_NE(all.find("credentials came from options"), std::string::npos);
  EXPECT_NE(e.message().find("SignatureDoesNotMatch: The request signature we calculated does not match"),
            std::string::npos)
      << e.message();
  EXPECT_GE(fx.signature_failures(), 1);

  S3Options k = fault_options(fx);
  k.access_key_id = "AKIDUNKNOWN";
  S3Client unknown(k, no_env());
  e = catch_s3([&] { unknown.head_object("bucket", "x"); });
  // HEAD responses carry no body, so the code is the status's.
  EXPECT_EQ(e.status(), 403);
  e = catch_s3([&] { unknown.get_object("bucket", "x"); });
  EXPECT_EQ(e.code(), "InvalidAccessKeyId");
  EXPECT_NE(e.hint().find("access key id"), std::string::npos);
}

TEST(S3ClientFaults, SlowDownIsRetriedWithBackoff) {
  S3FaultFixture fx;
  fx.put("bucket", "k.csv", "x");
  S3Client client(fault_options(fx), no_env());  // 3 attempts
  fx.slow_down_next(2);
  S3ListResult r = client.list_objects("bucket");
  EXPECT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(fx.slow_downs_sent(), 2);
  EXPECT_EQ(client.http().stats().retries.load(), 2u);

  // More throttling than attempts: the error says SlowDown and that it was retried.
  fx.slow_down_next(10);
  S3Error e = catch_s3([&] { client.head_object("bucket", "k.csv"); });
  EXPECT_EQ(e.status(), 503);
  EXPECT_TRUE(e.retryable());
  EXPECT_NE(e.message().find("3 attempts"), std::string::npos) << e.message();
  fx.slow_down_next(10);
  e = catch_s3([&] { client.get_object("bucket", "k.csv"); });
  EXPECT_EQ(e.code(), "SlowDown");
  EXPECT_NE(e.hint().find("throttling"), std::string::npos);
}

TEST(S3ClientFaults, ADownloadCutOffMidPartIsRecovered) {
  S3FaultFixture fx;
  const std::string data = make_data(3'500'000, 11);
  fx.put("bucket", "big.bin", data);
  S3Options o = fault_options(fx);
  o.concurrency = 2;
  S3Client client(o, no_env());
  TempDir dir("s3reset");
  fx.reset_downloads_after(100'000, 2);  // the first two GETs close after 100 kB
  S3TransferOptions t;
  t.part_size = 1 * kMiB;  // 4 ranges
  client.download_file("bucket", "big.bin", dir / "big.bin", t);
  EXPECT_EQ(fx.resets_sent(), 2);
  EXPECT_TRUE(read_bytes(dir / "big.bin") == data);
  EXPECT_GE(client.http().stats().retries.load(), 2u);
  // Every GET named the version HeadObject saw.
  for (const auto& req : fx.server().requests())
    if (req.method == "GET") {
      EXPECT_EQ(req.header("If-Match"), fx.object("bucket", "big.bin")->etag);
    }

  // Cut off on every attempt: the download fails and leaves no file behind.
  fx.reset_downloads_after(10, 100);
  EXPECT_THROW(client.download_file("bucket", "big.bin", dir / "again.bin", t), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "again.bin"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(S3ClientFaults, AFailingUploadPartAbortsTheUpload) {
  S3FaultFixture fx;
  S3Options o = fault_options(fx);
  o.part_size = 5 * kMiB;
  o.concurrency = 2;
  S3Client client(o, no_env());
  TempDir dir("s3abort");
  const std::string data = make_data(12 * kMiB, 3);  // parts 1, 2 (5 MiB) and 3 (2 MiB)
  write_bytes(dir / "f.bin", data);
  fx.fail_upload_part(2);  // 500 InternalError on every attempt
  S3Error e = catch_s3([&] { client.multipart_upload_file("bucket", "out/f.bin", dir / "f.bin"); });
  EXPECT_EQ(e.code(), "InternalError");
  EXPECT_NE(e.message().find("UploadPart"), std::string::npos) << e.message();
  EXPECT_EQ(fx.upload_part_attempts()[2], 3);  // retried, then given up
  EXPECT_EQ(fx.aborted_uploads(), 1);
  EXPECT_TRUE(fx.uploads_in_progress().empty());
  EXPECT_FALSE(fx.object("bucket", "out/f.bin"));

  // A non-retryable failure aborts just the same; then a clean run completes with a "-N" ETag.
  fx.fail_upload_part(1, 400, "InvalidArgument");
  e = catch_s3([&] { client.multipart_upload_file("bucket", "out/f.bin", dir / "f.bin"); });
  EXPECT_EQ(e.code(), "InvalidArgument");
  EXPECT_EQ(fx.aborted_uploads(), 2);
  EXPECT_TRUE(fx.uploads_in_progress().empty());

  fx.fail_upload_part(0);
  std::string etag = client.multipart_upload_file("bucket", "out/f.bin", dir / "f.bin");
  EXPECT_NE(etag.find("-3\""), std::string::npos) << etag;
  ASSERT_TRUE(fx.object("bucket", "out/f.bin"));
  EXPECT_TRUE(*fx.object("bucket", "out/f.bin")->data == data);
  // Not libcurl's default application/x-www-form-urlencoded.
  EXPECT_EQ(fx.object("bucket", "out/f.bin")->content_type, "binary/octet-stream");
  EXPECT_TRUE(fx.uploads_in_progress().empty());
}

// ------------------------------------------------------------------------------------------------
// options, credentials, addressing

TEST(S3Config, CredentialsComeFromOptionsThenEnvironmentThenTheSharedFile) {
  TempDir dir("s3cred");
  write_bytes(
      dir / "credentials",
      "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret-xyz\n\n"
      "[work]\r\naws_access_key_id=AKIDWORK\r\naws_secret_access_key=work-secret-abc\r\n"
      "aws_session_token = work-token-123456\r\n");
  std::map<std::string, std::string> vars;
  EnvLookup env = [&](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  S3Options o;
  vars["AWS_SHARED_CREDENTIALS_FILE"] = (dir / "credentials").string();
  auto r = resolve_s3_config(o, env);
  EXPECT_EQ(r.credentials.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(r.credentials.secret_access_key.reveal(), "default-secret-xyz");
  EXPECT_EQ(r.region, "us-east-1");

  vars["AWS_PROFILE"] = "work";
  vars["AWS_DEFAULT_REGION"] = "eu-north-1";
  r = resolve_s3_config(o, env);
  EXPECT_EQ(r.credentials.access_key_id, "AKIDWORK");
  EXPECT_EQ(r.credentials.session_token.reveal(), "work-token-123456");
  EXPECT_EQ(r.region, "eu-north-1");
  EXPECT_NE(r.credentials_source.find("[work]"), std::string::npos);

  vars["AWS_REGION"] = "ap-east-1";
  vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  vars["AWS_SECRET_ACCESS_KEY"] = "env-secret-value";
  vars["AWS_SESSION_TOKEN"] = "env-token-value";
  r = resolve_s3_config(o, env);
  EXPECT_EQ(r.credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(r.credentials.session_token.reveal(), "env-token-value");
  EXPECT_EQ(r.credentials_source, "environment");
  EXPECT_EQ(r.region, "ap-east-1");

  o.access_key_id = "AKIDOPT";
  o.secret_access_key = SecretString("opt-secret-value");
  o.region = "sa-east-1";
  r = resolve_s3_config(o, env);
  EXPECT_EQ(r.credentials.access_key_id, "AKIDOPT");
  EXPECT_EQ(r.region, "sa-east-1");

  // Nothing anywhere: a config error naming where it looked, with no secret in it.
  vars.clear();
  vars["AWS_SHARED_CREDENTIALS_FILE"] = (dir / "credentials").string();
  vars["AWS_PROFILE"] = "missing";
  vars["AWS_SECRET_ACCESS_KEY"] = "lonely-secret-value";
  try {
    resolve_s3_config(S3Options{}, env);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    std::string text = e.what();
    EXPECT_NE(text.find("[missing]"), std::string::npos) << text;
    EXPECT_NE(text.find("only one of AWS_ACCESS_KEY_ID"), std::string::npos) << text;
    EXPECT_EQ(text.find("lonely-secret-value"), std::string::npos);
    EXPECT_EQ(text.find("default-secret-xyz"), std::string::npos);
  }
  S3Options anon;
  anon.anonymous = true;
  EXPECT_EQ(resolve_s3_config(anon, env).credentials_source, "anonymous");
}

TEST(S3Config, SharedCredentialsParsing) {
  auto c = parse_shared_credentials("[profile x]\naws_access_key_id=A1\naws_secret_access_key=S1\n", "x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "A1");
  EXPECT_FALSE(parse_shared_credentials("[x]\naws_access_key_id=A1\n", "x"));  // no secret
  EXPECT_FALSE(parse_shared_credentials("", "default"));
  EXPECT_FALSE(parse_shared_credentials("[default\naws_access_key_id", "default"));
  EXPECT_FALSE(parse_shared_credentials(std::string(1000, '['), "default"));
}

TEST(S3Config, OptionsAreValidatedBeforeAnyIo) {
  auto bad = [](auto mutate) {
    S3Options o;
    o.anonymous = true;
    mutate(o);
    EXPECT_THROW(S3Client c(o, no_env()), Error);
  };
  bad([](S3Options& o) { o.part_size = kMiB; });
  bad([](S3Options& o) { o.concurrency = 0; });
  bad([](S3Options& o) { o.endpoint_url = "ftp://x"; });
  bad([](S3Options& o) { o.access_key_id = "AKID"; });  // no secret
  S3Options ok;
  ok.anonymous = true;
  EXPECT_NO_THROW(S3Client c(ok, no_env()));
}

TEST(S3Config, AddressingStyles) {
  S3Options o;
  o.anonymous = true;
  o.region = "eu-west-1";
  S3Client aws(o, no_env());
  EXPECT_EQ(aws.object_url("my-bucket", "dir/a b+c.csv"),
            "https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a%20b%2Bc.csv");
  EXPECT_EQ(aws.object_url("my.dotted.bucket", "k"), "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k");
  EXPECT_EQ(aws.object_url("my-bucket", "", "list-type=2"),
            "https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2");
  o.endpoint_url = "127.0.0.1:9000/";
  o.use_ssl = false;
  S3Client local(o, no_env());
  EXPECT_EQ(local.object_url("b", "k/é"), "http://127.0.0.1:9000/b/k/%C3%A9");
  EXPECT_EQ(local.object_url("b", ""), "http://127.0.0.1:9000/b");
}

TEST(S3Xml, ParsesS3DocumentsAndRefusesHostileOnes) {
  auto doc = s3xml::parse(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Contents><Key>a&amp;b "
      "&lt;&#233;&#x263A;"
      "</Key><ETag>&quot;x&quot;</ETag></Contents><s3:Note a='1' b=\"2\"><![CDATA[<raw>]]></s3:Note><Empty/>"
      "</ListBucketResult>");
  EXPECT_EQ(doc.name, "ListBucketResult");
  ASSERT_TRUE(doc.child("Contents"));
  EXPECT_EQ(doc.child("Contents")->child_text("Key"), "a&b <\xC3\xA9\xE2\x98\xBA");
  EXPECT_EQ(doc.child("Contents")->child_text("ETag"), "\"x\"");
  EXPECT_EQ(doc.child_text("Note"), "<raw>");
  EXPECT_TRUE(doc.child("Empty"));
  EXPECT_EQ(s3xml::escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");

  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  const std::vector<std::string> hostile = {
      "",
      "<",
      "<a>",
      "<a></b>",
      "<a>text",
      "<a><b></a></b>",
      "<a/><b/>",
      "<a/>junk",
      "<!DOCTYPE a [<!ENTITY e \"boom\">]><a>&e;</a>",
      "<a>&e;</a>",
      "<a>&#0;</a>",
      "<a>&#xD800;</a>",
      "<a>&#x110000;</a>",
      "<a>&#xZZ;</a>",
      "<a>&amp</a>",
      "<a b='<'/>",
      "<a b=c/>",
      "<a><!-- unterminated </a>",
      "<a><![CDATA[ open </a>",
      "<a><!ELEMENT x></a>",
      "<?xml version='1.0'",
      deep,
      std::string("<a>\0</a", 8),
  };
  for (const auto& h : hostile) EXPECT_THROW(s3xml::parse(h), Error) << h;
  s3xml::Limits small;
  small.max_bytes = 10;
  EXPECT_THROW(s3xml::parse("<a>0123456789</a>", small), Error);
}
