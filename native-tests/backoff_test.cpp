// The backoff's distribution: bounds, spread, and the cap applied before the jitter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "lifeline/connection.hpp"
#include "sim.hpp"

namespace lifeline {
namespace {

// The delay a real Connection announces for its n-th reconnect (0-based), for a given seed:
// the first connect and n retries are refused.
// The textbook full-jitter backoff (1 s * 2^n, capped at 30 s, jitter 1): what these tests hold
// the formula to, whatever the tuned defaults are.
Config doubling() {
  Config c = test::fixed_delays();
  c.jitter = 1;
  return c;
}

double announced_delay(Config c, std::uint64_t seed, int n) {
  c.seed = seed;
  Connection conn(c);
  conn.open(0);
  double now = 0, delay = -1;
  for (int i = 0; i <= n; ++i) {
    conn.handle_socket_error(conn.live_socket(), now);
    for (Output o; conn.poll(o);)
      if (o.kind == OutputKind::kReconnecting) delay = o.value;
    now = conn.poll_timeout();
    conn.handle_timeout(now);
    for (Output o; conn.poll(o);) {
    }
  }
  return delay;
}

// Every delay a real Connection announces (its `reconnecting` outputs), in order, while the first
// connect and the next `count - 1` retries are refused; each is checked against the wait the core
// then asks for.
std::vector<double> announced_delays(Config c, std::uint64_t seed, int count) {
  c.seed = seed;
  Connection conn(c);
  conn.open(0);
  double now = 0;
  std::vector<double> delays;
  for (int i = 0; i < count; ++i) {
    conn.handle_socket_error(conn.live_socket(), now);
    for (Output o; conn.poll(o);)
      if (o.kind == OutputKind::kReconnecting) delays.push_back(o.value);
    if (delays.size() != static_cast<std::size_t>(i + 1)) {
      ADD_FAILURE() << "no reconnecting output for retry " << i;
      return delays;
    }
    EXPECT_EQ(conn.poll_timeout(), now + delays.back()) << "the announced delay is the wait";
    now = conn.poll_timeout();
    conn.handle_timeout(now);
    for (Output o; conn.poll(o);) {
    }
  }
  return delays;
}

// Share of draws in the fullest of 100 equal buckets over [lo, hi].
double fullest_bucket(const std::vector<double>& draws, double lo, double hi) {
  std::vector<int> buckets(100, 0);
  for (double d : draws) {
    int b = static_cast<int>((d - lo) / (hi - lo) * 100);
    buckets[static_cast<std::size_t>(std::clamp(b, 0, 99))]++;
  }
  return *std::max_element(buckets.begin(), buckets.end()) / static_cast<double>(draws.size());
}

TEST(Backoff, FullJitterSpreadsTheFirstDelayEvenly) {
  Config c = doubling();  // 1000 ms, full jitter
  std::vector<double> draws;
  for (std::uint64_t seed = 0; seed < 100000; ++seed)
    draws.push_back(announced_delay(c, seed, 0));
  for (double d : draws) {
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 1000);
  }
  EXPECT_LT(fullest_bucket(draws, 0, 1000), 0.012) << "no 1 % bucket holds much over 1 %";
  double mean = 0;
  for (double d : draws)
    mean += d / static_cast<double>(draws.size());
  EXPECT_NEAR(mean, 500, 10);
}

TEST(Backoff, CapIsAppliedBeforeJitterSoCappedDelaysStillSpread) {
  // What the core announces for retries 5 to 11 of refused clients: 1000 * 2^5 is already above
  // the 30 s cap, so every one of these delays is a jittered cap. Capping before the jitter
  // spreads them over [0, 30000]; jittering first would put nearly all of them at the cap.
  Config c = doubling();  // 1000 ms doubling, 30 s cap, full jitter
  std::vector<double> capped;
  for (std::uint64_t seed = 0; seed < 1500; ++seed) {
    const std::vector<double> delays = announced_delays(c, seed, 12);
    ASSERT_EQ(delays.size(), 12u);
    for (std::size_t n = 0; n < 5; ++n) {
      ASSERT_GE(delays[n], 0);
      ASSERT_LE(delays[n], 1000 * std::pow(2, n)) << "retry " << n;
    }
    capped.insert(capped.end(), delays.begin() + 5, delays.end());
  }
  double mean = 0;
  for (double d : capped) {
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 30000);
    mean += d / static_cast<double>(capped.size());
  }
  EXPECT_LT(std::count(capped.begin(), capped.end(), 30000.0), 10) << "not piled up at the cap";
  EXPECT_LT(fullest_bucket(capped, 0, 30000), 0.02) << "spread evenly below the cap";
  EXPECT_NEAR(mean, 15000, 500);
  EXPECT_LT(*std::min_element(capped.begin(), capped.end()), 300);
  EXPECT_GT(*std::max_element(capped.begin(), capped.end()), 29700);
}

TEST(Backoff, PartialJitterStaysInItsBand) {
  Config c = doubling();
  c.jitter = 0.5;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const double d = announced_delay(c, seed, 2);  // 4000 ms before jitter
    ASSERT_GE(d, 2000);
    ASSERT_LE(d, 4000);
  }
}

TEST(Backoff, SuccessiveDrawsOfOneClientAreIndependent) {
  Config c;
  c.backoff_factor = 1;  // same cap every time, so only the draws differ
  std::vector<double> draws;
  for (int n = 0; n < 2000; ++n)
    draws.push_back(announced_delay(c, 42, n));
  std::sort(draws.begin(), draws.end());
  EXPECT_GT(std::unique(draws.begin(), draws.end()) - draws.begin(), 1990);
}

TEST(Backoff, SameSeedSameSchedule) {
  Config c;
  for (int n = 0; n < 20; ++n)
    EXPECT_EQ(announced_delay(c, 9, n), announced_delay(c, 9, n));
}

TEST(Backoff, DelayFormula) {
  Config c = doubling();
  c.jitter = 0;
  EXPECT_EQ(Connection::backoff_delay(c, 0, 0.7), 1000);
  EXPECT_EQ(Connection::backoff_delay(c, 3, 0.7), 8000);
  EXPECT_EQ(Connection::backoff_delay(c, 2000, 0.7), 30000);  // pow overflows to infinity: capped
  c.jitter = 1;
  EXPECT_EQ(Connection::backoff_delay(c, 0, 0.25), 750);
  c.reconnect_delay = 0;
  c.max_reconnect_delay = 0;
  EXPECT_EQ(Connection::backoff_delay(c, 5000, 0.5), 0);
}

}  // namespace
}  // namespace lifeline
