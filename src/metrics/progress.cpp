#include "metrics/progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include "metrics/secrets.hpp"
#include "metrics/terminal.hpp"

namespace sqlflow::metrics {

namespace {

// Escape sequences from ECMA-48: CUU (cursor up), EL 2 (erase line), ED 0 (erase to end of screen).
std::string cursor_up(std::size_t n) {
  return fmt::format("\x1b[{}A", n);
}
constexpr const char* kEraseLine = "\x1b[2K";
constexpr const char* kEraseBelow = "\x1b[J";

// The block of lines on screen; guarded by terminal_mutex(). One progress display at a time.
struct Block {
  const void* owner = nullptr;
  std::ostream* out = nullptr;
  std::size_t lines = 0;
};
Block& block() {
  static Block b;
  return b;
}

// Cuts `s` to `width` terminal columns on a UTF-8 code point boundary.
std::string cut(const std::string& s, std::size_t width) {
  if (width == 0) return s;
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cols == width) return s.substr(0, i);
    ++cols;
  }
  return s;
}

}  // namespace

namespace detail {

std::mutex& terminal_mutex() {
  static std::mutex m;
  return m;
}

void erase_progress_locked() {
  Block& b = block();
  if (!b.out || b.lines == 0) return;
  *b.out << cursor_up(b.lines) << '\r' << kEraseBelow << std::flush;
  b.lines = 0;
}

}  // namespace detail

std::string progress_line(const StepMetrics& step) {
  std::string line = mask_secrets(step.name);
  line += step.connector.empty()
              ? fmt::format(" [{}]", to_string(step.kind))
              : fmt::format(" [{} {}]", to_string(step.kind), mask_secrets(step.connector));
  const auto elapsed = step.elapsed();
  const double secs = static_cast<double>(elapsed.count()) / 1e9;
  const std::uint64_t rows = std::max(step.rows_in.value(), step.rows_out.value());
  const std::uint64_t bytes = step.bytes.value();
  if (rows > 0) {
    line += fmt::format("  {} rows", format_count(rows));
    if (secs > 0.0) line += fmt::format("  {} rows/s", format_count(static_cast<std::uint64_t>(rows / secs)));
  }
  if (bytes > 0) {
    line += "  " + format_bytes(bytes);
    if (secs > 0.0) line += "  " + format_bytes(static_cast<std::uint64_t>(bytes / secs)) + "/s";
  }
  std::optional<double> pct = step.probe_progress();
  if (!pct) {
    if (auto total = step.expected_rows(); total > 0)
      pct = 100.0 * static_cast<double>(rows) / static_cast<double>(total);
    else if (auto total_bytes = step.expected_bytes(); total_bytes > 0)
      pct = 100.0 * static_cast<double>(bytes) / static_cast<double>(total_bytes);
  }
  // A running step is never shown as done: estimates overshoot (e.g. compressed sizes).
  if (pct) line += fmt::format("  {:.0f}%", std::min(*pct, 99.0));
  line += "  " + format_duration(elapsed);
  return line;
}

Progress::Progress(const RunMetrics& run, ProgressOptions options)
    : run_(run),
      options_(options),
      out_(options.out ? *options.out : std::cerr),
      enabled_(options.force || (!options.quiet && ::isatty(options.tty_fd) == 1)) {}

Progress::~Progress() {
  stop();
}

void Progress::start() {
  if (!enabled_ || thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  {
    std::lock_guard term(detail::terminal_mutex());
    block() = Block{this, &out_, 0};
  }
  thread_ = std::thread([this] { run_loop(); });
}

void Progress::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::lock_guard term(detail::terminal_mutex());
  if (block().owner == this) {
    detail::erase_progress_locked();
    block() = Block{};
  }
}

void Progress::run_loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
    lock.unlock();
    draw_frame();
    lock.lock();
  }
}

std::string finished_line(const StepMetrics& step, std::size_t number, std::size_t total) {
  std::string line =
      fmt::format("[{}/{}] {:<7} {}", number, total, to_string(step.status()), mask_secrets(step.name));
  if (step.status() == StepStatus::Ok)
    line += fmt::format("  {} rows", format_count(std::max(step.rows_in.value(), step.rows_out.value())));
  return line + "  " + format_duration(step.elapsed());
}

std::vector<std::string> Progress::render_lines() const {
  std::vector<std::string> lines;
  std::size_t more = 0;
  const auto steps = run_.steps();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const StepMetrics* step = steps[i];
    if (step->status() != StepStatus::Running || step->elapsed() < options_.min_step_age) continue;
    if (lines.size() < options_.max_lines)
      lines.push_back(fmt::format("[{}/{}] ", i + 1, steps.size()) + progress_line(*step));
    else
      ++more;
  }
  if (more) lines.push_back(fmt::format("\u2026 and {} more running", more));
  return lines;
}

std::size_t Progress::line_width() const {
  if (options_.width) return options_.width;
  winsize ws{};
  if (::ioctl(options_.tty_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) return ws.ws_col - 1u;
  return 0;
}

void Progress::draw_frame() {
  // Probes (DuckDB progress) and formatting happen outside the terminal lock.
  std::vector<std::string> lines = render_lines();
  // Steps that finished since the last frame are printed once, above the live lines, and stay.
  std::vector<std::string> done;
  const auto steps = run_.steps();
  reported_.resize(steps.size(), false);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const StepStatus st = steps[i]->status();
    if (reported_[i] || (st != StepStatus::Ok && st != StepStatus::Failed)) continue;
    reported_[i] = true;
    done.push_back(finished_line(*steps[i], i + 1, steps.size()));
  }
  const std::size_t width = line_width();
  std::lock_guard term(detail::terminal_mutex());
  Block& b = block();
  if (b.owner != this) return;
  std::string frame;
  if (b.lines > 0) frame += cursor_up(b.lines);
  frame += '\r';
  for (const auto& line : done) {
    frame += kEraseLine;
    frame += cut(line, width);
    frame += '\n';
  }
  for (const auto& line : lines) {
    frame += kEraseLine;
    frame += cut(line, width);
    frame += '\n';
  }
  if (lines.size() < b.lines) frame += kEraseBelow;
  if (!lines.empty() || !done.empty() || b.lines > 0) out_ << frame << std::flush;
  b.lines = lines.size();
  frames_.fetch_add(1, std::memory_order_release);
}

}  // namespace sqlflow::metrics
