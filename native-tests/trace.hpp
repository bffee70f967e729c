// Traces: a connection's inputs and outputs as text lines, kept in native-tests/traces/ so that the
// WebAssembly build can replay the same inputs and must print the same outputs.
//
//   config ping_interval=10000 ... seed=24301      the Config (every field)
//   > 0 open                                        an input: time, name, arguments
//   > 9 closed 1 1012 1 1 retry-after=50 window=9    a close's reason follows its numbers
//   > 9 error 1 2000                                an error or attempt-failed may end with a
//                                                   Retry-After (ms)
//   < open-socket socket=1 attempt=0 ...            an output, every field named
//   @ 10000                                         poll_timeout() after the input ("never")
#pragma once

#include <string>
#include <vector>

#include "lifeline/connection.hpp"

namespace lifeline::test {

std::string format_number(double v);
std::string format_config(const Config& c);
std::string format_output(const Output& o);

// Parses a config line; false (with `error`) if it is malformed.
bool parse_config(const std::string& line, Config& out, std::string& error);

// Replays a whole trace through a fresh Connection and returns the trace it produces; a faithful
// core returns its input unchanged.
std::string replay(const std::string& trace, std::string& error);

}  // namespace lifeline::test
