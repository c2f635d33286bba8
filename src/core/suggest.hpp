// "Did you mean …?" suggestions for misspelt names (connector types, params, tables).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sqlflow {

// Case-insensitive edit distance.
size_t edit_distance(const std::string& a, const std::string& b);
// The closest candidate within a distance that scales with the word's length, if any.
std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace sqlflow
