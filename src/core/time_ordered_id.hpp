// Ids that sort by the time they were made: run ids, and the tag a partitioned S3 export puts in
// its file names.
#pragma once

#include <string>

namespace sqlflow {

// "20261205T101500123Z-3f9a": UTC time to the millisecond, then a random suffix, so ids sort by
// creation time and two made in the same millisecond still differ.
std::string time_ordered_id();

}  // namespace sqlflow
