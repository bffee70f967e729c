// The backoff's distribution: bounds, spread, and the cap applied before the jitter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "lifeline/connection.hpp"

namespace lifeline {
namespace {

// The delay a real Connection announces for its n-th reconnect (0-based), for a given seed:
// the first connect and n retries are refused.
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
  Config c;  // defaults: 1000 ms, full jitter
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
  Config c;
  std::vector<double> ours, jitter_then_cap;
  for (std::uint64_t seed = 0; seed < 5000; ++seed) {
    const double d = announced_delay(c, seed, 9);  // 1000 * 2^9 is far above the 30 s cap
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 30000);
    ours.push_back(d);
    // socket.io's order for comparison: +-50 % jitter first, then the cap.
    const double u = static_cast<double>((seed * 2654435761u) % 10000) / 10000;
    jitter_then_cap.push_back(std::min(1000 * std::pow(2, 9) * (0.5 + u), 30000.0));
  }
  auto share_at_cap = [](const std::vector<double>& v) {
    return static_cast<double>(std::count(v.begin(), v.end(), 30000.0)) /
           static_cast<double>(v.size());
  };
  EXPECT_LT(share_at_cap(ours), 0.001);
  EXPECT_GT(share_at_cap(jitter_then_cap), 0.99) << "every client waits exactly the cap there";
  EXPECT_LT(fullest_bucket(ours, 0, 30000), 0.03);
}

TEST(Backoff, PartialJitterStaysInItsBand) {
  Config c;
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
  Config c;
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
