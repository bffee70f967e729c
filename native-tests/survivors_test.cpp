// Tests that fail on the mutants the other suites let live (issue 8, section 9), and explicit
// expectations for the behaviours that only a golden trace guarded (a trace is written by the code
// it checks). Each test says what it guards; time is simulated as in scenario_test.cpp.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim.hpp"

namespace lifeline::test {
namespace {

using K = OutputKind;

// The index of the first output of `kind` in `outs` (for the socket `id` unless 0), or npos.
constexpr std::size_t npos = static_cast<std::size_t>(-1);
std::size_t index_of(const std::vector<Output>& outs, K kind, SocketId id = 0) {
  for (std::size_t i = 0; i < outs.size(); ++i)
    if (outs[i].kind == kind && (id == 0 || outs[i].socket == id)) return i;
  return npos;
}
std::size_t index_of_state(const std::vector<Output>& outs, State to) {
  for (std::size_t i = 0; i < outs.size(); ++i)
    if (outs[i].kind == K::kStateChanged && outs[i].to == to) return i;
  return npos;
}
// --- Platform signals ---------------------------------------------------------------------------

// pause_or_probe must look at suspended(): a hidden browser tab still has a network.
TEST(Survivors, HidingDuringBackoffKeepsReconnectingWhenPauseInBackgroundIsOff) {
  Sim s(fixed_delays());  // pause_in_background = false
  const SocketId id = open_auto(s);
  s.closed(id, 1006);
  ASSERT_EQ(s.conn.state(), State::kBackoff);
  const Millis retry_at = s.conn.poll_timeout();
  ASSERT_EQ(retry_at, s.now + 1000);
  s.advance(200);
  s.take();
  s.foreground(false);  // hidden while waiting out the backoff
  EXPECT_EQ(s.conn.state(), State::kBackoff);
  EXPECT_EQ(s.conn.poll_timeout(), retry_at);
  EXPECT_TRUE(s.take().empty());
  s.run_until(retry_at);
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
  EXPECT_EQ(s.times_of(K::kOpenSocket).back(), retry_at);
  s.advance(s.peer.connect_latency);
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

// The counterpart: with pause_in_background on, hiding during the backoff stops the attempts; they
// are neither made nor counted until the app is shown again.
TEST(Survivors, HidingDuringBackoffPausesWhenPauseInBackgroundIsOn) {
  Config c = fixed_delays();
  c.pause_in_background = true;
  Sim s(c);
  const SocketId id = open_auto(s);
  s.closed(id, 1006);
  ASSERT_EQ(s.conn.state(), State::kBackoff);
  s.advance(200);
  s.foreground(false);
  EXPECT_EQ(s.conn.state(), State::kPaused);
  EXPECT_EQ(s.conn.poll_timeout(), kNever);
  s.advance(3600000);
  EXPECT_EQ(s.count(K::kOpenSocket), 1u);
  EXPECT_EQ(s.conn.stats().retries, 0u);
  s.foreground(true);
  EXPECT_EQ(s.conn.state(), State::kConnecting);
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
  EXPECT_EQ(s.last(K::kOpenSocket)->attempt, 1u);
}

// Only going offline probes an open socket; hiding it (either setting) leaves it alone.
TEST(Survivors, HidingAnOpenSocketChangesNothing) {
  for (const bool pause : {false, true}) {
    Config c = fixed_delays();
    c.pause_in_background = pause;
    Sim s(c);
    open_auto(s);
    s.advance(3000);
    const Millis deadline = s.conn.poll_timeout();
    s.take();
    s.foreground(false);
    EXPECT_TRUE(s.take().empty()) << "pause_in_background " << pause;
    EXPECT_EQ(s.conn.state(), State::kOpen);
    EXPECT_EQ(s.conn.poll_timeout(), deadline);
  }
}

// probe() must respect a disabled heartbeat: network and foreground changes send no pings.
TEST(Survivors, DisabledHeartbeatIgnoresNetworkAndForegroundChanges) {
  Config c = fixed_delays();
  c.ping_interval = kNever;
  Sim s(c);
  open_auto(s);
  s.advance(3000);
  s.network(true);
  s.foreground(false);
  s.foreground(true);
  s.network(false);  // offline while open probes, unless there is no heartbeat
  s.advance(60000);
  s.network(true);
  EXPECT_EQ(s.count(K::kSendPing), 0u);
  EXPECT_EQ(s.conn.stats().pings_sent, 0u);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  EXPECT_EQ(s.conn.poll_timeout(), kNever);
}

// Back online while waiting out a backoff: the pending attempt is announced again, with no delay
// left, and made at once with the number it was announced with.
TEST(Survivors, BackOnlineDuringBackoffAnnouncesTheAttemptItStarts) {
  Sim s(fixed_delays());
  const SocketId first = open_auto(s);
  s.closed(first, 1006);
  s.run_until(s.now + 1000 + s.peer.connect_latency);
  const SocketId second = s.conn.live_socket();
  ASSERT_EQ(s.conn.state(), State::kOpen);
  s.closed(second, 1006);  // within min_uptime: the second retry, 2 s away
  ASSERT_EQ(s.last(K::kReconnecting)->attempt, 2u);
  ASSERT_EQ(s.last(K::kReconnecting)->value, 2000);
  s.advance(500);
  s.take();
  s.network(true);
  const auto out = s.take();
  const std::size_t announce = index_of(out, K::kReconnecting);
  ASSERT_NE(announce, npos);
  EXPECT_EQ(out[announce].attempt, 2u);
  EXPECT_EQ(out[announce].value, 0);
  const Millis at = s.now;
  s.run_until(at + 1);
  ASSERT_EQ(s.count(K::kOpenSocket), 3u);
  EXPECT_EQ(s.last(K::kOpenSocket)->attempt, 2u);
  EXPECT_LE(s.times_of(K::kOpenSocket).back(), at + 1);
}

// A probe (online, shown, offline) while a ping is outstanding sends nothing and does not move the
// verdict's deadline: the silence since the ping still counts.
TEST(Survivors, AProbeDoesNotPostponeAnOutstandingPing) {
  Sim s(fixed_delays());
  open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  ASSERT_EQ(s.count(K::kSendPing), 1u);
  const Millis due = s.conn.poll_timeout();
  s.advance(5000);
  s.network(true);
  s.foreground(true);
  s.network(false);
  EXPECT_EQ(s.count(K::kSendPing), 1u);
  EXPECT_EQ(s.conn.poll_timeout(), due);
  s.run_until(due);
  ASSERT_NE(s.last(K::kCloseSocket), nullptr);
  EXPECT_EQ(s.last(K::kCloseSocket)->cause, CloseCause::kPongTimeout);
  EXPECT_EQ(s.times_of(K::kCloseSocket).back(), due);
}

// Hidden with pause_in_background: the close waits, uncounted and announced as a reconnect to
// come; showing the app announces and makes the first retry at once.
TEST(Survivors, ShowingAfterABackgroundCutAnnouncesTheRetry) {
  Config c = fixed_delays();
  c.pause_in_background = true;
  Sim s(c);
  const SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.foreground(false);
  s.advance(5000);
  s.take();
  s.closed(id, 1000, true);
  auto out = s.take();
  const std::size_t closed = index_of(out, K::kClosed, id);
  ASSERT_NE(closed, npos);
  EXPECT_EQ(out[closed].cause, CloseCause::kRemote);
  EXPECT_EQ(out[closed].code, 1000);
  EXPECT_TRUE(out[closed].was_clean);
  EXPECT_TRUE(out[closed].will_reconnect);
  EXPECT_EQ(count(out, K::kCloseSocket), 0u) << "the platform closed it already";
  EXPECT_EQ(count(out, K::kReconnecting), 0u) << "no delay to announce while hidden";
  EXPECT_EQ(s.conn.state(), State::kPaused);
  EXPECT_EQ(s.conn.poll_timeout(), kNever);
  s.advance(3600000);
  EXPECT_EQ(s.conn.stats().retries, 0u);
  s.foreground(true);
  out = s.take();
  const std::size_t announce = index_of(out, K::kReconnecting);
  const std::size_t attempt = index_of(out, K::kOpenSocket);
  ASSERT_NE(announce, npos);
  ASSERT_NE(attempt, npos);
  EXPECT_EQ(out[announce].attempt, 1u);
  EXPECT_EQ(out[announce].value, 0);
  EXPECT_EQ(out[attempt].attempt, 1u);
  EXPECT_EQ(s.conn.stats().retries, 1u);
  EXPECT_EQ(s.conn.state(), State::kConnecting);
}

// open() while a run is under way (connecting, open, backoff, paused) is ignored: no output, no
// new socket, the deadline unchanged.
TEST(Survivors, OpenDuringARunIsIgnored) {
  Sim s(fixed_delays());
  s.open();
  const SocketId id = s.conn.live_socket();
  auto ignored = [&s](State state) {
    ASSERT_EQ(s.conn.state(), state);
    const Millis deadline = s.conn.poll_timeout();
    s.take();
    EXPECT_EQ(s.open(), CommandResult::kIgnored) << to_string(state);
    EXPECT_TRUE(s.take().empty()) << to_string(state);
    EXPECT_EQ(s.conn.state(), state);
    EXPECT_EQ(s.conn.poll_timeout(), deadline) << to_string(state);
  };
  ignored(State::kConnecting);
  s.advance(50);
  s.opened(id);
  ignored(State::kOpen);
  s.closed(id, 1006);
  ignored(State::kBackoff);
  s.network(false);
  ignored(State::kPaused);
  EXPECT_EQ(s.count(K::kOpenSocket), 1u);
}

// --- Late timers: the grace applies once, and life renews it -------------------------------------

TEST(Survivors, TwoLateConnectDeadlinesInARowAbandonTheAttempt) {
  Sim s(fixed_delays());
  s.open();
  const SocketId id = s.conn.live_socket();
  s.sleep_until(60000);  // 50 s late: the open may be queued behind the timer, wait once more
  ASSERT_EQ(s.conn.state(), State::kConnecting);
  EXPECT_EQ(s.conn.stats().late_timers, 1u);
  EXPECT_EQ(s.conn.poll_timeout(), 60000 + 10000);
  s.sleep_until(120000);  // late again, and still no open: abandoned
  const Output* close = s.last(K::kCloseSocket);
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->socket, id);
  EXPECT_EQ(close->cause, CloseCause::kConnectTimeout);
  EXPECT_EQ(close->code, kCodeConnectTimeout);
  EXPECT_EQ(s.conn.stats().late_timers, 1u);
  EXPECT_EQ(s.conn.state(), State::kBackoff);
  EXPECT_EQ(s.conn.live_socket(), 0u);
}

TEST(Survivors, APongRenewsTheGraceOfLateDeadlines) {
  Sim s(fixed_delays());
  const SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  ASSERT_EQ(s.count(K::kSendPing), 1u);
  s.sleep_until(s.now + 60000);  // the pong deadline runs late: a fresh probe
  ASSERT_EQ(s.count(K::kSendPing), 2u);
  EXPECT_EQ(s.conn.poll_timeout(), s.now + 10000) << "the probe has its own pong deadline";
  s.advance(100);
  s.pong(id);
  ASSERT_EQ(s.count(K::kHeartbeat), 1u);
  s.advance(10000);  // silence again: the next ping, on time
  ASSERT_EQ(s.count(K::kSendPing), 3u);
  s.sleep_until(s.now + 60000);  // its deadline runs late too: the pong renewed the grace
  EXPECT_EQ(s.count(K::kCloseSocket), 0u);
  EXPECT_EQ(s.count(K::kSendPing), 4u);
  EXPECT_EQ(s.conn.stats().late_timers, 2u);
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

TEST(Survivors, AnOpenRenewsTheGraceSpentOnALateConnectDeadline) {
  Sim s(fixed_delays());
  s.open();
  const SocketId id = s.conn.live_socket();
  s.sleep_until(60000);  // the connect deadline runs late: the grace is spent
  ASSERT_EQ(s.conn.state(), State::kConnecting);
  s.advance(10);
  s.opened(id);
  ASSERT_EQ(s.conn.state(), State::kOpen);
  s.advance(10000);
  ASSERT_EQ(s.count(K::kSendPing), 1u);
  s.sleep_until(s.now + 60000);  // a late pong deadline on the new connection: a probe
  EXPECT_EQ(s.count(K::kCloseSocket), 0u);
  EXPECT_EQ(s.count(K::kSendPing), 2u);
  EXPECT_EQ(s.conn.stats().late_timers, 2u);
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

// The grace belongs to one socket: a new attempt gets its own, whatever the last one spent.
TEST(Survivors, EachAttemptHasItsOwnGrace) {
  Sim s(fixed_delays());
  open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  s.sleep_until(s.now + 60000);  // late: a fresh probe, the grace is spent
  s.sleep_until(s.now + 60000);  // late again with nothing inbound: dead
  ASSERT_EQ(s.conn.stats().dead_links, 1u);
  ASSERT_EQ(s.conn.state(), State::kBackoff);
  s.run_until(s.conn.poll_timeout());
  ASSERT_EQ(s.conn.state(), State::kConnecting);
  s.sleep_until(s.now + 60000);  // the new attempt's connect deadline runs late: it waits once more
  EXPECT_EQ(s.conn.state(), State::kConnecting);
  EXPECT_EQ(s.conn.stats().late_timers, 2u);
  EXPECT_EQ(s.count(K::kCloseSocket), 1u);
}

// Late means strictly more than timer_slack after the deadline.
TEST(Survivors, ADeadlineLateByExactlyTimerSlackIsAVerdict) {
  {
    Sim s(fixed_delays());
    open_auto(s);
    s.peer.auto_respond = false;
    s.advance(10000);
    ASSERT_EQ(s.count(K::kSendPing), 1u);
    const Millis due = s.conn.poll_timeout();
    ASSERT_EQ(due, s.now + 10000);
    s.sleep_until(due + 2000);
    ASSERT_NE(s.last(K::kCloseSocket), nullptr);
    EXPECT_EQ(s.last(K::kCloseSocket)->cause, CloseCause::kPongTimeout);
    EXPECT_EQ(s.conn.stats().late_timers, 0u);
  }
  {
    Sim s(fixed_delays());
    open_auto(s);
    s.peer.auto_respond = false;
    s.advance(10000);
    s.sleep_until(s.conn.poll_timeout() + 2001);  // one more millisecond: a fresh probe
    EXPECT_EQ(s.count(K::kCloseSocket), 0u);
    EXPECT_EQ(s.count(K::kSendPing), 2u);
    EXPECT_EQ(s.conn.stats().late_timers, 1u);
  }
  {
    Sim s(fixed_delays());
    s.open();
    s.sleep_until(10000 + 2000);
    ASSERT_NE(s.last(K::kCloseSocket), nullptr);
    EXPECT_EQ(s.last(K::kCloseSocket)->cause, CloseCause::kConnectTimeout);
    EXPECT_EQ(s.conn.stats().late_timers, 0u);
  }
}

// --- Stale ids ----------------------------------------------------------------------------------

TEST(Survivors, ActivityWithAStaleIdLeavesTheDeadlineUnchanged) {
  Sim s(fixed_delays());
  const SocketId first = open_auto(s);
  s.closed(first, 1006);
  s.run_until(s.now + 1000 + s.peer.connect_latency);
  const SocketId second = s.conn.live_socket();
  ASSERT_EQ(s.conn.state(), State::kOpen);
  ASSERT_NE(second, first);
  s.advance(3000);
  const Millis deadline = s.conn.poll_timeout();
  ASSERT_LT(deadline, kNever);
  s.activity(first);
  EXPECT_EQ(s.conn.poll_timeout(), deadline) << "the socket replaced before";
  s.activity(0);
  EXPECT_EQ(s.conn.poll_timeout(), deadline) << "0 is never a socket";
  s.activity(second + 1);
  EXPECT_EQ(s.conn.poll_timeout(), deadline) << "a socket not asked for yet";
  s.activity(second);  // the live one does move it
  EXPECT_EQ(s.conn.poll_timeout(), s.now + 10000);
}

// A batched report (`at` in the past) of data that arrived before the ping does not answer it.
TEST(Survivors, DataThatArrivedBeforeThePingDoesNotAnswerIt) {
  Sim s(fixed_delays());
  const SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  ASSERT_EQ(s.count(K::kSendPing), 1u);
  const Millis ping_at = s.now;
  const Millis due = s.conn.poll_timeout();
  s.advance(5000);
  static_cast<void>(s.conn.handle_activity(id, ping_at - 1));
  EXPECT_EQ(s.conn.poll_timeout(), due);
  s.run_until(due);
  ASSERT_NE(s.last(K::kCloseSocket), nullptr);
  EXPECT_EQ(s.last(K::kCloseSocket)->cause, CloseCause::kPongTimeout);
}

// A pong measures a round trip only if it answers a ping that is out, and only once.
TEST(Survivors, APongThatAnswersNoPingIsNoHeartbeat) {
  Sim s(fixed_delays());
  const SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.advance(1000);
  s.pong(id);  // no ping was sent on this socket
  EXPECT_EQ(s.count(K::kHeartbeat), 0u);
  EXPECT_EQ(s.conn.stats().pongs_received, 0u);
  EXPECT_EQ(s.conn.stats().last_rtt, -1);
  s.advance(10000);
  ASSERT_EQ(s.count(K::kSendPing), 1u);
  s.advance(40);
  s.pong(id);
  ASSERT_EQ(s.count(K::kHeartbeat), 1u);
  EXPECT_EQ(s.last(K::kHeartbeat)->value, 40);
  s.advance(10);
  s.pong(id);  // a duplicate
  EXPECT_EQ(s.count(K::kHeartbeat), 1u);
  EXPECT_EQ(s.conn.stats().pongs_received, 1u);
  EXPECT_EQ(s.conn.stats().last_rtt, 40);
}

// --- Backoff and configuration edges ------------------------------------------------------------

TEST(Survivors, ZeroReconnectDelayIsZeroForAnyRetryAndDraw) {
  const std::uint32_t ns[] = {
      0, 1, 10, 1023, 1024, 5000, std::numeric_limits<std::uint32_t>::max()};
  for (const double max : {0.0, 30000.0}) {
    for (const double factor : {1.0, 2.0, 10.0}) {
      for (const double jitter : {0.0, 0.5, 1.0}) {
        Config c;
        c.reconnect_delay = 0;
        c.max_reconnect_delay = max;
        c.backoff_factor = factor;
        c.jitter = jitter;
        ASSERT_TRUE(validate(c).empty());
        for (const std::uint32_t n : ns)
          for (const double u : {0.0, 0.25, 0.5, 0.999999})
            EXPECT_EQ(Connection::backoff_delay(c, n, u), 0)
                << "max " << max << " factor " << factor << " jitter " << jitter << " n " << n
                << " u " << u;
      }
    }
  }
}

TEST(Survivors, MaxRetriesTakesAnyUnsigned32BitCountAndNoMore) {
  Config c;
  c.max_retries = 4294967295.0;  // 2^32 - 1
  EXPECT_TRUE(validate(c).empty());
  c.max_retries = 4294967296.0;  // 2^32
  const auto problems = validate(c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_STREQ(problems[0].name, "max_retries");
  Connection conn(c);
  EXPECT_EQ(conn.open(0), CommandResult::kInvalidConfig);
}

// The jitter draws are splitmix64 (Steele, Lea and Flood 2014), seeded by `seed`, scaled to
// [0, 1) from their top 53 bits: the same schedule in every build. The expected values are the
// published reference outputs for seed 1234567, not values this core printed.
TEST(Survivors, JitterDrawsAreSplitmix64OfTheSeed) {
  const std::uint64_t reference[] = {6457827717110365317ULL, 3203168211198807973ULL,
                                     9817491932198370423ULL, 4593380528125082431ULL,
                                     16408922859458223821ULL};
  Config c;
  c.seed = 1234567;
  c.jitter = 1;
  c.backoff_factor = 1;  // every capped delay is 1000 ms, so each delay shows its draw
  Sim s(c);
  s.peer.auto_respond = true;
  s.peer.server = Peer::Server::kRefusing;
  s.open();
  s.run_until(60000);
  std::vector<double> delays;
  for (const auto& o : s.all())
    if (o.kind == K::kReconnecting) delays.push_back(o.value);
  ASSERT_GE(delays.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    const double u = static_cast<double>(reference[i] >> 11) * 0x1.0p-53;
    EXPECT_EQ(delays[i], 1000 * (1 - u)) << "draw " << i;
  }
}

// --- Behaviours that only a golden trace guarded -------------------------------------------------

// Every open flushes what was queued for that socket, after the state reads open and before the
// app hears `open` (so that what a listener sends goes after the queue).
TEST(Survivors, AnOpenFlushesTheQueueBeforeTheOpenEvent) {
  Sim s(fixed_delays());
  s.peer.auto_respond = true;
  s.open();
  const SocketId first = s.conn.live_socket();
  s.take();
  s.advance(s.peer.connect_latency);
  auto out = s.take();
  const std::size_t state = index_of_state(out, State::kOpen);
  const std::size_t flush = index_of(out, K::kFlushQueue, first);
  const std::size_t opened = index_of(out, K::kOpened, first);
  ASSERT_NE(state, npos);
  ASSERT_NE(flush, npos);
  ASSERT_NE(opened, npos);
  EXPECT_LT(state, flush);
  EXPECT_LT(flush, opened);
  EXPECT_EQ(count(out, K::kFlushQueue), 1u);
  EXPECT_EQ(out[opened].attempt, 0u);
  // The same for a reconnect's socket, and only when it opens.
  s.closed(first, 1006);
  EXPECT_EQ(count(s.take(), K::kFlushQueue), 0u);
  s.run_until(s.conn.poll_timeout());
  const SocketId second = s.conn.live_socket();
  EXPECT_EQ(count(s.take(), K::kFlushQueue), 0u) << "not before it opens";
  s.advance(s.peer.connect_latency);
  out = s.take();
  ASSERT_EQ(count(out, K::kFlushQueue), 1u);
  EXPECT_EQ(out[index_of(out, K::kFlushQueue)].socket, second);
  EXPECT_LT(index_of(out, K::kFlushQueue), index_of(out, K::kOpened));
  EXPECT_EQ(out[index_of(out, K::kOpened)].attempt, 1u);
}

// An error abandons the socket with a close (a mini-program's slot must be freed); a remote close
// needs none. Either way the app hears one `close` event with the code and cause, after the state
// changed, and then the announcement of the retry.
TEST(Survivors, ErrorsCloseTheSocketRemoteClosesDoNot) {
  Sim s(fixed_delays());
  const SocketId first = open_auto(s);
  s.take();
  s.error(first);
  auto out = s.take();
  std::size_t close = index_of(out, K::kCloseSocket, first);
  std::size_t state = index_of_state(out, State::kBackoff);
  std::size_t closed = index_of(out, K::kClosed, first);
  std::size_t announce = index_of(out, K::kReconnecting);
  ASSERT_NE(close, npos);
  ASSERT_NE(state, npos);
  ASSERT_NE(closed, npos);
  ASSERT_NE(announce, npos);
  EXPECT_EQ(out[close].code, kCodeAbnormal);
  EXPECT_EQ(out[close].cause, CloseCause::kError);
  EXPECT_EQ(out[closed].code, kCodeAbnormal);
  EXPECT_EQ(out[closed].cause, CloseCause::kError);
  EXPECT_FALSE(out[closed].was_clean);
  EXPECT_TRUE(out[closed].will_reconnect);
  EXPECT_EQ(out[announce].attempt, 1u);
  EXPECT_EQ(out[announce].value, 1000);
  EXPECT_LT(state, closed);
  EXPECT_LT(closed, announce);
  EXPECT_EQ(count(out, K::kClosed), 1u);

  s.run_until(s.conn.poll_timeout() + s.peer.connect_latency);
  const SocketId second = s.conn.live_socket();
  ASSERT_EQ(s.conn.state(), State::kOpen);
  s.take();
  s.closed(second, 1001, true);
  out = s.take();
  state = index_of_state(out, State::kBackoff);
  closed = index_of(out, K::kClosed, second);
  announce = index_of(out, K::kReconnecting);
  ASSERT_NE(state, npos);
  ASSERT_NE(closed, npos);
  ASSERT_NE(announce, npos);
  EXPECT_EQ(count(out, K::kCloseSocket), 0u);
  EXPECT_EQ(out[closed].code, 1001);
  EXPECT_EQ(out[closed].cause, CloseCause::kRemote);
  EXPECT_TRUE(out[closed].was_clean);
  EXPECT_TRUE(out[closed].will_reconnect);
  EXPECT_EQ(out[announce].attempt, 2u);
  EXPECT_EQ(out[announce].value, 2000);
  EXPECT_LT(state, closed);
  EXPECT_LT(closed, announce);
}

// A verdict on socket `id`: closed with `code`, the close event with the same code and `cause`,
// unclean, a reconnect to come, after the state change to backoff.
void expect_verdict(const std::vector<Output>& out, SocketId id, int code, CloseCause cause) {
  const std::size_t close = index_of(out, K::kCloseSocket, id);
  const std::size_t closed = index_of(out, K::kClosed, id);
  ASSERT_NE(close, npos);
  ASSERT_NE(closed, npos);
  EXPECT_EQ(out[close].code, code);
  EXPECT_EQ(out[closed].code, code);
  EXPECT_EQ(out[closed].cause, cause);
  EXPECT_FALSE(out[closed].was_clean);
  EXPECT_TRUE(out[closed].will_reconnect);
  EXPECT_LT(index_of_state(out, State::kBackoff), closed);
}

// The verdicts the core reaches itself close the socket and tell the app why, with the same code.
TEST(Survivors, TimeoutVerdictsCloseTheSocketAndSayWhy) {
  {
    Sim s(fixed_delays());
    s.open();
    const SocketId id = s.conn.live_socket();
    s.take();
    s.advance(10000);
    expect_verdict(s.take(), id, kCodeConnectTimeout, CloseCause::kConnectTimeout);
    // Its own close, reported later, is stale.
    s.closed(id, kCodeConnectTimeout);
    EXPECT_TRUE(s.take().empty());
  }
  {
    Sim s(fixed_delays());
    const SocketId id = open_auto(s);
    s.peer.auto_respond = false;
    const Millis opened_at = s.now;
    s.take();
    s.advance(10000);
    ASSERT_EQ(s.times_of(K::kSendPing), (std::vector<Millis>{opened_at + 10000}));
    s.advance(9999);
    EXPECT_EQ(s.count(K::kCloseSocket), 0u);
    s.advance(1);  // pong_timeout after the ping
    expect_verdict(s.take(), id, kCodePongTimeout, CloseCause::kPongTimeout);
  }
}

// Reconnects are numbered from 1; each attempt's socket carries the number its announcement gave
// and starts when its delay is over; the last failure's close says no reconnect will come, then
// the app hears how many failed.
TEST(Survivors, AttemptsAreNumberedAnnouncedAndCountedWhenGivingUp) {
  Config c = fixed_delays();
  c.max_retries = 3;
  Sim s(c);
  s.peer.auto_respond = true;
  s.peer.server = Peer::Server::kRefusing;
  s.peer.connect_latency = 0;
  s.open();
  s.run_until(1e6);
  std::vector<std::uint32_t> announced, asked;
  std::vector<Millis> planned;
  for (const auto& o : s.all()) {
    if (o.kind == K::kReconnecting) announced.push_back(o.attempt);
    if (o.kind == K::kOpenSocket) asked.push_back(o.attempt);
  }
  EXPECT_EQ(announced, (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(asked, (std::vector<std::uint32_t>{0, 1, 2, 3}));
  const auto announced_at = s.times_of(K::kReconnecting);
  const auto asked_at = s.times_of(K::kOpenSocket);
  ASSERT_EQ(announced_at.size(), 3u);
  ASSERT_EQ(asked_at.size(), 4u);
  EXPECT_EQ(asked_at[1] - announced_at[0], 1000);
  EXPECT_EQ(asked_at[2] - announced_at[1], 2000);
  EXPECT_EQ(asked_at[3] - announced_at[2], 4000);
  // The last failure: the state first, then the close event, then gave-up.
  const auto& all = s.all();
  std::size_t state = npos, closed = npos, gave_up = npos;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].kind == K::kStateChanged && all[i].to == State::kGaveUp) state = i;
    if (all[i].kind == K::kClosed) closed = i;
    if (all[i].kind == K::kGaveUp) gave_up = i;
  }
  ASSERT_NE(state, npos);
  ASSERT_NE(gave_up, npos);
  EXPECT_LT(state, closed);
  EXPECT_LT(closed, gave_up);
  EXPECT_FALSE(all[closed].will_reconnect);
  EXPECT_EQ(all[closed].cause, CloseCause::kError);
  EXPECT_EQ(all[gave_up].attempt, 3u);
  EXPECT_EQ(s.count(K::kGaveUp), 1u);
  EXPECT_EQ(s.conn.stats().retries, 3u);
}

// reconnect() on an open socket closes it with 4002 and tells the app (a clean close, a reconnect
// to come), announces attempt 0 of a fresh run, and a new socket is asked for within a millisecond.
TEST(Survivors, AForcedReconnectClosesAnnouncesAndReplaces) {
  Sim s(fixed_delays());
  const SocketId id = open_auto(s);
  s.take();
  ASSERT_EQ(s.reconnect(), CommandResult::kOk);
  const auto out = s.take();
  const std::size_t close = index_of(out, K::kCloseSocket, id);
  const std::size_t closed = index_of(out, K::kClosed, id);
  const std::size_t announce = index_of(out, K::kReconnecting);
  ASSERT_NE(close, npos);
  ASSERT_NE(closed, npos);
  ASSERT_NE(announce, npos);
  EXPECT_EQ(out[close].code, kCodeReconnect);
  EXPECT_EQ(out[close].cause, CloseCause::kForced);
  EXPECT_EQ(out[closed].code, kCodeReconnect);
  EXPECT_EQ(out[closed].cause, CloseCause::kForced);
  EXPECT_TRUE(out[closed].was_clean);
  EXPECT_TRUE(out[closed].will_reconnect);
  EXPECT_EQ(count(out, K::kClosed), 1u);
  EXPECT_EQ(out[announce].attempt, 0u);
  EXPECT_LT(closed, announce);
  const Millis at = s.now;
  s.run_until(at + 1);
  const Output* next = s.last(K::kOpenSocket);
  ASSERT_NE(next, nullptr);
  EXPECT_NE(next->socket, id);
  EXPECT_EQ(next->attempt, 0u);
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
  s.advance(s.peer.connect_latency);
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

// close() on an open socket: the socket is closed with the app's code, and the app's `close`
// event carries that code, a clean close and no reconnect, after the state reads closed.
TEST(Survivors, AnExplicitCloseReportsTheAppsCode) {
  Sim s(fixed_delays());
  const SocketId id = open_auto(s);
  s.take();
  EXPECT_EQ(s.close(4321), CommandResult::kOk);
  const auto out = s.take();
  const std::size_t close = index_of(out, K::kCloseSocket, id);
  const std::size_t state = index_of_state(out, State::kClosed);
  const std::size_t closed = index_of(out, K::kClosed, id);
  ASSERT_NE(close, npos);
  ASSERT_NE(state, npos);
  ASSERT_NE(closed, npos);
  EXPECT_EQ(out[close].code, 4321);
  EXPECT_EQ(out[closed].code, 4321);
  EXPECT_EQ(out[closed].cause, CloseCause::kExplicit);
  EXPECT_TRUE(out[closed].was_clean);
  EXPECT_FALSE(out[closed].will_reconnect);
  EXPECT_LT(state, closed);
  EXPECT_EQ(count(out, K::kClosed), 1u);
}

}  // namespace
}  // namespace lifeline::test
