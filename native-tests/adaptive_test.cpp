// The pong deadline learnt from the measured round trips (adaptive_pong_timeout): RFC 6298's
// estimator, its clamps, its reset on a new socket, the extra probe a missed deadline earns, and
// the two figures the feature is for: a fast link's half-open found within ping_interval + 1.5 s,
// and no false verdict on a link whose rtt wanders between 300 and 2,000 ms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "sim.hpp"

namespace lifeline::test {
namespace {

using K = OutputKind;

Config adaptive() {
  Config c = fixed_delays();
  c.adaptive_pong_timeout = true;
  return c;
}

// Lets `n` heartbeats go by (each ping_interval of silence, then the pong after peer.rtt).
void heartbeats(Sim& s, int n) {
  for (int i = 0; i < n; ++i)
    s.advance(s.conn.config().ping_interval + s.peer.rtt);
}

TEST(AdaptivePong, TheEstimatorIsRfc6298s) {
  Config c = adaptive();
  c.min_pong_timeout = 1;
  Sim s(c);
  s.peer.rtt = 100;
  open_auto(s);
  EXPECT_EQ(s.conn.stats().smoothed_rtt, -1);
  EXPECT_EQ(s.conn.pong_wait(), c.pong_timeout);
  heartbeats(s, 1);  // R = 100: SRTT = 100, RTTVAR = 50
  EXPECT_EQ(s.conn.stats().smoothed_rtt, 100);
  EXPECT_EQ(s.conn.pong_wait(), c.pong_timeout);  // too few samples yet
  heartbeats(s, 1);                               // RTTVAR = 3/4 * 50 + 1/4 * 0 = 37.5
  EXPECT_EQ(s.conn.pong_wait(), c.pong_timeout);
  s.peer.rtt = 180;
  heartbeats(s, 1);  // RTTVAR = 3/4 * 37.5 + 1/4 * 80 = 48.125; SRTT = 7/8 * 100 + 1/8 * 180 = 110
  EXPECT_DOUBLE_EQ(s.conn.stats().smoothed_rtt, 110);
  EXPECT_DOUBLE_EQ(s.conn.pong_wait(), 110 + 4 * 48.125);
  EXPECT_DOUBLE_EQ(s.conn.stats().pong_wait, 110 + 4 * 48.125);
  // The next ping is given that wait.
  s.advance(c.ping_interval);
  EXPECT_DOUBLE_EQ(s.conn.poll_timeout() - s.now, 110 + 4 * 48.125);
}

TEST(AdaptivePong, ClampedBetweenTheFloorAndPongTimeout) {
  Config c = adaptive();
  c.min_pong_timeout = 400;
  Sim fast(c);
  fast.peer.rtt = 20;
  open_auto(fast);
  heartbeats(fast, 5);
  EXPECT_EQ(fast.conn.pong_wait(), 400);
  Sim slow(c);
  slow.peer.rtt = 4000;
  open_auto(slow);
  heartbeats(slow, 3);
  slow.peer.rtt = 9000;
  heartbeats(slow, 1);
  EXPECT_EQ(slow.conn.pong_wait(), c.pong_timeout);
}

TEST(AdaptivePong, OptInAndPongTimeoutNeverKeepTheirMeaning) {
  Config off = fixed_delays();
  off.min_pong_timeout = 1;
  Sim s(off);
  s.peer.rtt = 20;
  open_auto(s);
  heartbeats(s, 5);
  EXPECT_EQ(s.conn.pong_wait(), off.pong_timeout);
  EXPECT_EQ(s.conn.stats().smoothed_rtt, 20);  // measured all the same
  Config never = adaptive();
  never.pong_timeout = kNever;  // pings only measure: nothing learnt condemns the link
  Sim n(never);
  n.peer.rtt = 20;
  open_auto(n);
  heartbeats(n, 5);
  EXPECT_EQ(n.conn.pong_wait(), kNever);
  n.peer.link_healthy = false;
  n.advance(3600000);
  EXPECT_EQ(n.conn.stats().dead_links, 0u);
}

TEST(AdaptivePong, ANewSocketLearnsAfresh) {
  Sim s(adaptive());
  s.peer.rtt = 20;
  const SocketId first = open_auto(s);
  heartbeats(s, 5);
  EXPECT_EQ(s.conn.pong_wait(), 400);
  s.closed(first, 1006);
  s.advance(2000);
  ASSERT_EQ(s.conn.state(), State::kOpen);
  EXPECT_NE(s.conn.live_socket(), first);
  EXPECT_EQ(s.conn.stats().smoothed_rtt, -1);
  EXPECT_EQ(s.conn.pong_wait(), s.conn.config().pong_timeout);
  EXPECT_EQ(s.conn.stats().pong_wait, s.conn.config().pong_timeout);
  EXPECT_EQ(s.conn.stats().last_rtt, 20);  // the last measured rtt stays as a fact
}

// When the verdict on a half-open link comes, measured from the link's death.
Millis detection(Config c, Millis rtt) {
  Sim s(c);
  s.record_trace = false;
  s.peer.rtt = rtt;
  open_auto(s);
  heartbeats(s, 6);
  const Millis died = s.now;
  s.peer.link_healthy = false;
  s.advance(c.ping_interval + c.pong_timeout);  // the first verdict, at the latest
  const auto closes = s.times_of(K::kCloseSocket);
  EXPECT_EQ(closes.size(), 1u);
  EXPECT_EQ(s.conn.stats().dead_links, 1u);
  return closes.empty() ? kNever : closes[0] - died;
}

TEST(AdaptivePong, AFastLinksHalfOpenIsFoundWithinPingIntervalPlusOneAndAHalfSeconds) {
  const Config fixed = fixed_delays();
  const Millis before = detection(fixed, 20);
  const Millis after = detection(adaptive(), 20);
  std::printf(
      "      half-open on a 20 ms link: verdict %.0f ms after the link died "
      "(pongTimeout fixed: %.0f ms)\n",
      after, before);
  EXPECT_EQ(before, fixed.ping_interval + fixed.pong_timeout);
  EXPECT_LE(after, fixed.ping_interval + 1500);
  // The path: a ping at 10 s, the learnt 400 ms missed, one probe with twice that, the verdict.
  Sim s(adaptive());
  s.peer.rtt = 20;
  open_auto(s);
  heartbeats(s, 4);
  s.peer.link_healthy = false;
  s.advance(12000);
  EXPECT_EQ(s.conn.stats().deadline_misses, 1u);
  EXPECT_EQ(s.conn.stats().dead_links, 1u);
  expect_trace(s, "adaptive_half_open");
}

TEST(AdaptivePong, ALinkWhoseRttJumpsIsNotCondemnedForOneSlowPong) {
  // A phone changes cells: 20 ms, then one pong takes 1,000 ms. The learnt 400 ms is missed, the
  // probe's 800 ms more covers it, and the late pong widens the estimate.
  Sim s(adaptive());
  s.peer.rtt = 20;
  open_auto(s);
  heartbeats(s, 4);
  EXPECT_EQ(s.conn.pong_wait(), 400);
  s.peer.rtt = 1000;
  heartbeats(s, 1);
  EXPECT_EQ(s.conn.stats().dead_links, 0u);
  EXPECT_EQ(s.conn.stats().deadline_misses, 1u);
  EXPECT_EQ(s.conn.stats().last_rtt, 1000);  // measured from the first ping
  EXPECT_GT(s.conn.pong_wait(), 1000);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  expect_trace(s, "adaptive_late_pong");
}

TEST(AdaptivePong, InboundDataDuringTheProbeProvesLife) {
  Sim s(adaptive());
  s.peer.rtt = 20;
  const SocketId id = open_auto(s);
  heartbeats(s, 4);
  s.peer.link_healthy = false;
  s.advance(s.conn.config().ping_interval + 500);  // the learnt deadline missed: probing
  EXPECT_EQ(s.conn.stats().deadline_misses, 1u);
  s.activity(id);
  s.advance(5000);
  EXPECT_EQ(s.conn.stats().dead_links, 0u);
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

TEST(AdaptivePong, NoFalseVerdictOverAnHourOfAJitteredLink) {
  // Every pong takes 300 to 2,000 ms (uniform), in order; one simulated hour per seed, with the
  // default ping interval and with one ping a second.
  for (Millis interval : {10000.0, 1000.0}) {
    std::uint64_t pings = 0, misses = 0, dead = 0;
    double wait_sum = 0, wait_min = kNever;
    for (std::uint32_t seed = 1; seed <= 10; ++seed) {
      Config c = adaptive();
      c.ping_interval = interval;
      Sim s(c);
      s.record_trace = false;
      std::mt19937_64 rng(seed);
      std::uniform_real_distribution<double> draw(300, 2000);
      s.peer.rtt_draw = [&] { return draw(rng); };
      open_auto(s);
      for (int minute = 0; minute < 60; ++minute) {
        s.advance(60000);
        wait_sum += s.conn.pong_wait();
        wait_min = std::min(wait_min, s.conn.pong_wait());
      }
      pings += s.conn.stats().pings_sent;
      misses += s.conn.stats().deadline_misses;
      dead += s.conn.stats().dead_links;
      EXPECT_EQ(s.conn.stats().connects, 1u) << "seed " << seed;
    }
    std::printf(
        "      rtt 300..2000 ms, ping every %.0f ms, 10 simulated hours: %llu pings, "
        "%llu learnt deadlines missed (each probed), %llu verdicts; wait mean %.0f, "
        "min %.0f ms\n",
        interval, static_cast<unsigned long long>(pings), static_cast<unsigned long long>(misses),
        static_cast<unsigned long long>(dead), wait_sum / 600, wait_min);
    EXPECT_EQ(dead, 0u);
  }
}

}  // namespace
}  // namespace lifeline::test

namespace lifeline::test {
namespace {

TEST(AdaptivePong, ASteadyLinkIsNotHeldToItsExactRtt) {
  // RFC 6298's G: RTTVAR goes to 0 on a steady link; the wait keeps at least G above SRTT.
  Config c = adaptive();
  c.min_pong_timeout = 0;
  Sim s(c);
  s.peer.rtt = 0;
  open_auto(s);
  heartbeats(s, 20);
  EXPECT_GE(s.conn.pong_wait(), kRttGranularity);
}

TEST(AdaptivePong, ALateTimersFreshProbeIsNotLearnt) {
  // Karn's rule: after a late timer's fresh probe, the pong may answer either ping.
  Sim s(adaptive());
  s.peer.rtt = 300;
  open_auto(s);
  heartbeats(s, 4);
  const double before = s.conn.stats().smoothed_rtt;
  s.peer.link_healthy = false;  // the pong of the next ping is lost ...
  s.advance(s.conn.config().ping_interval);
  s.peer.link_healthy = true;
  s.sleep_until(s.now + 5000);  // ... and the loop sleeps through its deadline: a fresh probe
  EXPECT_EQ(s.conn.stats().late_timers, 1u);
  s.pong(s.conn.live_socket());  // a pong queued behind the timer: 0 ms after the fresh probe
  EXPECT_EQ(s.conn.stats().dead_links, 0u);
  EXPECT_EQ(s.conn.stats().smoothed_rtt, before);
}

TEST(AdaptivePong, NoProbeWhenPongTimeoutFromTheFirstPingHasPassed) {
  // The learnt deadline handled late (within timer_slack) but past pong_timeout: the verdict
  // comes at once; a probe whose deadline already passed would be a ping counted, never sent.
  Config c = adaptive();
  c.pong_timeout = 1000;
  Sim s(c);
  s.peer.rtt = 20;
  open_auto(s);
  heartbeats(s, 4);
  ASSERT_EQ(s.conn.pong_wait(), 400);
  s.peer.link_healthy = false;
  s.advance(c.ping_interval);  // the ping
  const auto pings = s.conn.stats().pings_sent;
  s.sleep_until(s.now + 1100);  // 700 ms late: within timer_slack, past pong_timeout
  EXPECT_EQ(s.conn.stats().pings_sent, pings);
  EXPECT_EQ(s.conn.stats().deadline_misses, 0u);
  EXPECT_EQ(s.conn.stats().dead_links, 1u);
}

}  // namespace
}  // namespace lifeline::test
