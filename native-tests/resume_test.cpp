// Lossless resume (PROTOCOL.md): the wire codec, scenarios of ResumeState, the overhead measured,
// and a randomized property test of a client and a server over connections that fail (late frames
// of old connections, crashes and expiries on either side).
//   LIFELINE_RESUME_SEEDS=N  how many random runs (default 2000; the hostile-input test runs N/2)
//   LIFELINE_RESUME_SEED=S   run only seed S and print its trace
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lifeline/resume.hpp"

namespace lifeline {
namespace {

using OK = ResumeOutputKind;
using CK = ControlKind;

std::vector<ResumeOutput> drain(ResumeState& s) {
  std::vector<ResumeOutput> out;
  ResumeOutput o;
  while (s.poll(o))
    out.push_back(o);
  return out;
}

std::string text_of(const ResumeState& s, const ResumeOutput& o) {
  ControlBuffer buf;
  return std::string(s.control_frame(o, buf));
}

std::string show(const ResumeState& s, const std::vector<ResumeOutput>& outs) {
  std::string r;
  for (const ResumeOutput& o : outs) {
    if (!r.empty()) r += ", ";
    r += to_string(o.kind);
    switch (o.kind) {
      case OK::kSendControl:
        r += " \"" + text_of(s, o).substr(kControlPrefix.size()) + "\"";
        break;
      case OK::kResend:
      case OK::kRelease:
      case OK::kDrop:
        r += " " + std::to_string(o.from) + ".." + std::to_string(o.to);
        break;
      case OK::kExpired:
        r += std::string(" ") + to_string(o.cause);
        break;
      case OK::kSession:
        break;
    }
  }
  return r;
}

std::string control(std::string_view body) {
  return std::string(kControlPrefix) + std::string(body);
}

// --- the wire ---

TEST(ResumeWire, RoundTripsEveryKind) {
  const Control frames[] = {
      {CK::kNew, 0, 0, {}},     {CK::kResume, 42, 0, "s-9_Z"},  {CK::kHello, 0, 120000, "abc"},
      {CK::kResumed, 0, 0, {}}, {CK::kExpired, 0, 0, {}},       {CK::kAck, kMaxSeq, 0, {}},
      {CK::kPing, 7, 0, {}},    {CK::kPong, 1234567890, 0, {}},
  };
  for (const Control& c : frames) {
    ControlBuffer buf;
    const std::string_view text = format_control(c, buf);
    ASSERT_FALSE(text.empty()) << to_string(c.kind);
    Control back;
    ASSERT_EQ(classify_text(text, back), TextFrame::kControl) << text;
    EXPECT_EQ(back.kind, c.kind);
    EXPECT_EQ(back.seq, c.seq);
    EXPECT_EQ(back.window, c.window);
    EXPECT_EQ(back.session, c.session);
  }
  ControlBuffer buf;
  EXPECT_EQ(format_control({CK::kAck, 17, 0, {}}, buf), control("ack 17"));
  EXPECT_EQ(format_control({CK::kHello, 0, 120000, "k3"}, buf), control("hello k3 120000"));
  EXPECT_EQ(format_control({CK::kNew, 0, 0, {}}, buf), control("new"));
  // The longest frame fits.
  const std::string id(kMaxSessionId, 'x');
  EXPECT_EQ(format_control({CK::kResume, kMaxSeq, 0, id}, buf).size(), 4 + 7 + 64 + 1 + 16u);
}

TEST(ResumeWire, RefusesToFormatInvalidFrames) {
  ControlBuffer buf;
  EXPECT_TRUE(format_control({CK::kAck, kMaxSeq + 1, 0, {}}, buf).empty());
  EXPECT_TRUE(format_control({CK::kHello, 0, 5, ""}, buf).empty());
  EXPECT_TRUE(format_control({CK::kResume, 1, 0, "a b"}, buf).empty());
  EXPECT_TRUE(format_control({CK::kResume, 1, 0, std::string(65, 'a')}, buf).empty());
}

TEST(ResumeWire, ClassifiesAppEscapedUnknownAndMalformed) {
  Control c;
  EXPECT_EQ(classify_text("", c), TextFrame::kApp);
  EXPECT_EQ(classify_text("{\"a\":1}", c), TextFrame::kApp);
  EXPECT_EQ(classify_text("ll:ack 1", c), TextFrame::kApp);
  EXPECT_EQ(classify_text("\x1fll", c), TextFrame::kApp);  // shorter than the prefix
  EXPECT_EQ(classify_text(control("esc \x1fll:ack 5"), c), TextFrame::kEscaped);
  EXPECT_EQ(classify_text(control("esc "), c), TextFrame::kEscaped);  // an empty rest: harmless
  EXPECT_EQ(classify_text(control("frobnicate 1 2"), c), TextFrame::kUnknown);
  EXPECT_EQ(classify_text(control(""), c), TextFrame::kUnknown);
  for (const char* bad :
       {"ack", "ack ", "ack 01", "ack -1", "ack 1 2", "ack 9007199254740992",
        "ack 12345678901234567", "ack 1x", "new 1", "expired now", "hello s", "hello s 1 2",
        "hello  1", "hello s! 1", "resume s", "resumed", "esc", "ping", "pong x"}) {
    EXPECT_EQ(classify_text(control(bad), c), TextFrame::kMalformed) << bad;
  }
  // The escape rule: exactly the texts that start with the prefix need it.
  EXPECT_TRUE(needs_escape(control("ack 1")));
  EXPECT_TRUE(needs_escape(control("")));
  EXPECT_FALSE(needs_escape("\x1fll"));
  EXPECT_FALSE(needs_escape("[1,2]"));
  const std::string app = control("ack 3");  // an app's text that looks like a control frame
  const std::string wire = std::string(kEscapePrefix) + app;
  ASSERT_EQ(classify_text(wire, c), TextFrame::kEscaped);
  EXPECT_EQ(wire.substr(kEscapePrefix.size()), app);
}

// --- scenarios ---

struct Pair {
  ResumeConfig client_config;
  ResumeConfig server_config = ResumeConfig::server();
  ResumeState client{client_config, ResumeRole::kClient};
  ResumeState server{server_config, ResumeRole::kServer};
  Millis now = 0;

  // First connect: new -> hello.
  void start() {
    ASSERT_EQ(client.on_connected(now), CommandResult::kOk);
    ASSERT_EQ(show(client, drain(client)), "send-control \"new\"");
    ASSERT_EQ(server.on_new("s1", now), CommandResult::kOk);
    ASSERT_EQ(show(server, drain(server)), "send-control \"hello s1 120000\"");
    ASSERT_EQ(client.on_hello("s1", 120000, now), CommandResult::kOk);
    ASSERT_EQ(show(client, drain(client)), "session");
  }
};

TEST(ResumeScenario, FirstConnectHoldsMessagesUntilHello) {
  ResumeState c(ResumeConfig{}, ResumeRole::kClient);
  EXPECT_EQ(c.phase(), ResumePhase::kNoSession);
  // Sent before any connection: numbered, held.
  Sent s = c.on_send(10, 0);
  EXPECT_EQ(s.outcome, SendOutcome::kHold);
  EXPECT_EQ(s.seq, 1u);
  EXPECT_EQ(c.on_send(20, 1).seq, 2u);
  ASSERT_EQ(c.on_connected(5), CommandResult::kOk);
  EXPECT_EQ(show(c, drain(c)), "send-control \"new\"");
  // Still held until the server's hello: a connection that dies now took nothing.
  EXPECT_EQ(c.on_send(5, 6).outcome, SendOutcome::kHold);
  EXPECT_EQ(c.on_receive(3, 6).result, CommandResult::kInvalidArgument);  // nothing before hello
  ASSERT_EQ(c.on_disconnected(7), CommandResult::kOk);
  EXPECT_EQ(c.phase(), ResumePhase::kNoSession);  // no session to resume: "new" again
  ASSERT_EQ(c.on_connected(8), CommandResult::kOk);
  EXPECT_EQ(show(c, drain(c)), "send-control \"new\"");
  ASSERT_EQ(c.on_hello("abc", 60000, 9), CommandResult::kOk);
  EXPECT_EQ(show(c, drain(c)), "session, resend 1..3");
  EXPECT_EQ(c.session(), "abc");
  EXPECT_EQ(c.window(), 60000u);
  EXPECT_EQ(c.phase(), ResumePhase::kAttached);
  s = c.on_send(1, 10);
  EXPECT_EQ(s.outcome, SendOutcome::kWrite);
  EXPECT_EQ(s.seq, 4u);
  EXPECT_EQ(c.written(), 4u);
  EXPECT_EQ(c.unacked(), 4u);
  EXPECT_EQ(c.unacked_bytes(), 36u);
}

TEST(ResumeScenario, ReconnectWithMessagesInFlightBothWays) {
  Pair p;
  p.start();
  // The client sends 1..5; the server gets 1..3 before the link dies (4 and 5 are lost).
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(p.client.on_send(100, 10).outcome, SendOutcome::kWrite);
  for (Seq i = 1; i <= 3; ++i)
    ASSERT_EQ(p.server.on_receive(100, 20).seq, i);
  // The server sends 1..4; the client gets 1..2.
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(p.server.on_send(50, 20).outcome, SendOutcome::kWrite);
  for (Seq i = 1; i <= 2; ++i)
    ASSERT_EQ(p.client.on_receive(50, 25).seq, i);
  // The link dies. The client notices (pong timeout); the server has not yet.
  ASSERT_EQ(p.client.on_disconnected(30), CommandResult::kOk);
  EXPECT_EQ(p.client.phase(), ResumePhase::kDetached);
  // Meanwhile both apps go on sending: held on the client, written into the dead socket on the
  // server.
  EXPECT_EQ(p.client.on_send(100, 35).outcome, SendOutcome::kHold);  // seq 6
  EXPECT_EQ(p.server.on_send(50, 35).outcome, SendOutcome::kWrite);  // seq 5, lost
  // Reconnect: resume with the last received.
  ASSERT_EQ(p.client.on_connected(40), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"resume s1 2\"");
  // The server detaches the old connection itself, releases what the client has, says what it
  // has, and resends the rest.
  ASSERT_EQ(p.server.on_resume(2, 45), CommandResult::kOk);
  EXPECT_EQ(show(p.server, drain(p.server)),
            "release 1..2, send-control \"resumed 3\", resend 3..5");
  ASSERT_EQ(p.client.on_resumed(3, 50), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "release 1..3, resend 4..6");
  // The resends arrive, numbered where the other side left off: nothing twice, nothing missing.
  for (Seq i = 3; i <= 5; ++i)
    EXPECT_EQ(p.client.on_receive(50, 55).seq, i);
  for (Seq i = 4; i <= 6; ++i)
    EXPECT_EQ(p.server.on_receive(100, 55).seq, i);
  EXPECT_EQ(p.client.unacked(), 3u);
  EXPECT_EQ(p.server.unacked(), 3u);
}

TEST(ResumeScenario, NothingFromAnAbandonedConnectionIsCounted) {
  // Duplicates cannot arise: each side resends from exactly the other's last received. What
  // could double a message is a late delivery from the old connection after the resume; the
  // state ignores any frame while not connected, refuses a message before resumed, and the
  // server detaches the old connection when the resume arrives.
  Pair p;
  p.start();
  ASSERT_EQ(p.client.on_send(1, 1).outcome, SendOutcome::kWrite);
  ASSERT_EQ(p.client.on_disconnected(2), CommandResult::kOk);
  EXPECT_EQ(p.client.on_receive(1, 3).result, CommandResult::kIgnored);
  EXPECT_EQ(p.client.on_control({CK::kPing, 1, 0, {}}, 3), CommandResult::kIgnored);
  EXPECT_TRUE(drain(p.client).empty());
  ASSERT_EQ(p.client.on_connected(4), CommandResult::kOk);
  drain(p.client);
  // The server sends nothing before resumed: a protocol error.
  EXPECT_EQ(p.client.on_receive(1, 3).result, CommandResult::kInvalidArgument);
  // The server still has the old connection attached: resume detaches it first.
  ASSERT_EQ(p.server.phase(), ResumePhase::kAttached);
  ASSERT_EQ(p.server.on_resume(0, 5), CommandResult::kOk);
  EXPECT_EQ(show(p.server, drain(p.server)), "send-control \"resumed 0\"");
  ASSERT_EQ(p.client.on_resumed(0, 6), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "resend 1..1");
  EXPECT_EQ(p.server.on_receive(1, 7).seq, 1u);
}

TEST(ResumeScenario, ServerExpiresADetachedSessionAfterItsWindow) {
  Pair p;
  p.start();
  ASSERT_EQ(p.server.on_send(10, 0).outcome, SendOutcome::kWrite);
  ASSERT_EQ(p.server.on_disconnected(1000), CommandResult::kOk);
  EXPECT_EQ(p.server.poll_timeout(), 121000);
  EXPECT_EQ(p.server.handle_timeout(120999), CommandResult::kOk);
  EXPECT_EQ(p.server.phase(), ResumePhase::kDetached);
  EXPECT_TRUE(drain(p.server).empty());
  EXPECT_EQ(p.server.handle_timeout(121000), CommandResult::kOk);
  EXPECT_EQ(show(p.server, drain(p.server)), "drop 1..1, expired window");
  EXPECT_EQ(p.server.phase(), ResumePhase::kEnded);
  EXPECT_EQ(p.server.poll_timeout(), kNever);
  EXPECT_EQ(p.server.unacked(), 0u);
  // Too late: the state answers "expired" (the client's "new" gets a new state's hello).
  EXPECT_EQ(p.server.on_resume(0, 122000), CommandResult::kOk);
  EXPECT_EQ(show(p.server, drain(p.server)), "send-control \"expired\"");
  EXPECT_EQ(p.server.phase(), ResumePhase::kEnded);
  EXPECT_EQ(p.server.on_send(1, 122000).outcome, SendOutcome::kInvalid);
}

TEST(ResumeScenario, GapThatCannotBeFilledExpiresTheSession) {
  Pair p;
  p.server_config.max_unacked = 3;
  p.server = ResumeState(p.server_config, ResumeRole::kServer);
  p.start();
  ASSERT_EQ(p.server.on_disconnected(1), CommandResult::kOk);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(p.server.on_send(10, 2).outcome, SendOutcome::kHold);
  // The replay buffer keeps the newest 3: 1 and 2 are dropped.
  EXPECT_EQ(show(p.server, drain(p.server)), "drop 1..1, drop 2..2");
  EXPECT_EQ(p.server.first_kept(), 3u);
  EXPECT_EQ(p.server.unacked(), 3u);
  ASSERT_EQ(p.client.on_disconnected(1), CommandResult::kOk);
  ASSERT_EQ(p.client.on_connected(3), CommandResult::kOk);
  drain(p.client);
  ASSERT_EQ(p.server.on_resume(0, 4), CommandResult::kOk);  // needs 1..5: 1 and 2 are gone
  EXPECT_EQ(show(p.server, drain(p.server)), "send-control \"expired\", drop 3..5, expired gap");
  EXPECT_EQ(p.server.phase(), ResumePhase::kEnded);
  // The client falls back and asks for a new session on the same connection: numbers from 1.
  ASSERT_EQ(p.client.on_send(7, 5).outcome, SendOutcome::kHold);
  ASSERT_EQ(p.client.on_expired(5), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "drop 1..1, expired peer, send-control \"new\"");
  EXPECT_EQ(p.client.phase(), ResumePhase::kHandshake);
  EXPECT_EQ(p.client.session(), "");
  ResumeState next(p.server_config, ResumeRole::kServer);
  ASSERT_EQ(next.on_new("s2", 6), CommandResult::kOk);
  ASSERT_EQ(p.client.on_hello("s2", 120000, 6), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "session");
  EXPECT_EQ(p.client.on_send(1, 7).seq, 1u);
}

TEST(ResumeScenario, ClientCannotFillAGapTheServerAcknowledged) {
  // A server that acknowledged 3 and then resumes at 1 has lost what it promised to keep.
  Pair p;
  p.start();
  for (int i = 0; i < 3; ++i)
    p.client.on_send(1, 1);
  ASSERT_EQ(p.client.on_ack(3, 2), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "release 1..3");
  p.client.on_send(1, 3);
  p.client.on_disconnected(4);
  p.client.on_connected(5);
  drain(p.client);
  ASSERT_EQ(p.client.on_resumed(1, 6), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)),
            "send-control \"expired\", drop 4..4, expired gap, send-control \"new\"");
  EXPECT_EQ(p.client.phase(), ResumePhase::kHandshake);
  ASSERT_EQ(p.client.on_hello("s9", 1000, 7), CommandResult::kOk);
  EXPECT_EQ(p.client.phase(), ResumePhase::kAttached);
}

TEST(ResumeScenario, ClientRefusesNewMessagesAtItsBounds) {
  ResumeConfig config;
  config.max_unacked = 3;
  config.max_unacked_bytes = 100;
  Pair p{config};
  p.start();
  EXPECT_EQ(p.client.on_send(40, 1).outcome, SendOutcome::kWrite);
  EXPECT_EQ(p.client.on_send(40, 1).outcome, SendOutcome::kWrite);
  Sent s = p.client.on_send(30, 1);  // 110 bytes > 100
  EXPECT_EQ(s.outcome, SendOutcome::kFull);
  EXPECT_EQ(s.seq, 0u);
  EXPECT_EQ(p.client.on_send(20, 1).outcome, SendOutcome::kWrite);
  EXPECT_EQ(p.client.on_send(0, 1).outcome, SendOutcome::kFull);  // 4 > 3 messages
  EXPECT_EQ(p.client.on_send(101, 1).outcome, SendOutcome::kFull);
  EXPECT_EQ(p.client.next_seq(), 4u);  // refusals take no number
  EXPECT_TRUE(drain(p.client).empty());
  ASSERT_EQ(p.client.on_ack(1, 2), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "release 1..1");
  EXPECT_EQ(p.client.on_send(40, 3).seq, 4u);
  EXPECT_EQ(p.client.unacked_bytes(), 100u);
}

TEST(ResumeScenario, ServerDropsOldestByCountBytesAndAge) {
  ResumeConfig config = ResumeConfig::server();
  config.max_unacked = 4;
  config.max_unacked_bytes = 100;
  config.max_age = 1000;
  ResumeState s(config, ResumeRole::kServer);
  ASSERT_EQ(s.on_new("x", 0), CommandResult::kOk);
  drain(s);
  for (int i = 0; i < 4; ++i)
    s.on_send(10, 0);
  Sent sent = s.on_send(10, 100);  // the 5th: 1 goes
  EXPECT_EQ(sent.outcome, SendOutcome::kWrite);
  EXPECT_TRUE(sent.poll);
  EXPECT_EQ(show(s, drain(s)), "drop 1..1");
  sent = s.on_send(75, 200);  // 40 + 75 bytes > 100: 2 and 3 go
  EXPECT_EQ(show(s, drain(s)), "drop 2..3");
  EXPECT_EQ(s.unacked(), 3u);
  EXPECT_EQ(s.unacked_bytes(), 95u);
  EXPECT_EQ(s.on_send(101, 200).outcome, SendOutcome::kFull);  // larger than the whole buffer
  // Age: 4 was sent at 0, 5 at 100, 6 at 200.
  EXPECT_EQ(s.poll_timeout(), 1000);
  ASSERT_EQ(s.handle_timeout(1100), CommandResult::kOk);  // late: both that are due go
  EXPECT_EQ(show(s, drain(s)), "drop 4..5");
  EXPECT_EQ(s.poll_timeout(), 1200);
}

TEST(ResumeScenario, TheRingGrowsOnDemandAndKeepsOrderAcrossItsWrap) {
  // A session that keeps a few messages costs a few entries, not max_unacked of them; growing
  // while the kept messages wrap around the ring keeps their order, sizes and ages.
  ResumeConfig config = ResumeConfig::server();
  config.max_unacked = 40;
  config.max_age = 10000;
  ResumeState s(config, ResumeRole::kServer);
  EXPECT_EQ(s.capacity(), kInitialRing);
  ASSERT_EQ(s.on_new("x", 0), CommandResult::kOk);
  drain(s);
  for (int i = 1; i <= 12; ++i)
    s.on_send(static_cast<std::uint64_t>(i), i);
  ASSERT_EQ(s.on_ack(10, 20), CommandResult::kOk);  // the head moves to the 11th entry
  drain(s);
  for (int i = 13; i <= 50; ++i)  // wraps, then grows twice (16 -> 32 -> 40)
    s.on_send(static_cast<std::uint64_t>(i), i + 20);
  EXPECT_EQ(s.capacity(), 40u);
  EXPECT_EQ(s.unacked(), 40u);
  std::uint64_t sum = 0;
  for (int i = 11; i <= 50; ++i)
    sum += static_cast<std::uint64_t>(i);
  EXPECT_EQ(s.unacked_bytes(), sum);
  EXPECT_TRUE(drain(s).empty());
  // Full: the oldest (11) goes, and the ages still come in order: 12 (sent at 12) is next due.
  s.on_send(51, 100);
  EXPECT_EQ(show(s, drain(s)), "drop 11..11");
  EXPECT_EQ(s.poll_timeout(), 12 + 10000);
  ASSERT_EQ(s.on_ack(49, 200), CommandResult::kOk);
  EXPECT_EQ(show(s, drain(s)), "release 12..49");
  EXPECT_EQ(s.unacked_bytes(), 50u + 51u);
  // A client at its bound refuses, whatever has been allocated so far.
  ResumeConfig small;
  small.max_unacked = 20;
  ResumeState c(small, ResumeRole::kClient);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(c.on_send(1, 0).outcome, SendOutcome::kHold);
  EXPECT_EQ(c.on_send(1, 0).outcome, SendOutcome::kFull);
  EXPECT_EQ(c.capacity(), 20u);
}

TEST(ResumeScenario, AByteBoundNearTwoToTheSixtyFourDoesNotWrap) {
  // Found by the fuzzer: bytes_ + bytes wrapped, and a message past the bound was accepted.
  ResumeConfig config;
  config.max_unacked_bytes = ~std::uint64_t{0};
  ResumeState c(config, ResumeRole::kClient);
  EXPECT_EQ(c.on_send(~std::uint64_t{0}, 0).outcome, SendOutcome::kHold);
  EXPECT_EQ(c.on_send(std::uint64_t{1} << 63, 0).outcome, SendOutcome::kFull);
  EXPECT_EQ(c.unacked_bytes(), ~std::uint64_t{0});
  ResumeConfig server = ResumeConfig::server();
  server.max_unacked_bytes = ~std::uint64_t{0};
  ResumeState s(server, ResumeRole::kServer);
  ASSERT_EQ(s.on_new("x", 0), CommandResult::kOk);
  drain(s);
  s.on_send(~std::uint64_t{0} - 5, 0);
  EXPECT_EQ(s.on_send(10, 0).outcome, SendOutcome::kWrite);  // the first makes room
  EXPECT_EQ(show(s, drain(s)), "drop 1..1");
  EXPECT_EQ(s.unacked_bytes(), 10u);
}

TEST(ResumeScenario, StandaloneAcksByCountBytesAndDelay) {
  ResumeConfig config;
  config.ack_every = 4;
  config.ack_bytes = 1000;
  config.ack_delay = 500;
  Pair p{config, config};
  p.start();
  drain(p.server);
  for (int i = 1; i <= 3; ++i) {
    const Received r = p.client.on_receive(10, 100);
    EXPECT_FALSE(r.poll);
  }
  EXPECT_EQ(p.client.poll_timeout(), 600);  // the delay runs from the first unacked
  Received r = p.client.on_receive(10, 200);
  EXPECT_TRUE(r.poll);  // the 4th: at once
  EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"ack 4\"");
  EXPECT_EQ(p.client.ack_sent(), 4u);
  EXPECT_EQ(p.client.poll_timeout(), kNever);
  // Bytes.
  r = p.client.on_receive(1000, 300);
  EXPECT_TRUE(r.poll);
  EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"ack 5\"");
  // Delay: a quiet link.
  p.client.on_receive(1, 400);
  EXPECT_EQ(p.client.poll_timeout(), 900);
  EXPECT_EQ(p.client.handle_timeout(899), CommandResult::kOk);
  EXPECT_TRUE(drain(p.client).empty());
  EXPECT_EQ(p.client.handle_timeout(900), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"ack 6\"");
  EXPECT_EQ(p.client.handle_timeout(900), CommandResult::kOk);  // twice is harmless
  EXPECT_TRUE(drain(p.client).empty());
}

TEST(ResumeScenario, HeartbeatCarriesTheAck) {
  Pair p;
  p.start();
  drain(p.server);
  p.client.on_send(1, 0);
  p.client.on_send(1, 0);
  p.server.on_receive(1, 10);
  p.server.on_receive(1, 10);
  EXPECT_NE(p.server.poll_timeout(), kNever);
  // The server's ping (or its pong to the client's ping) carries the ack; no standalone ack
  // follows.
  const Control ping = p.server.heartbeat(CK::kPing, 20);
  EXPECT_EQ(ping.kind, CK::kPing);
  EXPECT_EQ(ping.seq, 2u);
  EXPECT_EQ(p.server.poll_timeout(), kNever);
  // The client's state answers the ping itself, with its own ack in the pong.
  ASSERT_EQ(p.client.on_control(ping, 30), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"pong 0\", release 1..2");
  EXPECT_EQ(p.server.on_control({CK::kPong, 0, 0, {}}, 31),
            CommandResult::kIgnored);  // nothing new acked
}

TEST(ResumeScenario, InvalidInputIsRefusedAndChangesNothing) {
  Pair p;
  p.start();
  p.client.on_send(5, 10);
  p.client.on_send(5, 10);
  p.server.on_receive(5, 10);
  auto snapshot = [](const ResumeState& s) {
    std::ostringstream o;
    o << to_string(s.phase()) << ' ' << s.next_seq() << ' ' << s.written() << ' ' << s.peer_acked()
      << ' ' << s.received() << ' ' << s.ack_sent() << ' ' << s.first_kept() << ' '
      << s.unacked_bytes() << ' ' << s.poll_timeout() << ' ' << s.pending_outputs();
    return o.str();
  };
  const std::string client = snapshot(p.client);
  const std::string server = snapshot(p.server);
  const Millis nan = std::numeric_limits<double>::quiet_NaN();
  // An ack beyond what was sent.
  EXPECT_EQ(p.client.on_ack(3, 20), CommandResult::kInvalidArgument);
  // Non-finite time, everywhere.
  EXPECT_EQ(p.client.on_ack(1, nan), CommandResult::kInvalidTime);
  EXPECT_EQ(p.client.on_send(1, kNever).outcome, SendOutcome::kInvalid);
  EXPECT_EQ(p.client.on_receive(1, nan).result, CommandResult::kInvalidTime);
  EXPECT_EQ(p.client.handle_timeout(nan), CommandResult::kInvalidTime);
  EXPECT_EQ(p.client.on_disconnected(-kNever), CommandResult::kInvalidTime);
  EXPECT_EQ(p.client.expire(nan), CommandResult::kInvalidTime);
  // Frames out of turn or for the other role.
  EXPECT_EQ(p.client.on_hello("s2", 1, 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.client.on_resumed(0, 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.client.on_resume(0, 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.client.on_new("s", 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.client.on_connected(20), CommandResult::kIgnored);  // already connected
  EXPECT_EQ(p.server.on_connected(20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.server.on_new("s3", 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.server.on_hello("s1", 1, 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.server.on_resumed(0, 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.server.on_ack(1, 20), CommandResult::kInvalidArgument);  // it sent nothing
  EXPECT_EQ(p.server.on_control({CK::kPing, 1, 0, {}}, 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(p.server.on_control({CK::kNew, 0, 0, {}}, 20), CommandResult::kInvalidArgument);
  EXPECT_EQ(snapshot(p.client), client);
  EXPECT_EQ(snapshot(p.server), server);

  // A resumed beyond what the client sent.
  p.client.on_disconnected(30);
  p.client.on_connected(31);
  drain(p.client);
  const std::string handshake = snapshot(p.client);
  EXPECT_EQ(p.client.on_resumed(3, 32), CommandResult::kInvalidArgument);
  EXPECT_EQ(snapshot(p.client), handshake);
  // Time going backwards counts as no time passing.
  EXPECT_EQ(p.client.on_resumed(1, 5), CommandResult::kOk);
  EXPECT_EQ(p.client.on_receive(1, 0).result, CommandResult::kOk);
  EXPECT_EQ(p.client.poll_timeout(), 31 + p.client.config().ack_delay);  // the refused 32 too

  // An invalid session id, and an invalid configuration.
  ResumeState fresh(ResumeConfig{}, ResumeRole::kClient);
  fresh.on_connected(0);
  drain(fresh);
  EXPECT_EQ(fresh.on_hello("bad id", 1, 0), CommandResult::kInvalidArgument);
  EXPECT_EQ(fresh.phase(), ResumePhase::kHandshake);
  ResumeConfig bad;
  bad.max_unacked = 0;
  EXPECT_FALSE(validate(bad));
  ResumeState invalid(bad, ResumeRole::kClient);
  EXPECT_FALSE(invalid.config_valid());
  EXPECT_EQ(invalid.on_connected(0), CommandResult::kInvalidConfig);
  EXPECT_EQ(invalid.on_send(1, 0).outcome, SendOutcome::kInvalid);
  for (auto edit : std::vector<void (*)(ResumeConfig&)>{
           [](ResumeConfig& c) { c.max_unacked = kMaxUnackedLimit + 1; },
           [](ResumeConfig& c) { c.max_unacked_bytes = 0; },
           [](ResumeConfig& c) { c.ack_every = 0; },
           [](ResumeConfig& c) { c.ack_delay = -1; },
           [](ResumeConfig& c) { c.ack_delay = std::numeric_limits<double>::quiet_NaN(); },
           [](ResumeConfig& c) { c.max_age = 0; },
           [](ResumeConfig& c) { c.session_window = kNever; },
       }) {
    ResumeConfig c;
    edit(c);
    EXPECT_FALSE(validate(c));
  }
  EXPECT_TRUE(validate(ResumeConfig{}));
  EXPECT_TRUE(validate(ResumeConfig::server()));
}

// --- the rules PROTOCOL.md settles for version 1 (each test goes red without its rule) ---

// After "expired" was said or heard on a connection, the client ignores the old session's
// application messages and numbers until hello; before the hello that answers a fresh "new",
// or before resumed, a message is a protocol error.
TEST(ResumeRules, ClientIgnoresTheOldSessionAfterExpiredUntilHello) {
  // Three ways to an expiry on a connection: the server says it, the client's app ends the
  // session, the client finds a gap in resumed.
  for (int way = 0; way < 3; ++way) {
    SCOPED_TRACE(way);
    Pair p;
    p.start();
    for (int i = 0; i < 3; ++i)
      p.client.on_send(1, 1);
    ASSERT_EQ(p.client.on_ack(3, 2), CommandResult::kOk);  // so that resumed 0 is a gap
    drain(p.client);
    if (way == 0) {
      ASSERT_EQ(p.client.on_expired(3), CommandResult::kOk);
    } else if (way == 1) {
      ASSERT_EQ(p.client.expire(3), CommandResult::kOk);
    } else {
      p.client.on_disconnected(3);
      p.client.on_connected(3);
      drain(p.client);
      ASSERT_EQ(p.client.on_resumed(0, 3), CommandResult::kOk);
    }
    const std::string said = show(p.client, drain(p.client));
    EXPECT_NE(said.find("send-control \"new\""), std::string::npos) << said;
    ASSERT_EQ(p.client.phase(), ResumePhase::kHandshake);
    // The server's frames of the old session, sent before it heard of the expiry.
    EXPECT_EQ(p.client.on_receive(10, 4).result, CommandResult::kIgnored);
    EXPECT_EQ(p.client.on_control({CK::kAck, 3, 0, {}}, 4), CommandResult::kIgnored);  // > 0
    EXPECT_EQ(p.client.on_control({CK::kPong, 9, 0, {}}, 4), CommandResult::kIgnored);
    EXPECT_EQ(p.client.on_control({CK::kResumed, 2, 0, {}}, 4), CommandResult::kIgnored);
    EXPECT_EQ(p.client.on_control({CK::kExpired, 0, 0, {}}, 4), CommandResult::kIgnored);
    EXPECT_TRUE(drain(p.client).empty());
    EXPECT_EQ(p.client.on_control({CK::kPing, 3, 0, {}}, 4), CommandResult::kOk);
    EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"pong 0\"");
    EXPECT_EQ(p.client.received(), 0u);
    // hello ends it: the new session counts from 1.
    ASSERT_EQ(p.client.on_hello("s2", 1000, 5), CommandResult::kOk);
    EXPECT_EQ(p.client.on_receive(10, 6).seq, 1u);
    EXPECT_EQ(p.client.on_control({CK::kExpired, 0, 0, {}}, 7), CommandResult::kOk);
    EXPECT_EQ(p.client.on_receive(10, 8).result, CommandResult::kIgnored);
  }
  // Before the hello that answers a fresh "new", and before resumed: protocol errors, as is an
  // "expired" in answer to a fresh "new".
  ResumeState fresh(ResumeConfig{}, ResumeRole::kClient);
  fresh.on_connected(0);
  drain(fresh);
  EXPECT_EQ(fresh.on_receive(1, 1).result, CommandResult::kInvalidArgument);
  EXPECT_EQ(fresh.on_expired(1), CommandResult::kInvalidArgument);
  EXPECT_EQ(fresh.on_control({CK::kResumed, 0, 0, {}}, 1), CommandResult::kInvalidArgument);
  Pair p;
  p.start();
  p.client.on_disconnected(1);
  p.client.on_connected(2);
  drain(p.client);
  EXPECT_EQ(p.client.on_receive(1, 3).result, CommandResult::kInvalidArgument);
  EXPECT_EQ(p.client.on_hello("s1", 1, 3), CommandResult::kInvalidArgument);
}

// The server's side of the same rule: a session that ended ignores what still arrives.
TEST(ResumeRules, ServerIgnoresTheEndedSession) {
  for (const bool by_peer : {false, true}) {
    Pair p;
    p.start();
    p.server.on_send(1, 1);
    drain(p.server);
    ASSERT_EQ(by_peer ? p.server.on_expired(2) : p.server.expire(2), CommandResult::kOk);
    drain(p.server);
    EXPECT_EQ(p.server.on_receive(1, 3).result, CommandResult::kIgnored);
    EXPECT_EQ(p.server.on_control({CK::kAck, 5, 0, {}}, 3), CommandResult::kIgnored);
    EXPECT_EQ(p.server.on_control({CK::kExpired, 0, 0, {}}, 3), CommandResult::kIgnored);
    EXPECT_EQ(p.server.on_control({CK::kNew, 0, 0, {}}, 3), CommandResult::kIgnored);  // table's
    EXPECT_EQ(p.server.on_control({CK::kPing, 5, 0, {}}, 3), CommandResult::kOk);
    EXPECT_EQ(show(p.server, drain(p.server)), "send-control \"pong 0\"");
    EXPECT_EQ(p.server.received(), 0u);
  }
}

// F is the oldest kept seq, or the next to be assigned when nothing is kept; R has a gap iff
// R + 1 < F.
TEST(ResumeRules, GapCheckWithAnEmptyReplayBuffer) {
  ResumeConfig config = ResumeConfig::server();
  config.max_age = 1000;
  for (const Seq r : {Seq{3}, Seq{4}, Seq{5}}) {
    SCOPED_TRACE(r);
    ResumeState s(config, ResumeRole::kServer);
    s.on_new("s1", 0);
    for (int i = 0; i < 5; ++i)
      s.on_send(1, 0);
    s.on_disconnected(10);
    ASSERT_EQ(s.handle_timeout(1000), CommandResult::kOk);  // all 5 dropped by age
    drain(s);
    ASSERT_EQ(s.unacked(), 0u);
    ASSERT_EQ(s.first_kept(), 6u);  // F = next seq
    ASSERT_EQ(s.on_resume(r, 1001), CommandResult::kOk);
    // 6 needs nothing; 4 and 5 were lost with the buffer.
    EXPECT_EQ(show(s, drain(s)),
              r == 5 ? "send-control \"resumed 0\"" : "send-control \"expired\", expired gap");
  }
  // The client: everything acknowledged, nothing kept; resumed must say all of it.
  for (const Seq l : {Seq{2}, Seq{3}}) {
    Pair p;
    p.start();
    for (int i = 0; i < 3; ++i)
      p.client.on_send(1, 1);
    p.client.on_ack(3, 2);
    drain(p.client);
    ASSERT_EQ(p.client.unacked(), 0u);
    p.client.on_disconnected(3);
    p.client.on_connected(4);
    drain(p.client);
    ASSERT_EQ(p.client.on_resumed(l, 5), CommandResult::kOk);
    EXPECT_EQ(show(p.client, drain(p.client)),
              l == 3 ? "" : "send-control \"expired\", expired gap, send-control \"new\"");
  }
}

// Numbers on a connection not attached are ignored, not checked.
TEST(ResumeRules, NumbersOnAConnectionNotAttachedAreNotChecked) {
  Pair p;
  p.start();
  p.client.on_send(1, 1);
  p.client.on_disconnected(2);
  p.client.on_connected(3);
  drain(p.client);
  ASSERT_EQ(p.client.phase(), ResumePhase::kHandshake);
  // Beyond what was written (1): a protocol error while attached, ignored here.
  for (const CK kind : {CK::kAck, CK::kPong}) {
    EXPECT_EQ(p.client.on_control({kind, 7, 0, {}}, 4), CommandResult::kIgnored);
  }
  EXPECT_EQ(p.client.on_ack(7, 4), CommandResult::kIgnored);
  EXPECT_EQ(p.client.on_control({CK::kPing, 7, 0, {}}, 4), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"pong 0\"");  // nothing released
  EXPECT_EQ(p.client.unacked(), 1u);
  ASSERT_EQ(p.client.on_resumed(0, 5), CommandResult::kOk);
  drain(p.client);
  EXPECT_EQ(p.client.on_ack(7, 6), CommandResult::kInvalidArgument);  // attached: checked
  EXPECT_EQ(p.client.on_control({CK::kPing, 7, 0, {}}, 6), CommandResult::kInvalidArgument);
  EXPECT_TRUE(drain(p.client).empty());  // no pong for a protocol error
}

// A ping is answered by the state: "pong <received>" while attached (the ack told), "pong 0"
// while connected and not attached, nothing with no connection.
TEST(ResumeRules, PingsAreAnsweredByTheState) {
  Pair p;
  p.start();
  p.client.on_send(1, 0);
  p.client.on_send(1, 0);
  p.server.on_receive(1, 1);
  p.server.on_receive(1, 1);
  ASSERT_NE(p.server.poll_timeout(), kNever);  // an ack is due by the delay
  ASSERT_EQ(p.server.on_control({CK::kPing, 0, 0, {}}, 2), CommandResult::kOk);
  EXPECT_EQ(show(p.server, drain(p.server)), "send-control \"pong 2\"");
  EXPECT_EQ(p.server.ack_sent(), 2u);
  EXPECT_EQ(p.server.poll_timeout(), kNever);  // the pong was the ack
  ASSERT_EQ(p.client.on_control({CK::kPing, 2, 0, {}}, 3), CommandResult::kOk);
  EXPECT_EQ(show(p.client, drain(p.client)), "send-control \"pong 0\", release 1..2");
  // With no connection: nothing to answer on.
  p.client.on_disconnected(4);
  p.server.on_disconnected(4);
  EXPECT_EQ(p.client.on_control({CK::kPing, 0, 0, {}}, 5), CommandResult::kIgnored);
  EXPECT_EQ(p.server.on_control({CK::kPing, 0, 0, {}}, 5), CommandResult::kIgnored);
  EXPECT_TRUE(drain(p.client).empty());
  EXPECT_TRUE(drain(p.server).empty());
}

// Frames out of place are protocol errors where the state can see them.
TEST(ResumeRules, FramesOutOfPlaceAreProtocolErrors) {
  const CommandResult bad = CommandResult::kInvalidArgument;
  Pair p;
  p.start();
  // To a client: new, resume; hello and resumed in a session.
  EXPECT_EQ(p.client.on_control({CK::kNew, 0, 0, {}}, 1), bad);
  EXPECT_EQ(p.client.on_control({CK::kResume, 0, 0, "s1"}, 1), bad);
  EXPECT_EQ(p.client.on_control({CK::kHello, 0, 5, "s1"}, 1), bad);
  EXPECT_EQ(p.client.on_control({CK::kResumed, 0, 0, {}}, 1), bad);
  // To a server: hello, resumed; new on a connection in a session.
  EXPECT_EQ(p.server.on_control({CK::kHello, 0, 5, "s1"}, 1), bad);
  EXPECT_EQ(p.server.on_control({CK::kResumed, 0, 0, {}}, 1), bad);
  EXPECT_EQ(p.server.on_control({CK::kNew, 0, 0, {}}, 1), bad);
  // hello after resume, resumed after new.
  p.client.on_disconnected(2);
  p.client.on_connected(2);
  drain(p.client);
  EXPECT_EQ(p.client.on_control({CK::kHello, 0, 5, "s1"}, 3), bad);
  ResumeState fresh(ResumeConfig{}, ResumeRole::kClient);
  fresh.on_connected(0);
  drain(fresh);
  EXPECT_EQ(fresh.on_control({CK::kResumed, 0, 0, {}}, 1), bad);
  EXPECT_EQ(fresh.phase(), ResumePhase::kHandshake);
  // With no connection, a frame came on one given up: ignored, not an error.
  fresh.on_disconnected(2);
  EXPECT_EQ(fresh.on_control({CK::kHello, 0, 5, "s1"}, 3), CommandResult::kIgnored);
  EXPECT_EQ(fresh.on_control({CK::kResumed, 0, 0, {}}, 3), CommandResult::kIgnored);
  EXPECT_EQ(fresh.phase(), ResumePhase::kNoSession);
}

// A resume that claims more than was sent ends the session, as a gap does; a resume of an ended
// session is answered "expired" and touches nothing.
TEST(ResumeRules, ResumeBeyondWhatWasSentEndsTheSession) {
  Pair p;
  p.start();
  p.server.on_send(1, 1);
  p.server.on_send(1, 1);
  drain(p.server);
  ASSERT_EQ(p.server.on_resume(3, 2), CommandResult::kOk);
  EXPECT_EQ(show(p.server, drain(p.server)), "send-control \"expired\", drop 1..2, expired gap");
  EXPECT_EQ(p.server.phase(), ResumePhase::kEnded);
  ASSERT_EQ(p.server.on_resume(0, 3), CommandResult::kOk);
  EXPECT_EQ(show(p.server, drain(p.server)), "send-control \"expired\"");
  EXPECT_EQ(kCodeResumeSuperseded, 4011);
  EXPECT_NE(kCodeResumeSuperseded, kCodeResumeProtocolError);
}

// A receiver tells an ack within 32 messages or 64 KiB of the last it told, whatever the delay:
// the defaults do, and a config that would not is refused.
TEST(ResumeRules, TheBindingAckCadence) {
  ResumeConfig config;
  config.ack_delay = kNever;
  EXPECT_TRUE(validate(config));
  EXPECT_LE(config.ack_every, kMaxAckEvery);
  EXPECT_LE(config.ack_bytes, kMaxAckBytes);
  for (const std::uint64_t size : {std::uint64_t{1}, std::uint64_t{3000}, kMaxAckBytes}) {
    Pair p{config, config};
    p.start();
    Seq told = 0;
    std::uint64_t bytes = 0;
    for (int i = 0; i < 200; ++i) {
      const Received r = p.client.on_receive(size, 1);
      bytes += size;
      if (r.poll) {
        const std::string said = show(p.client, drain(p.client));
        EXPECT_EQ(said, "send-control \"ack " + std::to_string(r.seq) + "\"");
        told = r.seq;
        bytes = 0;
      }
      ASSERT_LT(r.seq - told, kMaxAckEvery) << size;
      ASSERT_LT(bytes, kMaxAckBytes) << size;
    }
  }
  ResumeConfig slow;
  slow.ack_every = kMaxAckEvery + 1;
  EXPECT_FALSE(validate(slow));
  slow = ResumeConfig{};
  slow.ack_bytes = kMaxAckBytes + 1;
  EXPECT_FALSE(validate(slow));
}

// --- the overhead, measured ---

// Bytes a WebSocket frame's header takes: 2, +2 or +8 for the length, +4 for a client's mask.
std::uint64_t ws_header(std::uint64_t payload, bool from_client) {
  const std::uint64_t len = payload < 126 ? 0 : payload < 65536 ? 2 : 8;
  return 2 + len + (from_client ? 4 : 0);
}

struct Overhead {
  std::uint64_t app_messages = 0, app_bytes = 0;
  std::uint64_t acks = 0, ack_bytes = 0;              // standalone acks (and the handshake)
  std::uint64_t heartbeats = 0, heartbeat_extra = 0;  // pings and pongs; bytes beyond "ping"
};

// `n` messages each way at `interval` ms, `size` bytes each; the client pings after `ping` ms
// of inbound silence (never while messages flow faster), and the server answers. Counts what
// resume adds on the wire, WebSocket headers included.
Overhead measure(int n, Millis interval, std::uint64_t size, Millis ping, Millis ack_delay) {
  ResumeConfig config;
  config.ack_delay = ack_delay;
  ResumeConfig server_config = ResumeConfig::server();
  server_config.ack_delay = ack_delay;
  ResumeState c(config, ResumeRole::kClient);
  ResumeState s(server_config, ResumeRole::kServer);
  Overhead o;
  Millis now = 0;
  auto flush = [&](ResumeState& st, bool from_client) {
    ResumeOutput out;
    ControlBuffer buf;
    while (st.poll(out)) {
      if (out.kind != OK::kSendControl) continue;
      if (out.control == CK::kPong) {  // the answer to a ping: a heartbeat frame, not an ack
        const Control pong{CK::kPong, out.from, 0, {}};
        ++o.heartbeats;
        o.heartbeat_extra += format_control(pong, buf).size() - 4;
        (from_client ? s : c).on_control(pong, now);
        continue;
      }
      const std::size_t bytes = st.control_frame(out, buf).size();
      ++o.acks;
      o.ack_bytes += bytes + ws_header(bytes, from_client);
    }
  };
  auto heartbeat = [&](const Control& frame, bool from_client) {
    ControlBuffer buf;
    ++o.heartbeats;
    o.heartbeat_extra += format_control(frame, buf).size() - 4;  // against a 4-byte "ping"
    (void)from_client;
  };
  c.on_connected(now);
  flush(c, true);
  s.on_new("k7Jm2x9QpL4vN8rT", now);
  flush(s, false);
  c.on_hello("k7Jm2x9QpL4vN8rT", 120000, now);
  flush(c, true);
  Millis last_inbound = 0;
  for (int i = 0; i < n; ++i) {
    const Millis t = i * interval;
    // Timers and heartbeats between messages.
    for (;;) {
      const Millis next_ping = last_inbound + ping;
      const Millis due = std::min({c.poll_timeout(), s.poll_timeout(), next_ping});
      if (due > t) break;
      now = due;
      if (due == next_ping) {  // the client pings, the server pongs: both carry an ack
        const Control ping_frame = c.heartbeat(CK::kPing, now);
        heartbeat(ping_frame, true);
        s.on_control(ping_frame, now);  // its pong is the server state's output
        flush(s, false);
        last_inbound = now;
      }
      c.handle_timeout(now);
      s.handle_timeout(now);
      flush(c, true);
      flush(s, false);
    }
    now = t;
    c.on_send(size, now);
    s.on_receive(size, now);
    s.on_send(size, now);
    c.on_receive(size, now);
    flush(c, true);
    flush(s, false);
    o.app_messages += 2;
    o.app_bytes += 2 * size + ws_header(size, true) + ws_header(size, false);
    last_inbound = now;
  }
  return o;
}

TEST(ResumeOverhead, Measured) {
  struct Case {
    const char* name;
    Millis interval;
    std::uint64_t size;
    Millis ack_delay;
  } cases[] = {{"chat, 1 msg/30 s each way, 100 B", 30000, 100, 30000},
               {"chat, 1 msg/5 s each way, 100 B", 5000, 100, 30000},
               {"chat, 1 msg/5 s each way, 100 B, ack_delay 1 s", 5000, 100, 1000},
               {"feed, 10 msg/s each way, 100 B", 100, 100, 30000},
               {"stream, 1000 msg/s each way, 32 B", 1, 32, 30000}};
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  for (const Case& k : cases) {
    const Overhead o = measure(10000, k.interval, k.size, 10000, k.ack_delay);
    const double per_message = d(o.ack_bytes) / d(o.app_messages);
    const double per_heartbeat = o.heartbeats == 0 ? 0 : d(o.heartbeat_extra) / d(o.heartbeats);
    std::cout << "  [overhead] " << k.name << ": " << o.app_messages
              << " app messages (+0 B each), " << o.acks << " standalone acks ("
              << 100.0 * d(o.acks) / d(o.app_messages) << " per 100 messages, " << o.ack_bytes
              << " B with headers = " << per_message << " B/message, "
              << 100.0 * d(o.ack_bytes) / d(o.app_bytes) << " % of the app's wire bytes); "
              << o.heartbeats << " heartbeat frames, each " << per_heartbeat
              << " B longer than a 4-byte \"ping\"\n";
    // At most one standalone ack per ack_every messages, plus the delay's and the handshake's.
    EXPECT_LT(per_message, 16.0) << k.name;
    EXPECT_LT(per_heartbeat, 16.0) << k.name;
  }
}

// --- the property test ---

struct Payload {
  std::uint64_t session = 0;  // the sender's session: client epoch, or server session number
  Seq seq = 0;
};

struct WireFrame {
  bool control = false;
  std::string text;  // control
  Payload payload;   // app
  std::uint64_t bytes = 0;
};

struct Side {
  explicit Side(const ResumeConfig& config, ResumeRole role) : st(config, role) {}
  ResumeState st;
  std::map<Seq, std::pair<Payload, std::uint64_t>> kept;  // the payloads the shim holds
  int expiries = 0;
  int conn = 0;   // the connection its frames go to (server); 0: none
  int bound = 0;  // the newest connection it was ever attached to (server)
};

struct World {
  std::mt19937_64 rng;
  ResumeConfig client_config, server_config;
  std::unique_ptr<Side> client;
  std::map<std::uint64_t, std::unique_ptr<Side>> sessions;  // server: number -> session
  std::uint64_t current = 0;                                // the session the server's app sends to
  std::uint64_t next_session = 1;  // server session numbers ("s<n>"), unique across its crashes
  std::uint64_t client_epoch = 1;  // bumped at every client expiry and crash
  std::map<std::uint64_t, std::uint64_t> epoch_of;  // server session -> the client epoch it got
  Millis now = 0;
  int live = 0;  // the live connection's id; 0: down
  int last_conn = 0;
  std::deque<WireFrame> c2s, s2c;
  // Connections the client gave up that the server has not let go: what the client wrote into
  // them still reaching the server, late, interleaved with newer connections' frames.
  std::map<int, std::deque<WireFrame>> c2s_old;
  // What the server wrote into the connection the client just gave up, still arriving while it
  // is down (once it connects again, the socket id filters it out before the state).
  std::deque<WireFrame> s2c_old;
  std::set<int> discarding;  // server: connections whose session it ended, until "new"
  // The client's sessions (server numbers): joined (hello), left (its expiry reported), lost in
  // a crash of the client; the one it is in.
  std::set<std::uint64_t> joined, left, crashed_in;
  std::uint64_t client_in = 0;
  std::ostringstream trace;
  bool record = false;
  std::string failure;
  std::uint64_t resumes = 0, resent = 0, delivered = 0, ignored = 0;
  std::uint64_t client_crashes = 0, server_crashes = 0, client_expiries = 0;
  std::uint64_t client_causes[4] = {}, server_causes[4] = {};

  void fail(const std::string& why) {
    if (failure.empty()) failure = why + " (at t=" + std::to_string(now) + ")";
  }
  void log(const std::string& line) {
    if (record) trace << "  t=" << now << " " << line << "\n";
  }

  Side* session_on(int conn) {
    for (auto& [n, s] : sessions) {
      if (s->conn == conn && conn != 0) return s.get();
    }
    return nullptr;
  }
  std::uint64_t number_of(const Side* side) {
    for (auto& [n, s] : sessions) {
      if (s.get() == side) return n;
    }
    return 0;
  }
  static std::uint64_t number_in(std::string_view id) {
    return id.size() > 1 && id[0] == 's' ? std::stoull(std::string(id.substr(1))) : 0;
  }
  void push_control(std::deque<WireFrame>& to, const Control& c) {
    ControlBuffer buf;
    to.push_back({true, std::string(format_control(c, buf)), {}, 0});
  }

  // Carries out a side's outputs; frames go to connection `conn` (lost unless it is live).
  void carry_out(Side& side, bool is_client) {
    ResumeOutput o;
    while (side.st.poll(o)) {
      const int conn = is_client ? live : side.conn;
      std::deque<WireFrame>& out = is_client ? c2s : s2c;
      const bool deliverable = conn != 0 && conn == live;
      switch (o.kind) {
        case OK::kSendControl: {
          ControlBuffer buf;
          const std::string_view text = side.st.control_frame(o, buf);
          if (text.empty()) fail("unformattable control frame");
          log(std::string(is_client ? "client" : "server") + " sends " +
              std::string(text.substr(kControlPrefix.size())));
          if (o.control == CK::kResumed) ++resumes;
          if (deliverable) out.push_back({true, std::string(text), {}, 0});
          break;
        }
        case OK::kResend:
          resent += o.to - o.from + 1;
          log(std::string(is_client ? "client" : "server") + " resends " + std::to_string(o.from) +
              ".." + std::to_string(o.to));
          for (Seq s = o.from; s <= o.to; ++s) {
            auto it = side.kept.find(s);
            if (it == side.kept.end()) {
              fail("resend of a payload not kept: " + std::to_string(s));
              continue;
            }
            if (deliverable) out.push_back({false, {}, it->second.first, it->second.second});
          }
          break;
        case OK::kRelease:
        case OK::kDrop:
          for (Seq s = o.from; s <= o.to; ++s) {
            if (side.kept.erase(s) != 1) fail("release or drop of a payload not kept");
          }
          break;
        case OK::kExpired:
          log(std::string(is_client ? "client" : "server") + " expired: " + to_string(o.cause));
          ++side.expiries;
          ++(is_client ? client_causes : server_causes)[static_cast<int>(o.cause)];
          if (is_client) {
            ++client_epoch;
            ++client_expiries;
            // Exactly one expiry for each session the client leaves.
            if (client_in == 0) fail("a client expiry outside a session");
            if (!left.insert(client_in).second) fail("a client expiry reported twice");
            client_in = 0;
          }
          break;
        case OK::kSession:
          log("client in session " + std::string(side.st.session()));
          client_in = number_in(side.st.session());
          if (!joined.insert(client_in).second) fail("a session joined twice");
          break;
      }
    }
  }

  void new_session(int conn) {
    const std::uint64_t n = next_session++;
    auto side = std::make_unique<Side>(server_config, ResumeRole::kServer);
    side->conn = conn;
    side->bound = conn;
    const std::string id = "s" + std::to_string(n);
    if (side->st.on_new(id, now) != CommandResult::kOk) fail("on_new refused");
    sessions[n] = std::move(side);
    current = n;
    carry_out(*sessions[n], false);
  }

  void check_bounds(const Side& side, const ResumeConfig& config) {
    if (side.st.unacked() > config.max_unacked) fail("count bound exceeded");
    if (side.st.unacked_bytes() > config.max_unacked_bytes) fail("byte bound exceeded");
    if (side.kept.size() != side.st.unacked()) fail("payloads kept != unacked");
    if (!side.kept.empty() && (side.kept.begin()->first != side.st.first_kept() ||
                               side.kept.rbegin()->first != side.st.next_seq() - 1)) {
      fail("kept payloads are not first_kept..next_seq-1");
    }
  }
  void check() {
    check_bounds(*client, client_config);
    if (!(client->st.poll_timeout() > now)) fail("client deadline not in the future");
    for (auto& [n, s] : sessions) {
      check_bounds(*s, server_config);
      if (!(s->st.poll_timeout() > now)) fail("server deadline not in the future");
    }
  }

  // --- events ---
  void client_send() {
    const std::uint64_t bytes = 1 + rng() % 60;
    const Sent s = client->st.on_send(bytes, now);
    if (s.outcome == SendOutcome::kInvalid) fail("client on_send invalid");
    if (s.outcome == SendOutcome::kFull) return;  // refused: the app had its drop event
    const Payload p{client_epoch, s.seq};
    client->kept[s.seq] = {p, bytes};
    if (s.outcome == SendOutcome::kWrite) {
      if (live == 0) fail("kWrite while down");
      c2s.push_back({false, {}, p, bytes});
    }
    carry_out(*client, true);
  }

  void server_send() {
    auto it = sessions.find(current);
    if (it == sessions.end()) return;
    Side& side = *it->second;
    const std::uint64_t bytes = 1 + rng() % 60;
    const Sent s = side.st.on_send(bytes, now);
    if (s.outcome == SendOutcome::kWrite || s.outcome == SendOutcome::kHold) {
      const Payload p{current, s.seq};
      side.kept[s.seq] = {p, bytes};
      if (s.outcome == SendOutcome::kWrite && side.conn == live && live != 0) {
        s2c.push_back({false, {}, p, bytes});
      }
    } else if (s.outcome == SendOutcome::kInvalid && side.st.phase() != ResumePhase::kEnded) {
      fail("server on_send invalid");
    }
    carry_out(side, false);
  }

  // The server lets connection `conn` go (it closed it, or noticed it die): nothing more from it.
  void let_go(int conn) {
    c2s_old.erase(conn);
    if (Side* side = session_on(conn)) {
      side->conn = 0;
      side->st.on_disconnected(now);
      carry_out(*side, false);
    }
  }

  // The server gets a frame on connection `conn`.
  void server_receives(const WireFrame& f, int conn) {
    Side* side = session_on(conn);
    if (!f.control) {
      if (side == nullptr) {
        // Sent in a session the server ended on this connection, before the client's "new";
        // or on a connection whose session has moved on.
        if (conn == live && discarding.count(conn) == 0) fail("app message outside a session");
        return;
      }
      const Received r = side->st.on_receive(f.bytes, now);
      if (r.result != CommandResult::kOk) {
        fail("server refused an app message: " + std::string(to_string(r.result)));
        return;
      }
      ++delivered;
      const std::uint64_t n = number_of(side);
      auto [it, fresh] = epoch_of.emplace(n, f.payload.session);
      if (f.payload.seq != r.seq || it->second != f.payload.session) {
        fail("server delivered client message (" + std::to_string(f.payload.session) + "," +
             std::to_string(f.payload.seq) + ") as seq " + std::to_string(r.seq) + " of s" +
             std::to_string(n));
      }
      carry_out(*side, false);
      return;
    }
    Control c;
    if (classify_text(f.text, c) != TextFrame::kControl) {
      fail("server got a frame it cannot parse");
      return;
    }
    log("server gets " + f.text.substr(kControlPrefix.size()) + " on #" + std::to_string(conn));
    switch (c.kind) {
      case CK::kNew:
        // Only as the first frame, or after "expired": never on a connection in a session.
        if (side != nullptr) {
          if (side->st.on_control(c, now) != CommandResult::kInvalidArgument) {
            fail("new in a session not refused");
          }
          fail("the client said new in a session");
          break;
        }
        discarding.erase(conn);
        new_session(conn);
        break;
      case CK::kResume: {
        if (side != nullptr) fail("resume on a connection in a session");
        const std::uint64_t n = number_in(c.session);
        auto found = sessions.find(n);
        Side* target = found == sessions.end() ? nullptr : found->second.get();
        if (target != nullptr && conn < target->bound) {
          // A resume that took longer than the one on a newer connection: stale. The server
          // closes its connection (4011) without an answer.
          log("server closes #" + std::to_string(conn) + ": stale resume");
          if (conn == live) fail("the live connection is stale");
          c2s_old.erase(conn);
          break;
        }
        if (target == nullptr) {  // unknown (freed, or lost in a crash): no session touched
          s2c_control_if_live(conn, {CK::kExpired, 0, 0, {}});
          discarding.insert(conn);
          break;
        }
        // The connection it was on, if the server still holds it, is closed (4011): nothing
        // more from it.
        if (target->conn != 0 && target->conn != conn) {
          log("server closes #" + std::to_string(target->conn) + ": superseded");
          const int superseded = target->conn;
          c2s_old.erase(superseded);
          target->conn = 0;  // on_resume detaches it
        }
        target->conn = conn;
        target->bound = conn;
        // Beyond what was sent, a gap, or an ended session: the state answers "expired".
        if (target->st.on_resume(c.seq, now) != CommandResult::kOk) fail("on_resume refused");
        carry_out(*target, false);
        current = n;
        if (target->st.phase() == ResumePhase::kEnded) {
          target->conn = 0;
          discarding.insert(conn);  // until the client's "new"
        }
        break;
      }
      case CK::kExpired:
        if (side != nullptr) {
          if (side->st.on_expired(now) != CommandResult::kOk) fail("server refused expired");
          carry_out(*side, false);
          side->conn = 0;
        }
        discarding.insert(conn);
        break;
      case CK::kPing:
        if (side == nullptr) {
          // No session on this connection (after expired): the table answers "pong 0".
          s2c_control_if_live(conn, {CK::kPong, 0, 0, {}});
          break;
        }
        [[fallthrough]];
      case CK::kAck:
      case CK::kPong:
        if (side != nullptr) {
          // The state answers a ping itself; numbers are checked while attached.
          if (side->st.on_control(c, now) == CommandResult::kInvalidArgument) fail("bad ack");
          carry_out(*side, false);
        }
        break;
      default:
        fail("server got a server's frame");
    }
  }

  void s2c_control_if_live(int conn, const Control& c) {
    if (conn != live) return;
    log("server sends " + std::string(to_string(c.kind)));
    push_control(s2c, c);
  }

  void client_receives(const WireFrame& f) {
    if (!f.control) {
      const Received r = client->st.on_receive(f.bytes, now);
      if (r.result == CommandResult::kIgnored && left.count(f.payload.session) != 0) {
        ++ignored;  // the old session's, after its expiry on this connection
        return;
      }
      if (r.result != CommandResult::kOk) {
        fail("client refused an app message of s" + std::to_string(f.payload.session) + ": " +
             to_string(r.result));
        return;
      }
      ++delivered;
      const std::string expected = "s" + std::to_string(f.payload.session);
      if (f.payload.seq != r.seq || client->st.session() != expected) {
        fail("client delivered server message (s" + std::to_string(f.payload.session) + "," +
             std::to_string(f.payload.seq) + ") as seq " + std::to_string(r.seq) + " of " +
             std::string(client->st.session()));
      }
      carry_out(*client, true);
      return;
    }
    Control c;
    if (classify_text(f.text, c) != TextFrame::kControl) {
      fail("client got a frame it cannot parse");
      return;
    }
    const CommandResult r = client->st.on_control(c, now);
    if (r == CommandResult::kInvalidArgument) {
      fail(std::string("client refused ") + to_string(c.kind));
    }
    carry_out(*client, true);
  }

  // A frame of a connection the client gave up, arriving while it is down: nothing counts.
  void client_receives_late(const WireFrame& f) {
    CommandResult r;
    if (f.control) {
      Control c;
      if (classify_text(f.text, c) != TextFrame::kControl) return fail("unparsable late frame");
      r = client->st.on_control(c, now);
    } else {
      r = client->st.on_receive(f.bytes, now).result;
    }
    if (r != CommandResult::kIgnored || client->st.pending_outputs() != 0) {
      fail(std::string("a late frame was not ignored: ") + to_string(r));
    }
  }

  void connect() {
    live = ++last_conn;
    s2c_old.clear();
    log("connect #" + std::to_string(live));
    if (client->st.on_connected(now) != CommandResult::kOk) fail("on_connected refused");
    carry_out(*client, true);
  }

  // The live connection dies. A prefix of what each side wrote still arrives: the client's at
  // the server until it lets the connection go; the server's at the client while it is down.
  void lose_live() {
    const int dead = live;
    c2s.resize(c2s.empty() ? 0 : rng() % (c2s.size() + 1));
    s2c.resize(s2c.empty() ? 0 : rng() % (s2c.size() + 1));
    if (!c2s.empty()) c2s_old[dead] = std::move(c2s);
    s2c_old = std::move(s2c);
    c2s.clear();
    s2c.clear();
    live = 0;
    if (rng() % 2 == 0) server_notices(dead);
  }

  void drop() {
    log("drop #" + std::to_string(live));
    lose_live();
    if (client->st.on_disconnected(now) != CommandResult::kOk) fail("on_disconnected refused");
    carry_out(*client, true);
  }

  // The client's process dies and starts again: a new state, a new epoch, no session.
  void client_crash() {
    log("client crashes");
    if (live != 0) lose_live();
    s2c_old.clear();
    if (client_in != 0) crashed_in.insert(client_in);
    client_in = 0;
    client = std::make_unique<Side>(client_config, ResumeRole::kClient);
    ++client_epoch;
    ++client_crashes;
  }

  // The server's process dies: its sessions and connections are gone.
  void server_crash() {
    log("server crashes");
    sessions.clear();
    c2s_old.clear();
    discarding.clear();
    current = 0;
    ++server_crashes;
    if (live != 0) {
      c2s.clear();
      s2c.clear();
      live = 0;
      if (client->st.on_disconnected(now) != CommandResult::kOk) fail("on_disconnected refused");
      carry_out(*client, true);
    }
  }

  // The server learns that a connection is gone (after its last data).
  void server_notices(int conn) {
    log("server notices #" + std::to_string(conn) + " is gone");
    let_go(conn);
  }

  // Connections the server still holds a session on, other than the live one.
  std::vector<int> held_old() {
    std::vector<int> r;
    for (auto& [n, s] : sessions) {
      if (s->conn != 0 && s->conn != live) r.push_back(s->conn);
    }
    for (auto& [conn, q] : c2s_old)
      r.push_back(conn);
    return r;
  }

  void timers() {
    if (client->st.poll_timeout() <= now) {
      client->st.handle_timeout(now);
      carry_out(*client, true);
    }
    for (auto& [n, s] : sessions) {
      if (s->st.poll_timeout() <= now) {
        s->st.handle_timeout(now);
        carry_out(*s, false);
        if (s->st.phase() == ResumePhase::kEnded) s->conn = 0;
      }
    }
  }

  void step() {
    switch (rng() % 24) {
      case 0:
      case 1:
      case 2:
        client_send();
        break;
      case 3:
      case 4:
      case 5:
        server_send();
        break;
      case 6:
      case 7:
      case 8:
      case 9:
        if (!c2s.empty()) {
          const WireFrame f = c2s.front();
          c2s.pop_front();
          server_receives(f, live);
        }
        break;
      case 10:
      case 11:
      case 12:
      case 13:
        if (!s2c.empty()) {
          const WireFrame f = s2c.front();
          s2c.pop_front();
          client_receives(f);
        }
        break;
      case 14: {  // late frames of old connections, in any order between connections
        const std::vector<int> old = held_old();
        if (old.empty()) break;
        const int conn = old[rng() % old.size()];
        auto it = c2s_old.find(conn);
        if (it != c2s_old.end() && !it->second.empty() && rng() % 4 != 0) {
          const WireFrame f = it->second.front();
          it->second.pop_front();
          if (it->second.empty()) c2s_old.erase(it);
          server_receives(f, conn);
        } else if (it == c2s_old.end() || it->second.empty()) {
          server_notices(conn);
        }
        break;
      }
      case 15:
        now += static_cast<double>(rng() % 2000);
        timers();
        break;
      case 16:
        if (live != 0 && rng() % 3 == 0) drop();
        break;
      case 17:
        if (live == 0) connect();
        break;
      case 18:
        if (live != 0 && rng() % 2 == 0) {  // the client's heartbeat
          push_control(c2s, client->st.heartbeat(CK::kPing, now));
          carry_out(*client, true);
        }
        break;
      case 19:
        if (rng() % 50 == 0) {  // the server's app ends the session on purpose
          auto it = sessions.find(current);
          if (it != sessions.end() && it->second->st.phase() != ResumePhase::kEnded) {
            Side& side = *it->second;
            const int conn = side.conn;
            side.st.expire(now);
            carry_out(side, false);
            side.conn = 0;
            if (conn != 0) discarding.insert(conn);
          }
        }
        break;
      case 20:
        if (Side* side = session_on(live); side != nullptr && rng() % 2 == 0) {
          // The server's own heartbeat; the client's state answers it.
          push_control(s2c, side->st.heartbeat(CK::kPing, now));
          carry_out(*side, false);
        }
        break;
      case 21:
        if (live == 0 && !s2c_old.empty()) {
          const WireFrame f = s2c_old.front();
          s2c_old.pop_front();
          client_receives_late(f);
        }
        break;
      case 22:
        if (rng() % 40 == 0) {  // the client's app ends the session on purpose
          client->st.expire(now);
          carry_out(*client, true);
        }
        break;
      case 23:
        if (rng() % 40 == 0) client_crash();
        if (rng() % 40 == 0) server_crash();
        break;
    }
  }

  // No more faults: connect, let everything through, let timers run, until quiet.
  void heal() {
    for (int conn : held_old())
      server_notices(conn);
    s2c_old.clear();
    for (int round = 0; round < 100; ++round) {
      if (live == 0) connect();
      while (!c2s.empty() || !s2c.empty()) {
        if (!c2s.empty()) {
          const WireFrame f = c2s.front();
          c2s.pop_front();
          server_receives(f, live);
        }
        if (!s2c.empty()) {
          const WireFrame f = s2c.front();
          s2c.pop_front();
          client_receives(f);
        }
      }
      // Connections the server still holds that are not the live one: its heartbeat finds
      // them dead.
      for (int conn : held_old())
        server_notices(conn);
      Side* cur = session_on(live);
      const bool quiet = client->st.phase() == ResumePhase::kAttached && cur != nullptr &&
                         client->st.unacked() == 0 && cur->st.unacked() == 0 &&
                         client->st.poll_timeout() == kNever && cur->st.poll_timeout() == kNever;
      if (quiet) return;
      Millis next = client->st.poll_timeout();
      if (cur != nullptr) next = std::min(next, cur->st.poll_timeout());
      if (next < kNever) {
        now = std::max(now, next);
        timers();
      } else {
        // No ack is due by the delay: the heartbeat carries them (a ping after the silence).
        now += 10000;
        timers();
        if (client->st.phase() == ResumePhase::kAttached) {
          push_control(c2s, client->st.heartbeat(CK::kPing, now));
        }
      }
    }
    fail("did not quiesce");
  }

  void final_check() {
    Side* cur = session_on(live);
    if (cur == nullptr) return fail("no server session at the end");
    const std::uint64_t n = number_of(cur);
    if (client->st.session() != "s" + std::to_string(n)) fail("client and server disagree");
    // Every message of the final session went through, both ways.
    if (cur->st.received() != client->st.next_seq() - 1) fail("client messages missing");
    if (client->st.received() != cur->st.next_seq() - 1) fail("server messages missing");
    // Every other session the server still has ended with its expiry reported once (after the
    // window passes); those of a crashed server are gone with it.
    now += server_config.session_window + 1;
    for (auto& [k, s] : sessions) {
      if (s.get() == cur) continue;
      s->st.handle_timeout(now);
      carry_out(*s, false);
      if (s->st.phase() != ResumePhase::kEnded || s->expiries != 1) {
        fail("session s" + std::to_string(k) + " neither finished nor expired");
      }
    }
    // The client reported one expiry for each session it left, unless it crashed in it; every
    // earlier epoch ended by an expiry or a crash.
    for (std::uint64_t k : joined) {
      if (k != n && left.count(k) + crashed_in.count(k) != 1) {
        fail("the client left s" + std::to_string(k) + " without its expiry reported");
      }
    }
    if (client_expiries + client_crashes != client_epoch - 1) fail("client epochs");
  }
};

ResumeConfig random_client_config(std::mt19937_64& rng) {
  ResumeConfig c;
  c.max_unacked = 1 + static_cast<std::uint32_t>(rng() % 12);
  c.max_unacked_bytes = 60 + rng() % 400;
  c.ack_every = 1 + static_cast<std::uint32_t>(rng() % 8);
  c.ack_bytes = 20 + rng() % 300;
  const Millis delays[] = {0, 100, 1000, kNever};
  c.ack_delay = delays[rng() % 4];
  return c;
}

ResumeConfig random_server_config(std::mt19937_64& rng) {
  ResumeConfig c = random_client_config(rng);
  const std::uint32_t counts[] = {3, 16, 1000};
  const std::uint64_t bytes[] = {200, 2000, 1 << 20};
  c.max_unacked = counts[rng() % 3];
  c.max_unacked_bytes = bytes[rng() % 3];
  c.overflow = rng() % 4 == 0 ? Overflow::kRefuse : Overflow::kDropOldest;
  const Millis ages[] = {1000, 20000, kNever, kNever};
  c.max_age = ages[rng() % 4];
  const Millis windows[] = {0, 3000, 60000, 60000};
  c.session_window = windows[rng() % 4];
  return c;
}

struct RunStats {
  std::uint64_t delivered = 0, expiries = 0, connects = 0, resumes = 0, resent = 0;
  std::uint64_t ignored = 0, crashes = 0;
  std::uint64_t client_causes[4] = {}, server_causes[4] = {};
};

std::string run_seed(std::uint64_t seed, bool record, RunStats& stats, std::string* trace) {
  World w;
  w.rng.seed(seed);
  w.record = record;
  w.client_config = random_client_config(w.rng);
  w.server_config = random_server_config(w.rng);
  w.client = std::make_unique<Side>(w.client_config, ResumeRole::kClient);
  const int steps = 50 + static_cast<int>(w.rng() % 400);
  for (int i = 0; i < steps && w.failure.empty(); ++i) {
    w.step();
    w.check();
  }
  if (w.failure.empty()) w.heal();
  if (w.failure.empty()) w.check();
  if (w.failure.empty()) w.final_check();
  stats.delivered += w.delivered;
  stats.resumes += w.resumes;
  stats.resent += w.resent;
  for (int i = 0; i < 4; ++i) {
    stats.client_causes[i] += w.client_causes[i];
    stats.server_causes[i] += w.server_causes[i];
  }
  stats.expiries += w.client_expiries;
  stats.ignored += w.ignored;
  stats.crashes += w.client_crashes + w.server_crashes;
  stats.connects += static_cast<std::uint64_t>(w.last_conn);
  if (trace != nullptr) *trace = w.trace.str();
  return w.failure;
}

// Random inputs, many of them invalid or out of turn, to one ResumeState: anything not kOk
// changes nothing; the bounds hold; deadlines lie in the future; outputs only name messages
// the caller holds.
std::string hostile_run(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  ResumeConfig config = random_server_config(rng);
  const ResumeRole role = rng() % 2 ? ResumeRole::kClient : ResumeRole::kServer;
  if (role == ResumeRole::kClient) config.overflow = Overflow::kRefuse;
  ResumeState st(config, role);
  std::set<Seq> held;                // the seqs whose payloads the caller keeps
  Millis now = 0, latest = -kNever;  // the latest accepted now
  auto snapshot = [&st] {
    return std::make_tuple(st.phase(), st.next_seq(), st.written(), st.peer_acked(), st.received(),
                           st.ack_sent(), st.first_kept(), st.unacked_bytes(), st.poll_timeout(),
                           st.pending_outputs(), std::string(st.session()), st.window());
  };
  auto show_state = [&st] {
    std::ostringstream o;
    o << to_string(st.phase()) << " next " << st.next_seq() << " written " << st.written()
      << " acked " << st.peer_acked() << " received " << st.received() << " told " << st.ack_sent()
      << " first " << st.first_kept() << " bytes " << st.unacked_bytes() << " deadline "
      << st.poll_timeout() << " outputs " << st.pending_outputs();
    return o.str();
  };
  auto seq = [&]() -> Seq {
    switch (rng() % 5) {
      case 0:
        return 0;
      case 1:
        return st.written() + 1;
      case 2:
        return rng() % 2 ? kMaxSeq : kMaxSeq + 1;
      default:
        return st.written() == 0 ? 0 : rng() % (st.written() + 1);
    }
  };
  const char* ids[] = {"s1", "s2", "", "bad id", "x-_9"};
  const Millis nan = std::numeric_limits<double>::quiet_NaN();
  for (int step = 0; step < 150; ++step) {
    switch (rng() % 8) {
      case 0:
        now += static_cast<double>(rng() % 3000);
        break;
      case 1:
        now = now - static_cast<double>(rng() % 100);  // backwards
        break;
      case 2:
        now = rng() % 2 ? nan : kNever;
        break;
      default:
        if (!std::isfinite(now)) now = std::isfinite(latest) ? latest : 0;
    }
    const auto before = snapshot();
    CommandResult r = CommandResult::kOk;
    switch (rng() % 14) {
      case 0:
      case 1: {
        const Sent sent = st.on_send(rng() % 2 ? rng() % 100 : rng() % 5000, now);
        if (sent.outcome == SendOutcome::kWrite || sent.outcome == SendOutcome::kHold) {
          if (!held.insert(sent.seq).second) return "a seq given twice";
        } else if (!std::isfinite(now)) {
          r = CommandResult::kInvalidTime;  // kFull, or a session that ended as time passed,
                                            // may follow timers that ran
        }
        break;
      }
      case 2:
        r = st.on_receive(rng() % 100, now).result;
        break;
      case 3:
        r = st.on_connected(now);
        break;
      case 4:
        r = st.on_disconnected(now);
        break;
      case 5:
        r = st.on_new(ids[rng() % 5], now);
        break;
      case 6:
        r = st.on_hello(ids[rng() % 5], rng() % 100000, now);
        break;
      case 7:
        r = st.on_resumed(seq(), now);
        break;
      case 8:
        r = st.on_resume(seq(), now);
        break;
      case 9:
        r = st.on_expired(now);
        break;
      case 10:
        r = st.on_ack(seq(), now);
        break;
      case 11:
        r = rng() % 4 == 0 ? st.expire(now) : st.handle_timeout(now);
        break;
      case 12:  // counts as an input (the ack told) only while attached
        if (st.phase() != ResumePhase::kAttached || !std::isfinite(now)) {
          r = CommandResult::kIgnored;
        }
        st.heartbeat(rng() % 2 ? ControlKind::kPing : ControlKind::kPong, now);
        break;
      case 13: {
        Control c;
        c.kind = static_cast<ControlKind>(rng() % kControlKindCount);
        c.seq = seq();
        c.session = ids[rng() % 5];
        r = st.on_control(c, now);
        break;
      }
    }
    if (r != CommandResult::kOk && snapshot() != before) {
      return std::string("a refused input (") + to_string(r) + ") changed the state, now " +
             show_state() + " (step " + std::to_string(step) + ")";
    }
    if (std::isfinite(now) && r == CommandResult::kOk) latest = std::max(latest, now);
    if (st.pending_outputs() > 8) return "too many outputs for one input";
    ResumeOutput o;
    while (st.poll(o)) {
      switch (o.kind) {
        case OK::kResend:
          for (Seq q = o.from; q <= o.to; ++q) {
            if (held.count(q) == 0) return "resend of a message not held";
          }
          break;
        case OK::kRelease:
        case OK::kDrop:
          for (Seq q = o.from; q <= o.to; ++q) {
            if (held.erase(q) == 0) return "release of a message not held";
          }
          break;
        case OK::kSendControl: {
          ControlBuffer buf;
          if (st.control_frame(o, buf).empty()) return "an unformattable frame";
          break;
        }
        case OK::kExpired:
          if (role == ResumeRole::kClient) held.clear();  // numbering starts again
          break;
        case OK::kSession:
          break;
      }
    }
    if (held.size() != st.unacked()) return "held != unacked";
    if (st.unacked() > config.max_unacked) return "count bound";
    if (st.unacked_bytes() > config.max_unacked_bytes) return "byte bound";
    if (st.written() >= st.next_seq() || st.first_kept() <= st.peer_acked()) return "counters";
    if (!(st.poll_timeout() > latest)) {
      return "deadline not in the future: " + std::to_string(st.poll_timeout()) +
             " <= " + std::to_string(latest) + " after step " + std::to_string(step) + " (" +
             to_string(r) + "): " + show_state();
    }
  }
  return "";
}

TEST(ResumeProperty, HostileInputsAreRefusedAndChangeNothing) {
  std::uint64_t count = 1000;  // half of LIFELINE_RESUME_SEEDS
  if (const char* n = std::getenv("LIFELINE_RESUME_SEEDS")) count = std::stoull(n) / 2 + 1;
  int failures = 0;
  for (std::uint64_t seed = 1; seed <= count && failures < 5; ++seed) {
    const std::string why = hostile_run(seed);
    if (!why.empty()) {
      ++failures;
      ADD_FAILURE() << why << " (seed " << seed << ")";
    }
  }
}

TEST(ResumeProperty, ExactlyOnceInOrderOrExpiryAcrossRandomFailures) {
  std::uint64_t count = 2000;
  if (const char* n = std::getenv("LIFELINE_RESUME_SEEDS")) count = std::stoull(n);
  RunStats stats;
  if (const char* one = std::getenv("LIFELINE_RESUME_SEED")) {
    std::string trace;
    const std::string why = run_seed(std::stoull(one), true, stats, &trace);
    std::cout << trace;
    EXPECT_EQ(why, "");
    return;
  }
  int failures = 0;
  for (std::uint64_t seed = 1; seed <= count && failures < 5; ++seed) {
    const std::string why = run_seed(seed, false, stats, nullptr);
    if (!why.empty()) {
      ++failures;
      ADD_FAILURE() << why << "\n  reproduce: LIFELINE_RESUME_SEED=" << seed;
    }
  }
  std::cout << "  [resume property] " << count << " runs: " << stats.connects << " connections, "
            << stats.resumes << " resumed sessions, " << stats.expiries << " client expiries, "
            << stats.resent << " messages (re)sent by a handshake, " << stats.delivered
            << " delivered exactly once in order, " << stats.ignored
            << " of an expired session ignored, " << stats.crashes
            << " crashes\n    expiries by cause (peer, gap, window, "
            << "explicit): client";
  for (std::uint64_t n : stats.client_causes)
    std::cout << ' ' << n;
  std::cout << ", server";
  for (std::uint64_t n : stats.server_causes)
    std::cout << ' ' << n;
  std::cout << "\n";
}

}  // namespace
}  // namespace lifeline
