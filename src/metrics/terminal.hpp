// Internal: keeps the progress block and log lines from interleaving on stderr. Whoever writes
// to the terminal holds terminal_mutex(); a log writer first erases the progress lines, which the
// progress thread redraws on its next tick.
#pragma once

#include <mutex>

namespace sqlflow::metrics::detail {

std::mutex& terminal_mutex();
// Erases the lines the active progress display has drawn (no-op if none). Call with
// terminal_mutex() held.
void erase_progress_locked();

}  // namespace sqlflow::metrics::detail
