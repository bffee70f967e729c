// Client: Connection and ResumeState wired together (lifeline/client.hpp). These pin the wiring:
// the handshake goes first on a socket, the heartbeat carries the ack, a broken protocol closes
// the socket with 4010, a reconnect resumes, and with resume off nothing changes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lifeline/client.hpp"
#include "lines.hpp"

namespace lifeline {
namespace {

using OK = ResumeOutputKind;
using test::has_line;
using test::joined;

Config resume_config() {
  Config c;
  c.resume = true;
  c.jitter = 0;
  c.reconnect_delay = 1000;
  return c;
}

std::string ctl(std::string_view body) {
  return std::string(kControlPrefix) + std::string(body);
}

// One line per output: "conn <kind>" or "res <kind> <from>..<to> @<socket>" or the frame text.
std::vector<std::string> drain(Client& c) {
  std::vector<std::string> lines;
  ClientOutput o;
  while (c.poll(o)) {
    std::string line;
    if (o.resume) {
      line = std::string("res ") + to_string(o.res.kind);
      if (o.res.kind == OK::kSendControl) {
        line += " \"" + std::string(o.frame.substr(kControlPrefix.size())) + "\"";
      } else if (o.res.kind == OK::kExpired) {
        line += std::string(" ") + to_string(o.res.cause);
      } else if (o.res.kind != OK::kSession) {
        line += " " + std::to_string(o.res.from) + ".." + std::to_string(o.res.to);
      }
      line += " @" + std::to_string(o.socket);
    } else {
      line = std::string("conn ") + to_string(o.conn.kind);
      if (!o.frame.empty())
        line += " \"" + std::string(o.frame.substr(kControlPrefix.size())) + "\"";
      if (o.conn.kind == OutputKind::kCloseSocket) line += " " + std::to_string(o.conn.code);
      if (o.conn.kind == OutputKind::kStateChanged) {
        line += std::string(" ") + to_string(o.conn.to);
      }
    }
    lines.push_back(line);
  }
  return lines;
}

// A client opened on socket 1 and given session "s1".
struct Opened {
  Client c{resume_config()};
  Opened() {
    c.open(0);
    drain(c);
    c.handle_socket_opened(1, 10);
    drain(c);
    const std::string hello = ctl("hello s1 120000");
    c.handle_control_text(1, hello, hello.size(), 20);
    drain(c);
  }
};

TEST(ClientResume, HandshakeIsTheFirstFrameOnASocket) {
  Client c(resume_config());
  c.open(0);
  drain(c);
  c.handle_socket_opened(1, 10);
  const auto out = drain(c);
  ASSERT_FALSE(out.empty());
  // Before the state change and the 'open' event, whose listeners may send.
  EXPECT_EQ(out.front(), "res send-control \"new\" @1") << joined(out);
  EXPECT_FALSE(has_line(out, "conn flush-queue")) << joined(out);
  EXPECT_TRUE(has_line(out, "conn opened")) << joined(out);
}

TEST(ClientResume, MessagesWaitForHelloThenGoInOrder) {
  Client c(resume_config());
  c.open(0);
  EXPECT_EQ(c.send(5, 1).outcome, SendOutcome::kHold);
  c.handle_socket_opened(1, 10);
  EXPECT_EQ(c.send(5, 11).outcome, SendOutcome::kHold);  // handshake: nothing before hello
  drain(c);
  const std::string hello = ctl("hello s1 120000");
  EXPECT_EQ(c.handle_control_text(1, hello, hello.size(), 20), CommandResult::kIgnored);
  const auto out = drain(c);
  EXPECT_TRUE(has_line(out, "res session @1")) << joined(out);
  EXPECT_TRUE(has_line(out, "res resend 1..2 @1")) << joined(out);
  const Sent s = c.send(5, 21);
  EXPECT_EQ(s.outcome, SendOutcome::kWrite);
  EXPECT_EQ(s.seq, 3u);
  EXPECT_EQ(c.resume_stats().unacked, 3u);
}

TEST(ClientResume, TheHeartbeatCarriesTheAckAndItsPongReleases) {
  Opened o;
  Client& c = o.c;
  c.send(3, 30);
  c.send(3, 31);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(c.handle_message(1, 10, 40 + i), CommandResult::kOk);
  drain(c);
  // Quiet for the ping interval: the ping says what was received.
  c.handle_timeout(43 + 10000);
  auto out = drain(c);
  EXPECT_TRUE(has_line(out, "conn send-ping \"ping 4\"")) << joined(out);
  const std::string pong = ctl("pong 2");
  c.handle_control_text(1, pong, pong.size(), 10100);
  out = drain(c);
  EXPECT_TRUE(has_line(out, "res release 1..2 @1")) << joined(out);
  EXPECT_TRUE(has_line(out, "conn heartbeat")) << joined(out);
  EXPECT_EQ(c.resume_stats().unacked, 0u);
  EXPECT_EQ(c.stats().pongs_received, 1u);
}

TEST(ClientResume, AReconnectResumesAndResends) {
  Opened o;
  Client& c = o.c;
  for (int i = 0; i < 3; ++i)
    c.send(3, 30);
  c.handle_message(1, 10, 40);
  c.handle_message(1, 10, 41);
  drain(c);
  // The link dies: the ping goes unanswered.
  c.handle_timeout(41 + 10000);
  c.handle_timeout(41 + 20000);
  auto out = drain(c);
  EXPECT_TRUE(has_line(out, "conn close-socket 4000")) << joined(out);
  c.send(3, 20100);  // while away: held, seq 4
  c.handle_timeout(41 + 20000 + 1000);
  out = drain(c);
  EXPECT_TRUE(has_line(out, "conn open-socket")) << joined(out);
  c.handle_socket_opened(2, 21100);
  out = drain(c);
  EXPECT_EQ(out.front(), "res send-control \"resume s1 2\" @2") << joined(out);
  const std::string resumed = ctl("resumed 1");  // the server got message 1 only
  c.handle_control_text(2, resumed, resumed.size(), 21200);
  out = drain(c);
  EXPECT_TRUE(has_line(out, "res release 1..1 @2")) << joined(out);
  EXPECT_TRUE(has_line(out, "res resend 2..4 @2")) << joined(out);
  EXPECT_EQ(c.resume_stats().resumes, 1u);
  // What the server resends continues the count: message 3.
  EXPECT_EQ(c.handle_message(2, 10, 21300), CommandResult::kOk);
  EXPECT_EQ(c.session()->received(), 3u);
}

TEST(ClientResume, AMalformedFrameClosesTheSocketWith4010AndReconnects) {
  Opened o;
  Client& c = o.c;
  const std::string bad = ctl("ack 01");
  EXPECT_EQ(c.handle_control_text(1, bad, bad.size(), 50), CommandResult::kInvalidArgument);
  const auto out = drain(c);
  EXPECT_TRUE(has_line(out, "conn close-socket 4010")) << joined(out);
  EXPECT_TRUE(has_line(out, "conn reconnecting")) << joined(out);
  EXPECT_EQ(c.resume_stats().protocol_errors, 1u);
  EXPECT_EQ(c.session()->phase(), ResumePhase::kDetached);
}

TEST(ClientResume, AnAckBeyondWhatWasSentIsAProtocolError) {
  Opened o;
  Client& c = o.c;
  c.send(3, 30);
  const std::string ack = ctl("ack 2");
  c.handle_control_text(1, ack, ack.size(), 50);
  EXPECT_TRUE(has_line(drain(c), "conn close-socket 4010"));
}

TEST(ClientResume, UnknownVerbsAreIgnoredButProveLife) {
  Opened o;
  Client& c = o.c;
  const std::string later = ctl("hint 5");
  EXPECT_EQ(c.handle_control_text(1, later, later.size(), 9000), CommandResult::kIgnored);
  drain(c);
  c.handle_timeout(9000 + 10000 - 1);
  EXPECT_FALSE(has_line(drain(c), "conn send-ping \"ping 0\""));
  c.handle_timeout(9000 + 10000);
  EXPECT_TRUE(has_line(drain(c), "conn send-ping \"ping 0\""));
}

TEST(ClientResume, AnEscapedTextIsAnApplicationMessage) {
  Opened o;
  Client& c = o.c;
  const std::string esc = std::string(kEscapePrefix) + "\x1fll:hi";
  EXPECT_EQ(c.handle_control_text(1, esc, esc.size(), 50), CommandResult::kOk);
  EXPECT_EQ(c.session()->received(), 1u);
}

TEST(ClientResume, MessagesOnAnOldSocketAreNotCounted) {
  Opened o;
  Client& c = o.c;
  c.reconnect(30);
  drain(c);
  EXPECT_EQ(c.handle_message(1, 10, 40), CommandResult::kIgnored);
  const std::string ack = ctl("ack 0");
  EXPECT_EQ(c.handle_control_text(1, ack, ack.size(), 40), CommandResult::kIgnored);
  EXPECT_EQ(c.session()->received(), 0u);
}

TEST(ClientResume, TheSessionsTimerIsTheClientsTimer) {
  Opened o;
  Client& c = o.c;
  c.handle_message(1, 10, 100);
  const Millis ack_at = 100 + ResumeConfig{}.ack_delay;
  EXPECT_LE(c.poll_timeout(), ack_at);
  // The heartbeat comes first at the defaults (10 s); it carries the ack, so no standalone one.
  c.handle_timeout(c.poll_timeout());
  EXPECT_TRUE(has_line(drain(c), "conn send-ping \"ping 1\""));
}

TEST(ClientResume, ExpireDropsWhatIsKeptAndStartsANewSession) {
  Opened o;
  Client& c = o.c;
  c.send(3, 30);
  c.send(3, 31);
  EXPECT_EQ(c.expire(40), CommandResult::kOk);
  const auto out = drain(c);
  EXPECT_TRUE(has_line(out, "res drop 1..2 @1")) << joined(out);
  EXPECT_TRUE(has_line(out, "res expired explicit @1")) << joined(out);
  EXPECT_TRUE(has_line(out, "res send-control \"new\" @1")) << joined(out);
  EXPECT_EQ(c.resume_stats().expiries, 1u);
}

TEST(ClientResume, AnUnansweredHandshakeIsAProtocolErrorAfterConnectTimeout) {
  Client c(resume_config());
  c.open(0);
  c.handle_socket_opened(1, 10);
  drain(c);
  // The server answers pings (pong 0, as it must before the handshake) but never new.
  const std::string pong = ctl("pong 0");
  for (Millis t = 1000; t < 10010; t += 1000)
    c.handle_control_text(1, pong, pong.size(), t);
  EXPECT_EQ(c.poll_timeout(), 10 + 10000);
  c.handle_timeout(10 + 10000 - 1);
  EXPECT_FALSE(has_line(drain(c), "conn close-socket 4010"));
  c.handle_timeout(10 + 10000);
  EXPECT_TRUE(has_line(drain(c), "conn close-socket 4010"));
}

TEST(ClientResume, AServerThatAnswersNewWithExpiredForEverIsLeft) {
  Opened o;
  Client& c = o.c;
  const std::string expired = ctl("expired");
  c.handle_control_text(1, expired, expired.size(), 100);  // the client says new again
  for (Millis t = 200; t < 10100; t += 500)
    c.handle_control_text(1, expired, expired.size(), t);  // ignored after an expiry
  c.handle_timeout(100 + 10000);
  EXPECT_TRUE(has_line(drain(c), "conn close-socket 4010"));
}

TEST(ClientResume, AnAnsweredHandshakeHasNoDeadline) {
  Opened o;
  EXPECT_EQ(o.c.poll_timeout(), 20 + 10000);  // the heartbeat only
}

TEST(ClientResume, CloseWithdrawsWhatTheSessionSaidAndTheShimHasNotCarriedOut) {
  Opened o;
  Client& c = o.c;
  c.send(3, 30);
  drain(c);
  const std::string expired = ctl("expired");
  c.handle_control_text(1, expired, expired.size(), 40);  // drop, expired, new: not yet polled
  ClientOutput first;
  ASSERT_TRUE(c.poll(first));
  EXPECT_EQ(first.res.kind, ResumeOutputKind::kDrop);
  c.close(41);  // from the drop's listener
  const auto out = drain(c);
  EXPECT_FALSE(has_line(out, "res expired peer @1")) << joined(out);
  EXPECT_FALSE(has_line(out, "res send-control \"new\" @1")) << joined(out);
  EXPECT_TRUE(has_line(out, "conn close-socket 1000")) << joined(out);
}

TEST(ClientResume, TheSessionsDeadlinesRunWithEveryInputNotOnlyTimeouts) {
  // Found by the fuzzer: a deadline of the session (the handshake's, an ack's) passed during an
  // input that was not a timeout left poll_timeout() earlier than the time of that input.
  Client c(resume_config());
  c.open(0);
  drain(c);
  c.handle_socket_opened(1, 21);
  drain(c);
  c.handle_network(true, 20000);  // past the handshake's deadline (21 + 10000)
  EXPECT_GT(c.poll_timeout(), c.connection().now());
  const auto out = drain(c);
  EXPECT_TRUE(has_line(out, "conn close-socket 4010")) << joined(out);
  Opened o;
  o.c.handle_message(1, 10, 100);
  o.c.handle_activity(1, 40000);  // past the ack's delay (100 + 30000)
  EXPECT_GT(o.c.poll_timeout(), o.c.connection().now());
}

TEST(ClientResume, AfterTheFinalCloseNothingIsKeptAndANewRunStartsANewSession) {
  Opened o;
  Client& c = o.c;
  c.send(3, 30);
  c.send(3, 31);
  c.close(40);
  drain(c);
  EXPECT_EQ(c.send(3, 41).outcome, SendOutcome::kInvalid);  // final: the shim dropped what it kept
  EXPECT_EQ(c.resume_stats().unacked, 0u);
  c.open(50);
  c.handle_socket_opened(2, 60);
  const auto out = drain(c);
  EXPECT_EQ(out.front(), "res send-control \"new\" @2") << joined(out);
}

TEST(ClientResume, AnAppLevelPongIsNeverWrittenWithResume) {
  Opened o;
  Client& c = o.c;
  c.handle_server_ping(1, 50);  // the shim refuses isServerPing with resume; a C++ caller may not
  for (const auto& l : drain(c))
    EXPECT_EQ(l.rfind("conn send-pong", 0), std::string::npos) << l;
}

TEST(ClientResume, OffItIsTheConnection) {
  Config cfg;
  Client c(cfg);
  c.open(0);
  c.handle_socket_opened(1, 10);
  const auto out = drain(c);
  EXPECT_TRUE(has_line(out, "conn flush-queue")) << joined(out);
  for (const auto& l : out)
    EXPECT_EQ(l.rfind("res ", 0), std::string::npos) << l;
  EXPECT_EQ(c.send(3, 20).outcome, SendOutcome::kInvalid);
  EXPECT_EQ(c.handle_message(1, 3, 20), CommandResult::kOk);
  c.handle_timeout(20 + 10000);
  bool ping = false;
  ClientOutput o;
  while (c.poll(o)) {
    if (!o.resume && o.conn.kind == OutputKind::kSendPing) {
      ping = true;
      EXPECT_TRUE(o.frame.empty());  // the shim's own ping message
    }
  }
  EXPECT_TRUE(ping);
}

}  // namespace
}  // namespace lifeline
