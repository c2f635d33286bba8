// Runs one `sqlflow` (or other) child process for a benchmark: wall time from fork to exit and the
// child's own peak RSS and CPU time (wait4's rusage), stdout discarded, stderr kept in a log when
// one is named. Shared by the bench drivers.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace sqlflow::bench {

struct ChildRun {
  double seconds = 0;
  long rss_kb = 0;
  double cpu_s = 0;  // user + system time of the child
  int status = -1;   // exit code, or 128 + signal
};

inline ChildRun run_child(const std::vector<std::string>& args, const std::string& cwd,
                          const std::string& stderr_log = {}) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    std::FILE* null = std::freopen("/dev/null", "w", stdout);
    (void)null;
    if (!stderr_log.empty()) {
      std::FILE* err = std::freopen(stderr_log.c_str(), "w", stderr);
      (void)err;
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  ChildRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.rss_kb = ru.ru_maxrss;
  r.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace sqlflow::bench
