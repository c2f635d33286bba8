#include "core/interrupt.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <list>
#include <mutex>
#include <set>
#include <thread>

namespace sqlflow::interrupt {

class Subscription {
 public:
  explicit Subscription(std::function<void()> f) : f_(std::move(f)) {}
  std::function<void()> f_;
};

namespace {

std::atomic<int> g_signal{0};
std::mutex g_mutex;
std::list<std::weak_ptr<Subscription>> g_subscribers;
std::set<std::filesystem::path> g_temporaries;

void first_signal(int sig) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, sig)) return;
  std::list<std::shared_ptr<Subscription>> live;
  {
    std::lock_guard lock(g_mutex);
    for (auto& w : g_subscribers)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->f_();
}

[[noreturn]] void second_signal(int sig) {
  {
    std::lock_guard lock(g_mutex);
    for (const auto& p : g_temporaries) {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  }
  const char msg[] = "sqlflow: second interrupt, exiting now (temporary outputs removed)\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(128 + sig);
}

void watch(sigset_t set) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (g_signal.load() == 0) {
      // The reactions run on their own thread so that a second signal is still received while
      // they wait (e.g. for a query to notice the interrupt).
      std::thread(first_signal, sig).detach();
    } else {
      second_signal(sig);
    }
  }
}

}  // namespace

void install() {
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(watch, set).detach();
  });
}

bool requested() {
  return g_signal.load(std::memory_order_relaxed) != 0;
}
int signal_number() {
  return g_signal.load(std::memory_order_relaxed);
}

const char* signal_name() {
  return signal_number() == SIGTERM ? "SIGTERM" : "SIGINT";
}

std::shared_ptr<Subscription> on_interrupt(std::function<void()> f) {
  auto s = std::make_shared<Subscription>(std::move(f));
  {
    std::lock_guard lock(g_mutex);
    g_subscribers.remove_if([](const auto& w) { return w.expired(); });
    g_subscribers.push_back(s);
  }
  if (requested()) s->f_();
  return s;
}

void track_temporary(const std::filesystem::path& path) {
  std::lock_guard lock(g_mutex);
  g_temporaries.insert(path);
}

void untrack_temporary(const std::filesystem::path& path) {
  std::lock_guard lock(g_mutex);
  g_temporaries.erase(path);
}

void simulate(int sig) {
  first_signal(sig);
}

}  // namespace sqlflow::interrupt
