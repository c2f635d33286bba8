// Live progress on a terminal: a thread that redraws, at ~10 Hz, one line per running step
// ("[3/8]", rows, rows/s, bytes, MB/s, percentage when known, elapsed) on stderr, and prints each
// finished step once as it finishes. Silent when stderr is not a
// terminal or with --quiet; it only reads the counters, so the data path pays nothing for it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "metrics/run_metrics.hpp"

namespace sqlflow::metrics {

struct ProgressOptions {
  bool quiet = false;           // --quiet: never draw
  bool force = false;           // draw even when tty_fd is not a terminal (tests)
  std::ostream* out = nullptr;  // where to draw; nullptr = std::cerr
  int tty_fd = 2;               // the descriptor whose isatty() decides, unless forced
  std::chrono::milliseconds interval{100};
  // A step appears once it has run this long, so short steps don't flicker.
  std::chrono::milliseconds min_step_age{300};
  // Lines are cut to this many columns so they never wrap (wrapping would break the redraw);
  // 0 = the width of the terminal on tty_fd, or no limit if it has none.
  std::size_t width = 0;
  std::size_t max_lines = 8;  // further running steps are summed up in one "… and N more" line
};

class Progress {
 public:
  // `run` must outlive the Progress. Nothing is drawn before start().
  explicit Progress(const RunMetrics& run, ProgressOptions options = {});
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Whether start() will draw anything: forced, or tty_fd is a terminal and not quiet.
  bool enabled() const { return enabled_; }
  // Starts the drawing thread when enabled; otherwise does nothing. Idempotent.
  void start();
  // Stops the thread and erases the lines it drew, so what follows (the summary) starts on a
  // clean line. Idempotent; safe without start(); called by the destructor.
  void stop();

  // The lines a frame would draw now, without escape codes or width cut. Calls the steps'
  // progress probes.
  std::vector<std::string> render_lines() const;
  // Frames drawn so far (lets tests wait for output without sleeping on a guess).
  std::uint64_t frames() const { return frames_.load(std::memory_order_acquire); }

 private:
  void run_loop();
  void draw_frame();
  std::size_t line_width() const;

  const RunMetrics& run_;
  ProgressOptions options_;
  std::ostream& out_;
  bool enabled_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<std::uint64_t> frames_{0};
  std::vector<bool> reported_;  // steps whose finished line was printed (drawing thread only)
};

// The line a finished step leaves on the terminal: "[2/8] ok      load_orders  1,234 rows  3.2 s".
std::string finished_line(const StepMetrics& step, std::size_t number, std::size_t total);

// One progress line for a step (no escapes), as Progress draws it after its "[3/8] " counter:
// "load_orders [load csv]  1,234,567 rows  412,345 rows/s  120.3 MiB  45%  3.2 s"
std::string progress_line(const StepMetrics& step);

}  // namespace sqlflow::metrics
