// What the libFuzzer targets share: reading a fuzz input byte by byte, the trace switch, and the
// survey mode. LIFELINE_FUZZ_TRACE=1 prints every step of a replayed input;
// LIFELINE_FUZZ_SURVEY=DIR (or 1 for the current directory): a broken rule does not stop the
// fuzzer; each distinct one is printed once, its first input saved as DIR/survey-N, and the counts
// printed at exit. Lists every rule a core breaks in one run, e.g. with -runs=1000000.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace lifeline::fuzz {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  std::uint8_t next() { return at_ < size_ ? data_[at_++] : 0; }
  std::uint32_t next32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v = (v << 8) | next();
    return v;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

inline bool trace_on() {
  static const bool on = std::getenv("LIFELINE_FUZZ_TRACE") != nullptr;
  return on;
}

struct Broken {};
struct Survey {
  explicit Survey(const char* program) : program(program) {}
  const char* program;  // in messages: "lifeline_fuzz", "lifeline_fuzz_client"
  const char* dir = std::getenv("LIFELINE_FUZZ_SURVEY");
  bool on = dir != nullptr;
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::vector<std::pair<const char*, std::uint64_t>> seen;
  // True the first time `what` breaks (the caller prints it).
  bool first(const char* what) {
    for (auto& [w, n] : seen) {
      if (std::strcmp(w, what) == 0) {
        ++n;
        return false;
      }
    }
    return true;
  }
  [[noreturn]] void record(const char* what) {
    seen.emplace_back(what, 1);
    char name[4096];
    std::snprintf(name, sizeof name, "%s/survey-%zu", std::strcmp(dir, "1") == 0 ? "." : dir,
                  seen.size());
    if (FILE* f = std::fopen(name, "wb")) {
      std::fwrite(data, 1, size, f);
      std::fclose(f);
    }
    std::fprintf(stderr, "%s: (survey) saved as %s; going on\n", program, name);
    throw Broken{};
  }
  ~Survey() {
    if (!on) return;
    std::fprintf(stderr, "%s: survey: %zu distinct rules broken\n", program, seen.size());
    for (std::size_t i = 0; i < seen.size(); ++i)
      std::fprintf(stderr, "  survey-%zu  %llu times  %s\n", i + 1,
                   static_cast<unsigned long long>(seen[i].second), seen[i].first);
  }
};

}  // namespace lifeline::fuzz
