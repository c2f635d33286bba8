// Ctrl-C and SIGTERM during a run. The first signal asks the run to stop cleanly: subscribers
// (the executor interrupts its DuckDB queries, HTTP transfers check requested()) unwind, failed
// steps roll back and abort their outputs, and the summary is written. A second signal exits at
// once, after removing the temporary outputs still registered here.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

namespace sqlflow::interrupt {

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts afterwards, and
// starts a watcher thread that receives them (sigwait), so the reactions run as ordinary code.
// Call it before any other thread exists. Idempotent.
void install();

// Whether a first signal arrived, and which (0 before any).
bool requested();
int signal_number();
// "SIGTERM" after a SIGTERM, else "SIGINT" (for "interrupted by …" messages).
const char* signal_name();

// Runs `f` on the watcher thread when the first signal arrives (at once if one did already).
// The callback stays registered while the returned handle lives.
class Subscription;
std::shared_ptr<Subscription> on_interrupt(std::function<void()> f);

// Temporary outputs (files or folders) to remove if the process must exit at the second signal.
void track_temporary(const std::filesystem::path& path);
void untrack_temporary(const std::filesystem::path& path);

// For tests: behaves as if `sig` had arrived first.
void simulate(int sig);

}  // namespace sqlflow::interrupt
