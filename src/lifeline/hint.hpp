// A server's word on when to come back: the retry hint of a close with code 1012 (Service Restart)
// or 1013 (Try Again Later), or of an HTTP 503 answer to the upgrade (its Retry-After).
//
// The hint travels in the close frame's reason (at most 123 bytes), as space-, ';'- or
// ','-separated tokens anywhere in it, so a human-readable text may come first:
//   "restarting; retry-after=30000; window=12500"
//   retry-after=<ms>  come back no sooner than this (a whole number of milliseconds)
//   window=<ms>       and spread over this much more: each client draws u in [0, 1) and comes
//                     back at retry-after + u * window
// Either may be missing (0 is assumed); a token that is not a key followed by '=' and 1 to 10
// digits is ignored. The client caps what it follows (Config::max_hint_delay) and never comes back
// sooner than its reconnect_delay, so a hostile server cannot make it loop.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lifeline/config.hpp"

namespace lifeline {

inline constexpr int kCodeServiceRestart = 1012;
inline constexpr int kCodeTryAgainLater = 1013;
inline constexpr bool is_hint_code(int code) {
  return code == kCodeServiceRestart || code == kCodeTryAgainLater;
}

inline constexpr const char* kHintRetryAfterKey = "retry-after";
inline constexpr const char* kHintWindowKey = "window";

// restart_hint() spreads the clients over their count / the accept rate times this: uniform
// random draws are not evenly spaced, and the margin keeps the busiest 100 ms near capacity
// (bench/herd measures it: the hinted-restart scenario).
inline constexpr double kHintHeadroom = 1.25;

struct RetryHint {
  Millis retry_after = 0;
  Millis window = 0;
};

// Finds a hint in a close reason. False (and `out` unchanged) if it holds neither key.
bool parse_retry_hint(std::string_view reason, RetryHint& out);

// The reason text of a hint: "retry-after=<ms> window=<ms>" (whole milliseconds, rounded up).
std::string format_retry_hint(const RetryHint& hint);

// The hint a server should give `clients` clients when it will be back after `downtime` and then
// accept `accept_per_second` new connections a second: retry-after = downtime, window = clients /
// rate * kHintHeadroom.
RetryHint restart_hint(double clients, double accept_per_second, Millis downtime);

}  // namespace lifeline
