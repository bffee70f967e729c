// The traces kept in native-tests/traces/ replay to themselves: this is the contract the
// WebAssembly build is held to (wasm-tests replay the same files).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lines.hpp"
#include "sim.hpp"
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

TEST(Traces, ControlTextsQuoteAndUnquoteExactly) {
  const std::string esc = std::string(kEscapePrefix) + std::string(kControlPrefix) + "a \"b\" \\c";
  EXPECT_EQ(quote_control(esc), R"("esc \x1fll:a \"b\" \\c")");
  EXPECT_EQ(quote_control(std::string(kControlPrefix) + "hello s1 120000"), "\"hello s1 120000\"");
  EXPECT_EQ(quote_control("plain"), "raw\"plain\"");
  for (const std::string& text : {esc, std::string("raw"), std::string(kControlPrefix),
                                  std::string(kControlPrefix) + "\x80\x01\x7f"}) {
    std::string back;
    std::size_t used = 0;
    const std::string quoted = quote_control(text) + " rest";
    ASSERT_TRUE(unquote_control(quoted, back, used)) << quoted;
    EXPECT_EQ(back, text);
    EXPECT_EQ(quoted.substr(used), " rest");
  }
  std::string back;
  std::size_t used = 0;
  EXPECT_FALSE(unquote_control("\"open", back, used));
  EXPECT_FALSE(unquote_control("\"bad \\q\"", back, used));
  EXPECT_FALSE(unquote_control("\"bad \\x1\"", back, used));
  EXPECT_FALSE(unquote_control("new", back, used));
}

TEST(Traces, MalformedResumeInputsAreReported) {
  std::string error;
  EXPECT_EQ(replay("config resume=1\n> 0 control 1 \"new\n", error), "");
  EXPECT_NE(error.find("malformed control"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(replay("config resume=1\n> 0 control 1\n", error), "");
  EXPECT_NE(error.find("malformed control"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(replay("config resume=1\n> 0 control 1 \"new\" x\n", error), "");
  EXPECT_NE(error.find("malformed control"), std::string::npos) << error;
}

// A Client with resume off is Connection exactly: the same inputs give the Sim's trace.
TEST(Traces, AClientWithResumeOffRecordsTheConnectionsTrace) {
  Config c = fixed_delays();
  Sim sim(c);
  ClientRecorder rec(c);
  auto both = [&](auto f) {
    f(sim);
    f(rec);
  };
  both([](auto& x) { x.open(); });
  both([](auto& x) {
    x.now = 50;
    x.opened(1);
  });
  both([](auto& x) {
    x.now = 10050;
    x.timeout();
  });
  both([](auto& x) {
    x.now = 10090;
    x.pong(1);
  });
  both([](auto& x) {
    x.now = 12000;
    x.closed(1, 1012, true, true, "retry-after=50 window=9");
  });
  both([](auto& x) {
    x.now = 12050;
    x.timeout();
  });
  both([](auto& x) {
    x.now = 12100;
    x.error(2, 3000);
  });
  both([](auto& x) { x.close(); });
  EXPECT_EQ(rec.trace(), sim.trace());
  std::string error;
  EXPECT_EQ(replay(rec.trace(), error), rec.trace()) << error;
}

// --- resume traces (Config::resume): the session's inputs and outputs, replayed by the WASM
// build too (wasm-tests/replay.test.mjs) ---

Config resume_config() {
  Config c = fixed_delays();
  c.resume = true;
  return c;
}

// Messages sent before the session exists wait (held, numbered) until hello, then go in order;
// what arrives is counted, the ping carries the count and its pong releases.
TEST(ResumeTraces, FirstConnectHoldsUntilHelloThenResends) {
  ClientRecorder r(resume_config());
  r.open();
  EXPECT_EQ(r.send(100).outcome, SendOutcome::kHold);
  r.now = 50;
  r.opened(1);
  EXPECT_TRUE(
      has_prefix(r.take(), R"(< send-control socket=1 first=0 last=0 expiry=peer frame="new")"));
  r.now = 60;
  const Sent held = r.send(200);
  EXPECT_EQ(held.outcome, SendOutcome::kHold);
  EXPECT_EQ(held.seq, 2u);
  r.now = 90;
  r.control(1, "hello s1 120000");
  auto out = r.take();
  EXPECT_TRUE(has_prefix(out, "< session socket=1")) << joined(out);
  EXPECT_TRUE(has_prefix(out, "< resend socket=1 first=1 last=2")) << joined(out);
  r.now = 100;
  const Sent written = r.send(300);
  EXPECT_EQ(written.outcome, SendOutcome::kWrite);
  EXPECT_EQ(written.seq, 3u);
  r.now = 110;
  EXPECT_EQ(r.send(2 * 1024 * 1024).outcome, SendOutcome::kFull);
  r.now = 120;
  EXPECT_EQ(r.message(1, 10), CommandResult::kOk);
  r.now = 130;
  EXPECT_EQ(r.control(1, "esc \x1fll:looks like a frame"), CommandResult::kOk);
  r.now = 140;
  EXPECT_EQ(r.control(1, "hint 5"), CommandResult::kIgnored);  // a later version's verb
  r.run_until(10140);
  out = r.take();
  EXPECT_TRUE(has_prefix(out, R"(< send-ping socket=1)")) << joined(out);
  EXPECT_NE(joined(out).find(R"(frame="ping 2")"), std::string::npos) << joined(out);
  r.now = 10180;
  r.control(1, "pong 3");
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< release socket=1 first=1 last=3")) << joined(out);
  EXPECT_TRUE(has_prefix(out, "< heartbeat socket=1")) << joined(out);
  r.now = 11000;
  r.close();
  r.now = 11040;
  r.closed(1, kCodeNormal, true, true);
  expect_trace(r.trace(), "resume_first_connect");
}

// A dead link (the ping unanswered), messages sent while away, and a resume: the client resends
// what the server lacks, the server what the client lacks; the server's ping is answered by the
// session and the client's next pong releases the rest. Jittered delays, from the seed.
TEST(ResumeTraces, DeadLinkThenResumeResendsBothWays) {
  Config c = resume_config();
  c.jitter = 0.5;
  c.seed = 7;
  ClientRecorder r(c);
  r.open();
  r.now = 50;
  r.opened(1);
  r.now = 90;
  r.control(1, "hello s1 120000");
  for (int i = 0; i < 3; ++i) {
    r.now += 10;
    EXPECT_EQ(r.send(10 + i).outcome, SendOutcome::kWrite);
  }
  r.now = 200;
  r.message(1, 50);
  r.now = 210;
  r.message(1, 60);
  r.run_until(20210);  // ping at 10210, no pong: dead at 20210
  auto out = r.take();
  EXPECT_TRUE(has_prefix(out, "< close-socket socket=1 attempt=0 code=4000")) << joined(out);
  r.now = 20300;
  EXPECT_EQ(r.send(40).outcome, SendOutcome::kHold);
  EXPECT_EQ(r.message(1, 70), CommandResult::kIgnored);  // late, on the old socket
  r.run_until(r.client.poll_timeout());
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< open-socket socket=2")) << joined(out);
  r.now += 60;
  r.opened(2);
  EXPECT_TRUE(has_prefix(
      r.take(), R"(< send-control socket=2 first=2 last=0 expiry=peer frame="resume s1 2")"));
  r.now += 40;
  r.control(2, "resumed 1");  // the server had message 1 only
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< release socket=2 first=1 last=1")) << joined(out);
  EXPECT_TRUE(has_prefix(out, "< resend socket=2 first=2 last=4")) << joined(out);
  r.now += 5;
  EXPECT_EQ(r.message(2, 60), CommandResult::kOk);  // the server's resend: its message 3
  r.now += 5;
  EXPECT_EQ(r.message(2, 70), CommandResult::kOk);
  r.now += 100;
  r.control(2, "ping 3");  // the server's heartbeat
  out = r.take();
  EXPECT_TRUE(
      has_prefix(out, R"(< send-control socket=2 first=4 last=0 expiry=peer frame="pong 4")"))
      << joined(out);
  EXPECT_TRUE(has_prefix(out, "< release socket=2 first=2 last=3")) << joined(out);
  r.run_until(r.client.poll_timeout());
  EXPECT_NE(joined(r.take()).find(R"(frame="ping 4")"), std::string::npos);
  r.now += 30;
  r.control(2, "pong 4");
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< release socket=2 first=4 last=4")) << joined(out);
  EXPECT_EQ(r.client.resume_stats().resumes, 1u);
  EXPECT_EQ(r.client.resume_stats().unacked, 0u);
  expect_trace(r.trace(), "resume_dead_link");
}

// The server lost the session: what was kept is dropped, the session expired (peer), and the
// same socket asks for a new one. Then the app expires the new session itself.
TEST(ResumeTraces, ExpiredDropsThenANewSession) {
  ClientRecorder r(resume_config());
  r.open();
  r.now = 50;
  r.opened(1);
  r.now = 90;
  r.control(1, "hello s1 120000");
  r.now = 100;
  r.send(5);
  r.now = 110;
  r.send(6);
  r.now = 500;
  r.closed(1, kCodeAbnormal, false, true);
  r.run_until(r.client.poll_timeout());
  r.now += 50;
  r.opened(2);
  r.now += 40;
  r.control(2, "expired");
  auto out = r.take();
  EXPECT_TRUE(has_prefix(out, "< drop socket=2 first=1 last=2")) << joined(out);
  EXPECT_TRUE(has_prefix(out, "< expired socket=2 first=0 last=0 expiry=peer")) << joined(out);
  EXPECT_TRUE(has_prefix(out, R"(< send-control socket=2 first=0 last=0 expiry=peer frame="new")"))
      << joined(out);
  r.now += 10;
  EXPECT_EQ(r.message(2, 9), CommandResult::kIgnored);  // the old session's, until hello
  r.now += 10;
  r.control(2, "hello s2 60000");
  r.now += 10;
  const Sent s = r.send(7);
  EXPECT_EQ(s.outcome, SendOutcome::kWrite);
  EXPECT_EQ(s.seq, 1u);
  r.now += 10;
  EXPECT_EQ(r.expire(), CommandResult::kOk);
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< drop socket=2 first=1 last=1")) << joined(out);
  EXPECT_TRUE(has_prefix(out, "< expired socket=2 first=0 last=0 expiry=explicit")) << joined(out);
  r.now += 10;
  r.control(2, "hello s3 60000");
  EXPECT_EQ(r.client.resume_stats().expiries, 2u);
  expect_trace(r.trace(), "resume_expired");
}

// A malformed control frame is the server's protocol error: the socket is closed with 4010 and
// lost like an errored one; the next socket resumes. Its handshake unanswered within
// connect_timeout is another protocol error.
TEST(ResumeTraces, ProtocolErrorClosesWith4010) {
  ClientRecorder r(resume_config());
  r.open();
  r.now = 50;
  r.opened(1);
  r.now = 60;
  EXPECT_EQ(r.message(1, 3), CommandResult::kIgnored);  // before hello: not delivered
  auto out = r.take();
  EXPECT_TRUE(has_prefix(out, "< close-socket socket=1 attempt=0 code=4010")) << joined(out);
  r.now = 70;
  r.closed(1, 4010, true, true);
  r.run_until(r.client.poll_timeout());
  r.now += 50;
  r.opened(2);
  r.now += 40;
  r.control(2, "hello s1 120000");
  r.now += 10;
  r.send(8);
  r.now += 10;
  EXPECT_EQ(r.control(2, "ack 01"), CommandResult::kInvalidArgument);
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< close-socket socket=2 attempt=0 code=4010")) << joined(out);
  r.now += 10;
  EXPECT_EQ(r.control(2, "ack 1"), CommandResult::kIgnored);  // the old socket
  r.run_until(r.client.poll_timeout());
  r.now += 50;
  r.opened(3);
  r.run_until(r.now + 10000);  // "resume s1 0" unanswered for connect_timeout
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< close-socket socket=3 attempt=0 code=4010")) << joined(out);
  // A socket whose handshake was never answered was not useful: the backoff goes on (attempt 3).
  EXPECT_TRUE(has_prefix(out, "< reconnecting socket=0 attempt=3")) << joined(out);
  r.run_until(r.client.poll_timeout());
  r.now += 50;
  r.opened(4);
  r.now += 40;
  r.control(4, "resumed 0");
  out = r.take();
  EXPECT_TRUE(has_prefix(out, "< resend socket=4 first=1 last=1")) << joined(out);
  EXPECT_EQ(r.client.resume_stats().protocol_errors, 3u);
  expect_trace(r.trace(), "resume_protocol_error");
}

}  // namespace
}  // namespace lifeline::test
