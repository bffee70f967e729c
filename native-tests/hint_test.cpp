// Servers steer the herd: a 1012/1013 close (with or without a retry hint in its reason) or an
// HTTP 503 with Retry-After schedules the next attempt where the server said, spending no retry,
// and a hostile server can neither make the client loop nor send it away for good.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "lifeline/hint.hpp"
#include "sim.hpp"

namespace lifeline::test {
namespace {

using K = OutputKind;

RetryHint parsed(const std::string& reason, bool* found = nullptr) {
  RetryHint h{-1, -1};
  const bool ok = parse_retry_hint(reason, h);
  if (found) *found = ok;
  return h;
}

TEST(HintFormat, ParsesTheTokensAnywhereInTheReason) {
  auto h = parsed("retry-after=30000 window=12500");
  EXPECT_EQ(h.retry_after, 30000);
  EXPECT_EQ(h.window, 12500);
  h = parsed("restarting; retry-after=5000;window=20");
  EXPECT_EQ(h.retry_after, 5000);
  EXPECT_EQ(h.window, 20);
  h = parsed("window=100,deploy 42");
  EXPECT_EQ(h.retry_after, 0);  // a missing key is 0
  EXPECT_EQ(h.window, 100);
  h = parsed("retry-after=9999999999\twindow=0");  // ten digits: the most there may be
  EXPECT_EQ(h.retry_after, 9999999999.0);
  EXPECT_EQ(h.window, 0);
}

TEST(HintFormat, IgnoresWhatIsNotAHint) {
  for (const char* reason : {"", "going away", "retry-after=", "retry-after=abc", "xretry-after=5",
                             "retry-after=-5", "retry-after=5s", "retry-after=12345678901",
                             "Retry-After=5", "retry-after = 5", "window:5"}) {
    bool found = true;
    const RetryHint h = parsed(reason, &found);
    EXPECT_FALSE(found) << reason;
    EXPECT_EQ(h.retry_after, -1) << reason;  // `out` untouched
  }
}

TEST(HintFormat, TheServerFormulaAndTheTextRoundTrip) {
  const RetryHint h = restart_hint(10000, 1000, 30000);
  EXPECT_EQ(h.retry_after, 30000);
  EXPECT_EQ(h.window, 10000 * kSharedHintHeadroom);
  // One slot each: the 0th client in the first slot, the 9,999th in the last.
  const RetryHint first = restart_slot_hint(0, 1000, 30000);
  const RetryHint last = restart_slot_hint(9999, 1000, 30000);
  EXPECT_EQ(first.retry_after, 30000);
  EXPECT_DOUBLE_EQ(first.window, kHintHeadroom);
  EXPECT_DOUBLE_EQ(last.retry_after, 30000 + 9999 * kHintHeadroom);
  EXPECT_DOUBLE_EQ(last.retry_after + last.window, 30000 + 10000 * kHintHeadroom);
  const std::string text = format_retry_hint(h);
  EXPECT_EQ(text, "retry-after=30000 window=" + std::to_string(static_cast<int>(h.window)));
  const RetryHint back = parsed(text);
  EXPECT_EQ(back.retry_after, h.retry_after);
  EXPECT_EQ(back.window, h.window);
  EXPECT_LE(text.size(), 123u);
  // Fractions round up: a client never comes before the server said.
  EXPECT_EQ(format_retry_hint({0.2, 1.5}), "retry-after=1 window=2");
  EXPECT_EQ(restart_hint(0, 1000, -5, 0).retry_after, 0);
  // A downtime shorter than the clients' reconnect_delay starts there (they would move it there).
  EXPECT_EQ(restart_hint(10, 1000, 0).retry_after, Config{}.reconnect_delay);
  EXPECT_EQ(restart_slot_hint(0, 1000, 200, 1500).retry_after, 1500);
}

// An open connection that lived past min_uptime (so its failure count is 0).
SocketId long_lived(Sim& s) {
  const SocketId id = open_auto(s);
  s.advance(60000);
  return id;
}

TEST(ServerHints, A1012WithAHintComesBackInTheWindowWithoutSpendingARetry) {
  Config c = fixed_delays();
  Sim s(c);
  const SocketId id = long_lived(s);
  const Millis at = s.now;
  s.closed(id, kCodeServiceRestart, true, true, "restart; retry-after=30000 window=12500");
  const Output* closed = s.last(K::kClosed);
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->code, kCodeServiceRestart);
  EXPECT_TRUE(closed->will_reconnect);
  const Output* r = s.last(K::kReconnecting);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->attempt, 0u);  // not a retry
  EXPECT_GE(r->value, 30000);
  EXPECT_LT(r->value, 42500);
  EXPECT_EQ(s.conn.poll_timeout(), at + r->value);
  s.run_until(at + r->value);
  EXPECT_EQ(s.conn.state(), State::kConnecting);
  EXPECT_EQ(s.last(K::kOpenSocket)->attempt, 0u);
  EXPECT_EQ(s.conn.stats().retries, 0u);
  expect_trace(s, "restart_hint");
}

TEST(ServerHints, TheDrawsSpreadUniformlyOverTheWindow) {
  // One client per seed, as in a herd: the delays fill [retry-after, retry-after + window).
  int bins[10] = {};
  for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
    Config c;
    c.seed = seed;
    Sim s(c);
    s.record_trace = false;
    const SocketId id = long_lived(s);
    s.closed(id, kCodeServiceRestart, true, true, "retry-after=30000 window=10000");
    const Millis d = s.last(K::kReconnecting)->value;
    ASSERT_GE(d, 30000);
    ASSERT_LT(d, 40000);
    bins[static_cast<int>((d - 30000) / 1000)]++;
  }
  for (int b : bins) {
    EXPECT_GT(b, 140);  // 200 expected in each tenth
    EXPECT_LT(b, 260);
  }
}

TEST(ServerHints, WithoutAHintTheDefaultSpreadAfterTheReconnectDelay) {
  Config c = fixed_delays();
  c.restart_window = 8000;
  for (int code : {kCodeServiceRestart, kCodeTryAgainLater}) {
    Sim s(c);
    const SocketId id = long_lived(s);
    s.closed(id, code, true, true, "bye");
    const Millis d = s.last(K::kReconnecting)->value;
    EXPECT_GE(d, c.reconnect_delay) << code;
    EXPECT_LT(d, c.reconnect_delay + c.restart_window) << code;
    EXPECT_EQ(s.last(K::kReconnecting)->attempt, 0u);
  }
}

TEST(ServerHints, OtherCodesAndTurnedOffHintsUseTheBackoff) {
  for (bool hints_on : {true, false}) {
    Config c = fixed_delays();
    c.server_hints = hints_on;
    Sim s(c);
    const SocketId id = long_lived(s);
    const int code = hints_on ? 1001 : kCodeServiceRestart;
    s.closed(id, code, true, true, "retry-after=30000 window=100");
    EXPECT_EQ(s.last(K::kReconnecting)->value, c.reconnect_delay);
    EXPECT_EQ(s.last(K::kReconnecting)->attempt, 1u);
  }
  // The seed pattern knows no hints: its 5 s, counted.
  Sim seed(Config::seed_pattern());
  const SocketId id = open_auto(seed);
  seed.closed(id, kCodeServiceRestart, true, true, "retry-after=30000");
  EXPECT_EQ(seed.last(K::kReconnecting)->value, 5000);
  EXPECT_EQ(seed.last(K::kReconnecting)->attempt, 1u);
}

TEST(ServerHints, AFinalVerdictOfTheAppWins) {
  Sim s(fixed_delays());
  const SocketId id = long_lived(s);
  s.closed(id, kCodeServiceRestart, true, false, "retry-after=1000");
  EXPECT_EQ(s.conn.state(), State::kClosed);
  EXPECT_EQ(s.count(K::kReconnecting), 0u);
  EXPECT_EQ(s.last(K::kClosed)->cause, CloseCause::kFinal);
}

TEST(ServerHints, AHostileServerCanNeitherSendTheClientAwayNorMakeItLoop) {
  Config c = fixed_delays();
  c.max_hint_delay = 120000;
  // "Come back in 3 years": the spread is kept, and ends at max_hint_delay (no spike there).
  int at_cap = 0;
  Millis lowest = kNever;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    c.seed = seed;
    Sim s(c);
    s.record_trace = false;
    const SocketId id = long_lived(s);
    s.closed(id, kCodeTryAgainLater, true, true, "retry-after=9999999999 window=9999999999");
    const Millis d = s.last(K::kReconnecting)->value;
    EXPECT_GE(d, c.reconnect_delay);
    EXPECT_LE(d, c.max_hint_delay);
    at_cap += d == c.max_hint_delay;
    lowest = std::min(lowest, d);
  }
  EXPECT_LE(at_cap, 1);
  EXPECT_LT(lowest, c.max_hint_delay / 2);
  // "Come back at once", on every connection, 30 times: never sooner than reconnect_delay; after
  // the first, each counts as a retry and waits the ordinary backoff; a useful connection resets.
  c.seed = 7;
  Sim s(c);
  open_auto(s);
  std::vector<Millis> delays;
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(s.conn.state(), State::kOpen);
    s.closed(s.conn.live_socket(), kCodeTryAgainLater, true, true, "retry-after=0 window=0");
    delays.push_back(s.last(K::kReconnecting)->value);
    s.advance(delays.back() + s.peer.connect_latency);
  }
  EXPECT_EQ(delays[0], c.reconnect_delay);  // free
  EXPECT_EQ(s.conn.stats().retries, 29u);
  EXPECT_EQ(delays[1], c.reconnect_delay);  // counted: retry 1, backoff 1 s
  EXPECT_EQ(delays[2], c.reconnect_delay * c.backoff_factor);
  EXPECT_EQ(delays.back(), c.max_reconnect_delay);
  EXPECT_TRUE(std::is_sorted(delays.begin(), delays.end()));
  s.advance(c.min_uptime);
  s.closed(s.conn.live_socket(), kCodeTryAgainLater, true, true, "retry-after=0 window=0");
  EXPECT_EQ(s.last(K::kReconnecting)->value, c.reconnect_delay);
  EXPECT_EQ(s.last(K::kReconnecting)->attempt, 0u);
}

TEST(ServerHints, A503ForeverIsEventuallyGivenUpOn) {
  Config c = fixed_delays();
  c.max_retries = 3;
  Sim s(c);
  s.open();
  for (int i = 0; i < 10 && s.conn.state() == State::kConnecting; ++i) {
    s.attempt_failed(s.conn.live_socket(), 2000);
    s.advance(60000);
  }
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
  EXPECT_EQ(s.conn.stats().attempts, 5u);  // the first, one free hinted attempt, 3 retries
}

TEST(ServerHints, AHintPastMaxHintDelayIsNarrowedNotClamped) {
  Config c = fixed_delays();
  c.max_hint_delay = 300000;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    c.seed = seed;
    Sim s(c);
    s.record_trace = false;
    const SocketId id = long_lived(s);
    s.closed(id, kCodeServiceRestart, true, true, "retry-after=299000 window=20000");
    const Millis d = s.last(K::kReconnecting)->value;
    EXPECT_GE(d, 299000) << "never before the server's retry-after while it fits";
    EXPECT_LE(d, 300000);
  }
  // A cap below reconnect_delay: the floor wins, no fast loop.
  c.max_hint_delay = 0;
  Sim s(c);
  const SocketId id = long_lived(s);
  s.closed(id, kCodeServiceRestart, true, true, "retry-after=0 window=0");
  EXPECT_EQ(s.last(K::kReconnecting)->value, c.reconnect_delay);
}

TEST(ServerHints, AHintedAttemptThatFailsFallsBackToTheCountedBackoff) {
  Sim s(fixed_delays());
  const SocketId id = long_lived(s);
  s.closed(id, kCodeServiceRestart, true, true, "retry-after=2000 window=0");
  s.peer.server = Peer::Server::kRefusing;
  s.advance(2000 + s.peer.connect_latency);  // the hinted attempt, refused
  EXPECT_EQ(s.conn.state(), State::kBackoff);
  EXPECT_EQ(s.last(K::kReconnecting)->attempt, 1u);
  EXPECT_EQ(s.last(K::kReconnecting)->value, 1000);
  s.advance(1000);
  EXPECT_EQ(s.conn.stats().retries, 1u);
}

TEST(ServerHints, BackOnlineDoesNotComeSoonerThanTheServerSaid) {
  Config c = fixed_delays();
  Sim s(c);
  const SocketId id = long_lived(s);
  const Millis at = s.now;
  s.closed(id, kCodeServiceRestart, true, true, "retry-after=20000 window=0");
  s.advance(1000);
  s.network(false);
  EXPECT_EQ(s.conn.state(), State::kPaused);
  s.advance(1000);
  s.network(true);  // online at +2 s: the server said +20 s
  EXPECT_EQ(s.conn.state(), State::kBackoff);
  EXPECT_EQ(s.conn.poll_timeout(), at + 20000);
  EXPECT_EQ(s.last(K::kReconnecting)->value, 18000);
  s.advance(5000);
  s.foreground(true);  // shown: not a reason either
  EXPECT_EQ(s.conn.poll_timeout(), at + 20000);
  s.network(false);
  s.run_until(at + 30000);
  s.network(true);  // online after the hinted time: at once
  EXPECT_EQ(s.conn.state(), State::kConnecting);
  EXPECT_EQ(s.last(K::kOpenSocket)->attempt, 0u);
  // The app's reconnect() overrides the hint.
  Sim t(c);
  const SocketId id2 = long_lived(t);
  t.closed(id2, kCodeServiceRestart, true, true, "retry-after=20000");
  t.reconnect();
  t.advance(kMinDuration);
  EXPECT_EQ(t.conn.state(), State::kConnecting);
}

TEST(ServerHints, A503RetryAfterIsHeededWhileConnecting) {
  Config c = fixed_delays();
  c.restart_window = 4000;
  for (bool via_error : {false, true}) {
    Sim s(c);
    s.peer.auto_respond = false;
    s.open();
    const SocketId id = s.conn.live_socket();
    if (via_error) {
      s.error(id, 2000);
    } else {
      s.attempt_failed(id, 2000);
    }
    const Output* r = s.last(K::kReconnecting);
    ASSERT_NE(r, nullptr);
    EXPECT_GE(r->value, 2000);
    EXPECT_LT(r->value, 6000);
    EXPECT_EQ(r->attempt, 0u);
    if (via_error) expect_trace(s, "retry_after_503");
  }
  // Not an answer to the upgrade: an open socket's error is a plain loss.
  Sim s(c);
  const SocketId id = long_lived(s);
  s.error(id, 2000);
  EXPECT_EQ(s.last(K::kReconnecting)->value, c.reconnect_delay);
  EXPECT_EQ(s.last(K::kReconnecting)->attempt, 1u);
  // A Retry-After that is not a number of ms >= 0 is none.
  for (double bad : {-1.0, kNever, Connection::kNoHint}) {
    Sim u(c);
    u.open();
    u.attempt_failed(u.conn.live_socket(), bad);
    EXPECT_EQ(u.last(K::kReconnecting)->attempt, 1u) << bad;
  }
}

TEST(ServerHints, NoRetriesLeftMeansNoneEvenWithAHint) {
  Config c = fixed_delays();
  c.max_retries = 0;
  Sim s(c);
  const SocketId id = open_auto(s);
  s.closed(id, kCodeServiceRestart, true, true, "retry-after=1000");
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
}

}  // namespace
}  // namespace lifeline::test
