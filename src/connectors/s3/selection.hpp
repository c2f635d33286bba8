// Which listed objects a LOAD reads: the key glob and hive partition filter applied to the
// listing, dev sampling, then the cost guards — all before a single byte is downloaded.
#pragma once

#include <string>
#include <vector>

#include "connectors/s3/options.hpp"
#include "net/s3_client.hpp"

namespace sqlflow::connectors::s3 {

// The listing prefix for a key that may hold a glob: everything before the first *, ? or [.
std::string list_prefix(const SourceOptions& o);

// The objects to read, in key order: match_objects, then sample_and_guard. Throws a validation
// Error naming the guard and by how much the listing exceeds it.
std::vector<net::S3Object> select_objects(const SourceOptions& o, std::vector<net::S3Object> listed);

// The listed objects the key (or its glob) and the partition_filter select, in key order; a
// validation Error when none does.
std::vector<net::S3Object> match_objects(const SourceOptions& o, std::vector<net::S3Object> listed);
// dev_sampling and dev_max_files applied to `objects`, then the cost guards checked. `which` follows
// the count in a guard's message (e.g. " newer than the watermark").
std::vector<net::S3Object> sample_and_guard(const SourceOptions& o, std::vector<net::S3Object> objects,
                                            const std::string& which = {});

// S3 standard pricing used by cost_limit_usd: GET requests and data transfer out to the internet
// (us-east-1, first 10 TB tier), a deliberate overestimate inside AWS where transfer is free.
double estimated_cost_usd(std::size_t objects, std::uint64_t bytes);

}  // namespace sqlflow::connectors::s3
