// Local copies of S3 objects for DuckDB's readers (its C API has no file-system hook for s3://):
// one file per (bucket, key, ETag), so a re-run reads unchanged objects without a GET and a
// changed object is fetched anew; the least recently used files beyond the size bound are removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "net/s3_client.hpp"

namespace sqlflow::connectors::s3 {

class ObjectCache {
 public:
  ObjectCache(std::filesystem::path dir, std::uint64_t max_bytes);

  // Local paths of `objects` in order, downloading those not cached yet, `workers` at a time
  // (an object alone gets all the workers as parallel ranged GETs). Returns how many were fetched.
  std::size_t fetch(net::S3Client& client, const std::string& bucket,
                    const std::vector<net::S3Object>& objects, std::size_t workers,
                    std::vector<std::filesystem::path>& paths);
  // Removes the least recently used files, other than `keep`, until the cache fits its bound.
  void trim(const std::set<std::filesystem::path>& keep);

  std::filesystem::path path_for(const std::string& bucket, const net::S3Object& object) const;

 private:
  std::filesystem::path dir_;
  std::uint64_t max_bytes_;
};

}  // namespace sqlflow::connectors::s3
