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
// digits is ignored. The client fits what it follows into Config::max_hint_delay and never comes
// back sooner than its reconnect_delay (growing like its backoff while hinted closes follow each
// other with no useful connection between), so a hostile server can neither make it loop nor send
// it away for good.
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
inline constexpr int kHintMaxDigits = 10;  // a value with more is not a value

// How much longer than clients / rate a server spreads its clients over. Uniform random draws
// are not evenly spaced: with one window shared by all, the busiest 100 ms of 10,000 clients sits
// about 3 standard deviations above the mean, so the shared hint needs 1.3 to stay near capacity.
// A server that gives each client its own slot (restart_slot_hint) spreads them evenly and needs
// only 1.05. bench/herd measures both (lifeline_herd --hint).
inline constexpr double kHintHeadroom = 1.05;
inline constexpr double kSharedHintHeadroom = 1.3;

struct RetryHint {
  Millis retry_after = 0;
  Millis window = 0;
};

// Finds a hint in a close reason. False (and `out` unchanged) if it holds neither key.
bool parse_retry_hint(std::string_view reason, RetryHint& out);

// The reason text of a hint: "retry-after=<ms> window=<ms>" (whole milliseconds, rounded up).
std::string format_retry_hint(const RetryHint& hint);

// The hint for the `index`-th (0-based) of the clients a server closes, when it will be back after
// `downtime` and then accept `accept_per_second` new connections a second: each client gets its
// own slot, retry-after = start + index * slot, window = slot, slot = kHintHeadroom / rate. The
// start is max(downtime, the clients' reconnect_delay): a client moves a hint that starts sooner
// to its reconnect_delay, so slots before it would all land there at once.
RetryHint restart_slot_hint(double index, double accept_per_second, Millis downtime,
                            Millis client_reconnect_delay = Config{}.reconnect_delay);

// One hint for all `clients` (a server that cannot tell them apart): retry-after = start (as
// above), window = clients / rate * kSharedHintHeadroom.
RetryHint restart_hint(double clients, double accept_per_second, Millis downtime,
                       Millis client_reconnect_delay = Config{}.reconnect_delay);

}  // namespace lifeline
