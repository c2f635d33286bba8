#include "resilience/profiles.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace sqlflow::resilience {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// The defaults table. SQLFlow (Python) resilience_profiles.py gave the starting values; the
// rate limits were corrected against each API's documented quota:
// - Google Sheets API "Usage limits": 300 read requests/min per project and 60 per minute per
//   user per project, refilled every minute. We run as one user (service account), so 55/min
//   with a burst of 5 keeps any 60-second window at or under 60. SQLFlow's 100 rpm would
//   exceed it. Google asks for truncated exponential backoff up to 64 s on 429.
// - Shopify REST Admin API "rate limits": leaky bucket of 40 requests per app and store, leaking
//   2 requests/second on standard plans (120/min). SQLFlow's 2400 rpm burst 20 would be throttled
//   at once. The bucket follows X-Shopify-Shop-Api-Call-Limit, so larger plans (Plus: 400/20 per s)
//   get their bucket size from the server.
// - Generic REST: an unknown API has no known quota, so no client-side limit (SQLFlow's 60/min
//   burst 10 made 16 parallel requests fetch one page per second). Servers still slow us through
//   Retry-After, 429/503 and RateLimit-* / X-RateLimit-* headers (rate_limit.server_driven); a
//   "rate_limit" block (or the REST source's rate_limit_rpm) turns the bucket on.
// - Amazon S3: at least 3,500 PUT/COPY/POST/DELETE and 5,500 GET/HEAD requests per second per
//   partitioned prefix; SQLFlow's 100 rpm would cap a listing-heavy load 2000× below that. We limit
//   to 3,500/s and rely on 503 SlowDown + backoff; retries follow the AWS SDKs' standard mode
//   (3 attempts, backoff capped at 20 s).
struct ProfileRow {
  const char* name;
  std::vector<const char*> aliases;
  int attempts;
  double initial_s;
  double max_s;
  bool breaker;
  int failure_threshold;
  double recovery_s;
  bool rate_limit;
  double rpm;
  double burst;
};

const std::vector<ProfileRow>& table() {
  static const std::vector<ProfileRow> rows = {
      //  name            aliases                                   att init  max   brk  thr  rec   rl     rpm
      //  burst
      {"rest", {"http", "https", "api"}, 3, 1.0, 30.0, true, 5, 60.0, false, 0, 0},
      {"s3", {"minio"}, 3, 1.0, 20.0, true, 3, 30.0, true, 210000, 350},
      {"postgres", {"postgresql", "pg"}, 3, 0.5, 10.0, true, 3, 30.0, false, 0, 0},
      {"file",
       {"files", "csv", "parquet", "json", "jsonl", "ndjson", "tsv", "local"},
       2,
       0.1,
       1.0,
       false,
       0,
       0,
       false,
       0,
       0},
      {"google_sheets", {"gsheets", "sheets", "googlesheets"}, 5, 1.0, 64.0, true, 5, 60.0, true, 55, 5},
      {"shopify", {}, 3, 1.0, 30.0, true, 5, 60.0, true, 120, 40},
      {"memory", {"in_memory", "generate"}, 1, 0.0, 0.0, false, 0, 0, false, 0, 0},
  };
  return rows;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Duration secs(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

double to_seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

ResilienceOptions from_row(const ProfileRow& r) {
  ResilienceOptions o;
  o.retry.max_attempts = r.attempts;
  o.retry.initial_delay = secs(r.initial_s);
  o.retry.max_delay = secs(r.max_s);
  o.circuit_breaker.enabled = r.breaker;
  if (r.breaker) {
    o.circuit_breaker.failure_threshold = r.failure_threshold;
    o.circuit_breaker.recovery_timeout = secs(r.recovery_s);
  }
  o.rate_limit.enabled = r.rate_limit;
  if (r.rate_limit) {
    o.rate_limit.requests_per_minute = r.rpm;
    o.rate_limit.burst = r.burst;
  }
  return o;
}

const char* json_type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "a list";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

Error bad_value(const std::string& key, const std::string& expected, const json& got) {
  std::string shown = got.is_string() ? got.get<std::string>() : got.dump();
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  return validation_error(key + " must be " + expected + ", got " + json_type_name(got) + " " + shown);
}

int get_int(const json& v, const std::string& key, int min) {
  if (!v.is_number_integer() && !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))
    throw bad_value(key, "an integer", v);
  double d = v.get<double>();
  if (d < min || d > 1'000'000)
    throw bad_value(key, "an integer from " + std::to_string(min) + " to 1000000", v);
  return static_cast<int>(d);
}

double get_number(const json& v, const std::string& key, double min, bool exclusive) {
  if (!v.is_number()) throw bad_value(key, "a number", v);
  double d = v.get<double>();
  if (!std::isfinite(d) || (exclusive ? d <= min : d < min)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "a number %s %g", exclusive ? ">" : ">=", min);
    throw bad_value(key, buf, v);
  }
  return d;
}

bool get_bool(const json& v, const std::string& key) {
  if (!v.is_boolean()) throw bad_value(key, "true or false", v);
  return v.get<bool>();
}

std::string get_choice(const json& v, const std::string& key, const std::vector<std::string>& choices) {
  if (!v.is_string())
    throw bad_value(
        key,
        "one of " +
            [&] {
              std::string s;
              for (auto& c : choices) s += (s.empty() ? "\"" : ", \"") + c + "\"";
              return s;
            }(),
        v);
  std::string s = lower(v.get<std::string>());
  if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
    std::string list;
    for (auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
    throw validation_error(key + " must be one of " + list + ", got \"" + v.get<std::string>() + "\"" +
                           did_you_mean(s, choices));
  }
  return s;
}

// One overridable key: its canonical name, aliases (Python SQLFlow's), and how to apply it.
struct KeySpec {
  std::string name;
  std::vector<std::string> aliases;
  std::function<void(ResilienceOptions&, const json&, const std::string& key)> apply;
};

const std::map<std::string, std::vector<KeySpec>>& key_table() {
  static const std::map<std::string, std::vector<KeySpec>> t = {
      {"retry",
       {
           {"max_attempts",
            {"max_retries_total"},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.retry.max_attempts = get_int(v, k, 1);
            }},
           {"initial_delay",
            {"base_delay"},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.retry.initial_delay = parse_duration(v, k);
            }},
           {"max_delay",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.retry.max_delay = parse_duration(v, k);
            }},
           {"multiplier",
            {"backoff_multiplier"},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.retry.multiplier = get_number(v, k, 1.0, false);
            }},
           {"jitter",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.retry.jitter = get_bool(v, k);
            }},
           {"total_budget",
            {"max_total_time"},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.retry.total_budget = parse_duration(v, k);
            }},
           {"max_retry_after",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.retry.max_retry_after = parse_duration(v, k);
            }},
       }},
      {"circuit_breaker",
       {
           {"enabled",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.circuit_breaker.enabled = get_bool(v, k);
            }},
           {"failure_threshold",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.circuit_breaker.failure_threshold = get_int(v, k, 1);
            }},
           {"recovery_timeout",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.circuit_breaker.recovery_timeout = parse_duration(v, k);
            }},
           {"success_threshold",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.circuit_breaker.success_threshold = get_int(v, k, 1);
            }},
       }},
      {"rate_limit",
       {
           {"enabled",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.rate_limit.enabled = get_bool(v, k);
            }},
           {"requests_per_minute",
            {"max_requests_per_minute", "rpm"},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.rate_limit.requests_per_minute = get_number(v, k, 0, true);
            }},
           {"burst",
            {"burst_size"},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.rate_limit.burst = get_number(v, k, 1, false);
            }},
           {"on_limit",
            {"backpressure_strategy"},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              // Python SQLFlow: "wait" | "drop" | "queue"; "drop" fails the request, "queue" waits.
              auto c = get_choice(v, k, {"wait", "fail", "drop", "queue"});
              o.rate_limit.on_limit = (c == "fail" || c == "drop") ? RateLimitOptions::OnLimit::Fail
                                                                   : RateLimitOptions::OnLimit::Wait;
            }},
           {"per",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.rate_limit.per = get_choice(v, k, {"host", "api_key"}) == "host"
                                     ? RateLimitOptions::Scope::Host
                                     : RateLimitOptions::Scope::ApiKey;
            }},
           {"per_host",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.rate_limit.per =
                  get_bool(v, k) ? RateLimitOptions::Scope::Host : RateLimitOptions::Scope::ApiKey;
            }},
           {"server_driven",
            {},
            [](ResilienceOptions& o, const json& v, const std::string& k) {
              o.rate_limit.server_driven = get_bool(v, k);
            }},
       }},
  };
  return t;
}

const ProfileRow* find_row(std::string_view type) {
  std::string t = lower(type);
  for (const auto& r : table()) {
    if (t == r.name) return &r;
    for (const char* a : r.aliases)
      if (t == a) return &r;
  }
  return nullptr;
}

}  // namespace

void RateLimitOptions::validate() const {
  if (!enabled) return;
  if (!(requests_per_minute > 0) || !std::isfinite(requests_per_minute))
    throw validation_error("resilience.rate_limit.requests_per_minute must be a positive number");
  if (!(burst >= 1) || !std::isfinite(burst))
    throw validation_error("resilience.rate_limit.burst must be at least 1");
}

void ResilienceOptions::validate() const {
  retry.validate();
  if (circuit_breaker.enabled) circuit_breaker.validate();
  rate_limit.validate();
}

json ResilienceOptions::to_json() const {
  json j;
  j["retry"] = {{"max_attempts", retry.max_attempts},
                {"initial_delay", to_seconds(retry.initial_delay)},
                {"max_delay", to_seconds(retry.max_delay)},
                {"multiplier", retry.multiplier},
                {"jitter", retry.jitter},
                {"total_budget", to_seconds(retry.total_budget)},
                {"max_retry_after", to_seconds(retry.max_retry_after)}};
  j["circuit_breaker"] = {{"enabled", circuit_breaker.enabled},
                          {"failure_threshold", circuit_breaker.failure_threshold},
                          {"recovery_timeout", to_seconds(circuit_breaker.recovery_timeout)},
                          {"success_threshold", circuit_breaker.success_threshold}};
  j["rate_limit"] = {{"enabled", rate_limit.enabled},
                     {"requests_per_minute", rate_limit.requests_per_minute},
                     {"burst", rate_limit.burst},
                     {"on_limit", rate_limit.on_limit == RateLimitOptions::OnLimit::Wait ? "wait" : "fail"},
                     {"per", rate_limit.per == RateLimitOptions::Scope::Host ? "host" : "api_key"},
                     {"server_driven", rate_limit.server_driven}};
  return j;
}

ResilienceOptions default_profile(std::string_view connector_type) {
  if (const ProfileRow* r = find_row(connector_type)) return from_row(*r);
  ResilienceOptions o = from_row(table().front());
  o.rate_limit.enabled = false;
  return o;
}

std::vector<std::string> profile_names() {
  std::vector<std::string> out;
  for (const auto& r : table()) out.emplace_back(r.name);
  return out;
}

Duration parse_duration(const json& v, const std::string& what) {
  if (v.is_number()) {
    double s = v.get<double>();
    if (!std::isfinite(s) || s < 0 || s > 86400.0 * 365)
      throw bad_value(what, "a non-negative duration in seconds", v);
    return secs(s);
  }
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    std::string num = s.substr(0, i), unit = lower(s.substr(i));
    while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    double value = 0;
    bool ok = !num.empty();
    if (ok) {
      char* end = nullptr;
      value = std::strtod(num.c_str(), &end);
      ok = end == num.c_str() + num.size() && std::isfinite(value);
    }
    double scale = 0;
    if (unit == "ms")
      scale = 1e-3;
    else if (unit == "s" || unit == "sec" || unit.empty())
      scale = 1;
    else if (unit == "m" || unit == "min")
      scale = 60;
    else if (unit == "h")
      scale = 3600;
    if (ok && scale > 0 && value * scale <= 86400.0 * 365) return secs(value * scale);
  }
  throw bad_value(what, "a duration (seconds as a number, or a string like \"250ms\", \"1.5s\", \"2m\")", v);
}

ResilienceOptions apply_overrides(ResilienceOptions base, const json& overrides, const std::string& context) {
  if (overrides.is_null()) return base;
  if (!overrides.is_object())
    throw bad_value(context, "an object like {\"retry\": {\"max_attempts\": 5}}", overrides);
  const auto& keys = key_table();
  std::vector<std::string> sections;
  for (const auto& [name, _] : keys) sections.push_back(name);
  for (const auto& [section, value] : overrides.items()) {
    std::string skey = context + "." + section;
    auto it = keys.find(section);
    if (it == keys.end())
      throw validation_error("unknown key '" + section + "' in " + context + did_you_mean(section, sections),
                             "valid keys: retry, circuit_breaker, rate_limit");
    if (value.is_boolean() && !value.get<bool>()) {
      // "rate_limit": false switches that part off.
      if (section == "retry") base.retry.max_attempts = 1;
      if (section == "circuit_breaker") base.circuit_breaker.enabled = false;
      if (section == "rate_limit") base.rate_limit.enabled = false;
      continue;
    }
    if (!value.is_object()) throw bad_value(skey, "an object (or false to switch it off)", value);
    std::vector<std::string> names;
    for (const auto& k : it->second) names.push_back(k.name);
    // A rate_limit block given for a type without a default limit turns it on — unless all it says
    // is whether to follow the server's signals, which works without the bucket.
    if (section == "rate_limit" && !value.contains("enabled") &&
        !(value.size() == 1 && value.contains("server_driven")))
      base.rate_limit.enabled = true;
    if (section == "circuit_breaker" && !value.contains("enabled")) base.circuit_breaker.enabled = true;
    for (const auto& [key, v] : value.items()) {
      const KeySpec* spec = nullptr;
      for (const auto& k : it->second) {
        if (k.name == key || std::find(k.aliases.begin(), k.aliases.end(), key) != k.aliases.end()) spec = &k;
      }
      if (!spec) {
        std::string valid;
        for (auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
        throw validation_error("unknown key '" + key + "' in " + skey + did_you_mean(key, names),
                               "valid keys: " + valid);
      }
      spec->apply(base, v, skey + "." + spec->name);
    }
  }
  try {
    base.validate();
  } catch (const Error& e) {
    // Re-word "resilience.x" as the user's context ("PARAMS resilience.x").
    std::string msg = e.message();
    if (msg.rfind("resilience.", 0) == 0) msg = context + msg.substr(std::string("resilience").size());
    throw validation_error(msg, e.hint());
  }
  return base;
}

ResiliencePolicy make_policy(const std::string& connector_type, const json& overrides) {
  return make_policy(connector_type, overrides, steady_clock());
}

ResiliencePolicy make_policy(const std::string& connector_type, const json& overrides, Clock& clock,
                             const std::string& context) {
  return ResiliencePolicy(apply_overrides(default_profile(connector_type), overrides, context), clock);
}

std::vector<OptionDoc> describe_options(std::string_view connector_type) {
  json d = default_profile(connector_type).to_json();
  return {
      {"retry.max_attempts", "int", d["retry"]["max_attempts"],
       "attempts in total, the first included (1: no retry)"},
      {"retry.initial_delay", "duration", d["retry"]["initial_delay"], "ceiling of the first retry's delay"},
      {"retry.max_delay", "duration", d["retry"]["max_delay"], "ceiling of any retry's delay"},
      {"retry.multiplier", "number", d["retry"]["multiplier"], "growth of the delay ceiling per retry"},
      {"retry.jitter", "bool", d["retry"]["jitter"], "full jitter: wait a random time below the ceiling"},
      {"retry.total_budget", "duration", d["retry"]["total_budget"],
       "no new attempt after this long (0: none)"},
      {"retry.max_retry_after", "duration", d["retry"]["max_retry_after"],
       "fail instead of waiting when a server asks for longer (Retry-After)"},
      {"circuit_breaker.enabled", "bool", d["circuit_breaker"]["enabled"],
       "fail fast while an endpoint keeps failing"},
      {"circuit_breaker.failure_threshold", "int", d["circuit_breaker"]["failure_threshold"],
       "consecutive failures that open the breaker"},
      {"circuit_breaker.recovery_timeout", "duration", d["circuit_breaker"]["recovery_timeout"],
       "how long it stays open before a probe request"},
      {"circuit_breaker.success_threshold", "int", d["circuit_breaker"]["success_threshold"],
       "probe successes that close it again"},
      {"rate_limit.enabled", "bool", d["rate_limit"]["enabled"], "client-side token bucket"},
      {"rate_limit.requests_per_minute", "number", d["rate_limit"]["requests_per_minute"],
       "sustained rate, while the bucket is on (a rate_limit block turns it on)"},
      {"rate_limit.burst", "number", d["rate_limit"]["burst"], "requests that may go at once after idling"},
      {"rate_limit.on_limit", "string", d["rate_limit"]["on_limit"],
       "\"wait\" for a slot or \"fail\" at once"},
      {"rate_limit.per", "string", d["rate_limit"]["per"], "one bucket per \"host\" or per \"api_key\""},
      {"rate_limit.server_driven", "bool", d["rate_limit"]["server_driven"],
       "follow Retry-After and RateLimit-* / X-RateLimit-* headers, with or without the bucket"},
  };
}

std::string describe_param_doc(std::string_view connector_type) {
  ResilienceOptions o = default_profile(connector_type);
  char buf[320];
  std::string brk = o.circuit_breaker.enabled
                        ? std::to_string(o.circuit_breaker.failure_threshold) + " failures/" +
                              format_duration(o.circuit_breaker.recovery_timeout)
                        : "off";
  std::string rl = "off";
  if (o.rate_limit.enabled) {
    char r[64];
    std::snprintf(r, sizeof r, "%g/min burst %g", o.rate_limit.requests_per_minute, o.rate_limit.burst);
    rl = r;
  }
  std::snprintf(
      buf, sizeof buf,
      "overrides of retry {max_attempts, initial_delay, max_delay, ...}, circuit_breaker {...}, rate_limit "
      "{...}; defaults: retry %d attempts %s→%s, breaker %s, rate limit %s",
      o.retry.max_attempts, format_duration(o.retry.initial_delay).c_str(),
      format_duration(o.retry.max_delay).c_str(), brk.c_str(), rl.c_str());
  return buf;
}

}  // namespace sqlflow::resilience
