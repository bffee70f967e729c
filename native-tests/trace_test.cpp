// The traces kept in native-tests/traces/ replay to themselves: this is the contract the
// WebAssembly build is held to (wasm-tests replay the same files).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "trace.hpp"

namespace lifeline::test {
namespace {

TEST(Traces, EveryKeptTraceReplaysToItself) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LIFELINE_TRACE_DIR)) {
    if (entry.path().extension() != ".trace") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    EXPECT_EQ(replay(text.str(), error), text.str()) << entry.path() << " " << error;
    ++n;
  }
  EXPECT_GE(n, 20) << "scenario and random traces should be kept";
}

TEST(Traces, NumbersPrintAsJavaScriptPrintsThem) {
  EXPECT_EQ(format_number(10000), "10000");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(123.456), "123.456");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(kNever), "never");
}

TEST(Traces, MalformedTracesAreReportedNotCrashedOn) {
  std::string error;
  EXPECT_EQ(replay("nonsense\n", error), "");
  EXPECT_NE(error, "");
  error.clear();
  EXPECT_EQ(replay("config ping_interval=5\n> 0 dance\n", error), "");
  EXPECT_NE(error.find("dance"), std::string::npos);
}

}  // namespace
}  // namespace lifeline::test
