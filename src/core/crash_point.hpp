// Test-only crash points: with SQLFLOW_TEST_CRASH_AT=NAME[#N] in the environment, the process
// kills itself with SIGKILL the N-th time (default: first) it passes crash_point("NAME"). The
// crash tests (tests/integration/crash_test.cpp) use it to stop a run exactly at each commit
// boundary and prove that a re-run leaves every row exactly once. Unset, a call costs one load.
#pragma once

namespace sqlflow {

void crash_point(const char* name);

}  // namespace sqlflow
