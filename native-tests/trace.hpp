// Traces: a client's inputs and outputs as text lines, kept in native-tests/traces/ so that the
// WebAssembly build can replay the same inputs and must print the same outputs. A trace drives a
// lifeline::Client; with resume=0 that is Connection exactly (and the Sim's traces are
// Connection's).
//
//   config ping_interval=10000 ... seed=24301      the Config (every field)
//   > 0 open                                        an input: time, name, arguments
//   > 9 closed 1 1012 1 1 retry-after=50 window=9    a close's reason follows its numbers
//   > 9 error 1 2000                                an error or attempt-failed may end with a
//                                                   Retry-After (ms)
//   < open-socket socket=1 attempt=0 ...            an output, every field named
//   @ 10000                                         poll_timeout() after the input ("never")
//
// With resume=1 (the session of PROTOCOL.md, ResumeConfig's defaults) there are four more inputs,
// each followed by its result on a `=` line (before the outputs):
//   > 5 send 120           the app sends 120 bytes
//   = write seq=1          ... its SendOutcome and seq (0 when refused)
//   > 6 message 1 10       an application message of 10 bytes arrived on socket 1
//   = ok                   ... kOk: deliver it (ignored, invalid-argument: do not)
//   > 7 control 1 "hello s1 120000"
//                          a text frame that starts with the control prefix arrived on socket 1:
//                          the quoted text is what follows the prefix (see quote_control)
//   = ignored              ... kOk only for an escaped application message
//   > 8 expire             the app ends the session
//   = ok
// and the resume outputs, every field named, the frame's text quoted as above:
//   < send-control socket=1 first=0 last=0 expiry=peer frame="new"
//   < resend socket=1 first=1 last=2 expiry=peer frame=""
// A Connection output with a text to write (resume on: send-ping, send-pong) ends with its frame:
//   < send-ping socket=1 attempt=0 ... to=idle frame="ping 3"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lifeline/client.hpp"
#include "lifeline/connection.hpp"

namespace lifeline::test {

std::string format_number(double v);
std::string format_config(const Config& c);
std::string format_output(const Output& o);
// A Client output's line (a Connection output's is format_output's, plus the frame if any).
std::string format_output(const ClientOutput& o);

// A control text in a trace: the text after kControlPrefix, in double quotes, with `\` and `"`
// escaped by a backslash and every other byte outside printable ASCII as \xHH (U+001F is \x1f).
// A text that does not start with the prefix (never a control frame) is written raw"...", whole.
std::string quote_control(std::string_view text);
// The text quote_control wrote (prefix included) from the start of `in`, which must be the
// opening quote (or raw"); `used` is how many characters it took. False if malformed. (A control
// input reaches the core as the shim hands it: its first Client::kMaxControlText bytes, each
// byte above 0x7f as '?', its whole length as `bytes`: js/contract.js, writeFrame.)
bool unquote_control(std::string_view in, std::string& text, std::size_t& used);

// Parses a config line; false (with `error`) if it is malformed.
bool parse_config(const std::string& line, Config& out, std::string& error);

// Replays a whole trace through a fresh Client and returns the trace it produces; a faithful
// core returns its input unchanged.
std::string replay(const std::string& trace, std::string& error);

// Drives a Client by hand and records its trace (the Sim records a Connection's): each input at
// `now`, with no peer answering by itself.
class ClientRecorder {
 public:
  explicit ClientRecorder(const Config& config);

  Client client;
  Millis now = 0;

  CommandResult open();
  CommandResult close(int code = kCodeNormal);
  CommandResult reconnect();
  CommandResult opened(SocketId id);
  CommandResult activity(SocketId id);
  CommandResult pong(SocketId id);
  CommandResult server_ping(SocketId id);
  CommandResult error(SocketId id, Millis retry_after = Connection::kNoHint);
  CommandResult attempt_failed(SocketId id, Millis retry_after = Connection::kNoHint);
  CommandResult closed(SocketId id, int code, bool was_clean = false, bool reconnect_allowed = true,
                       const std::string& reason = "");
  CommandResult network(bool online);
  CommandResult foreground(bool shown);
  CommandResult timeout();
  Sent send(std::uint64_t bytes);
  CommandResult message(SocketId id, std::uint64_t bytes);
  // `body`: the text after kControlPrefix (as the server wrote it).
  CommandResult control(SocketId id, std::string_view body);
  CommandResult expire();

  // Moves time to `t`, calling timeout() at each deadline that falls due on the way.
  void run_until(Millis t);
  void advance(Millis dt) { run_until(now + dt); }

  // The output lines (format_output) since the last take().
  std::vector<std::string> take();
  const std::string& trace() const { return trace_; }

 private:
  void input(const std::string& line, const std::string& result = {});

  std::string trace_;
  std::vector<std::string> outputs_;
  std::size_t taken_ = 0;
};

}  // namespace lifeline::test
