// Configuration of one connection's life, and its validation.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace lifeline {

// Milliseconds on any monotonic origin. A double so that JavaScript's numbers (fractional
// performance.now(), Infinity for "never") pass through the binding unchanged.
using Millis = double;

inline constexpr Millis kNever = std::numeric_limits<double>::infinity();

struct Config {
  // Inbound silence after which a ping is sent. kNever disables the heartbeat.
  Millis ping_interval = 10000;
  // How long after a ping (with nothing inbound) the link is declared dead. kNever: pings only
  // measure rtt and never condemn the link.
  Millis pong_timeout = 10000;
  // An attempt not open within this is abandoned. kNever disables it.
  Millis connect_timeout = 10000;
  // Backoff: min(max_reconnect_delay, reconnect_delay * backoff_factor^n), then jitter. The
  // defaults are the herd benchmark's pick (bench/herd, --sweep): 10,000 clients back within 1.8x
  // the ideal time after a server's return, never above 1.21x its capacity in any 100 ms (the
  // worst of 20 seeds; 1 s * 2^n capped at 30 s with full jitter took 3x, at 0.83x).
  Millis reconnect_delay = 1000;
  Millis max_reconnect_delay = 18000;
  double backoff_factor = 3;
  // Fraction of the capped delay that is random: 1 = full jitter (uniform in [0, delay]),
  // 0 = none.
  double jitter = 0.75;
  // Consecutive reconnect attempts before giving up. kNever (infinity) = never give up.
  double max_retries = kNever;
  // A connection must stay alive this long before the failure count and backoff reset.
  // kNever: they never reset (the seed pattern's lifetime counter).
  Millis min_uptime = 5000;
  // A verdict deadline handled more than this after it was due means the event loop was asleep
  // (throttled tab, frozen phone): it earns one fresh probe instead of a verdict. kNever: off.
  Millis timer_slack = 2000;
  // Answer a server's application-level ping with a pong action.
  bool answer_server_pings = true;
  // While the app is in the background, make no attempts (mini-programs have no network there).
  bool pause_in_background = false;
  // Learn the pong deadline from the measured round trips (RFC 6298's estimator: smoothed rtt +
  // 4 x its variation), between min_pong_timeout and pong_timeout; pong_timeout until
  // kRttSamplesNeeded pongs have come on the socket. A miss of the learnt deadline earns one more
  // probe, with twice the deadline (never past pong_timeout from the first ping), before the
  // verdict.
  bool adaptive_pong_timeout = false;
  // The floor of the learnt deadline.
  Millis min_pong_timeout = 400;
  // Follow a server's retry hint: a close with 1012/1013 (its reason may carry
  // "retry-after=<ms> window=<ms>", lifeline/hint.hpp) or an HTTP 503 with Retry-After schedules
  // the next attempt at retry-after + u * window, never sooner than reconnect_delay. The first
  // hinted loss after a useful connection spends no retry; more in a row count, and wait at least
  // the ordinary backoff.
  bool server_hints = true;
  // The window of a 1012/1013 close without a hint, and of a Retry-After (which has none).
  Millis restart_window = 10000;
  // The longest wait a hint can ask for: a window reaching past it is narrowed to end here (a
  // retry-after past it keeps the window's width, at most this minus reconnect_delay, ending here).
  Millis max_hint_delay = 300000;
  // Lossless resume (PROTOCOL.md): a session with the server, numbered messages kept until
  // acknowledged and resent after a reconnect, delivered once and in order (lifeline/client.hpp).
  // The server must speak the protocol.
  bool resume = false;
  // Seed of the jitter draws: the same seed gives the same schedule.
  std::uint64_t seed = 0x5eed;

  // ping "ping" 10 s after open or after each pong, close when no pong within 10 s, reconnect
  // behind a lock every 5 s, at most 12 times over the client's life.
  static Config seed_pattern();
};

// Every field, in declaration order. The contract (lifeline/contract.hpp) describes each one
// (both names, kind, default, the allowed range in words); JavaScript derives its options from it.
enum class Field : std::uint8_t {
  kPingInterval,
  kPongTimeout,
  kConnectTimeout,
  kReconnectDelay,
  kMaxReconnectDelay,
  kBackoffFactor,
  kJitter,
  kMaxRetries,
  kMinUptime,
  kTimerSlack,
  kAnswerServerPings,
  kPauseInBackground,
  kAdaptivePongTimeout,
  kMinPongTimeout,
  kServerHints,
  kRestartWindow,
  kMaxHintDelay,
  kResume,
  kSeed,
};
inline constexpr int kFieldCount = static_cast<int>(Field::kSeed) + 1;

// The shortest duration a positive duration field accepts. Anything shorter cannot be told from
// "now" on a double clock of a long-running process (a denormal deadline equals now), and no
// platform's timers resolve it.
inline constexpr Millis kMinDuration = 1;

// Pongs on a socket before its learnt pong deadline is used (adaptive_pong_timeout).
inline constexpr int kRttSamplesNeeded = 3;
// RFC 6298's G, the clock granularity: the learnt deadline is SRTT + max(G, 4 * RTTVAR), so a
// steady link (RTTVAR near 0) is not held to its exact rtt (timers fire a few ms late).
inline constexpr Millis kRttGranularity = 10;

struct ConfigProblem {
  Field field;
  const char* name;      // the C++ field name, e.g. "pong_timeout"
  const char* expected;  // e.g. "a number of milliseconds >= 1, or Infinity to disable"
};

// Every problem, not just the first. Empty means valid.
std::vector<ConfigProblem> validate(const Config& config);

const char* field_name(Field field);
const char* field_expected(Field field);

}  // namespace lifeline
