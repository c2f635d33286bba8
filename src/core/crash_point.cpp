#include "core/crash_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sqlflow {

namespace {

struct Target {
  std::string name;
  long hit = 1;
  std::atomic<long> passes{0};
};

Target* target() {
  static Target* t = [] {
    const char* env = std::getenv("SQLFLOW_TEST_CRASH_AT");
    if (!env || !*env) return static_cast<Target*>(nullptr);
    auto* parsed = new Target;  // lives for the process
    std::string spec(env);
    if (auto hash = spec.find('#'); hash != std::string::npos) {
      parsed->hit = std::max(1L, std::strtol(spec.c_str() + hash + 1, nullptr, 10));
      spec.resize(hash);
    }
    parsed->name = spec;
    return parsed;
  }();
  return t;
}

}  // namespace

void crash_point(const char* name) {
  Target* t = target();
  if (!t || t->name != name) return;
  if (t->passes.fetch_add(1) + 1 < t->hit) return;
  static const char msg[] = "sqlflow: SQLFLOW_TEST_CRASH_AT reached, killing the process\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::kill(::getpid(), SIGKILL);
}

}  // namespace sqlflow
