// Checks on outputs rendered one per line (the client tests' and the trace tests'): whether a line
// is there, and all of them for a failure message.
#pragma once

#include <string>
#include <vector>

namespace lifeline::test {

inline bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  for (const auto& l : lines) {
    if (l == line) return true;
  }
  return false;
}

inline bool has_prefix(const std::vector<std::string>& lines, const std::string& start) {
  for (const auto& l : lines) {
    if (l.rfind(start, 0) == 0) return true;
  }
  return false;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines)
    s += l + "\n";
  return s;
}

}  // namespace lifeline::test
