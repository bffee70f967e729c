#include <cmath>

#include "lifeline/config.hpp"
#include "lifeline/types.hpp"

namespace lifeline {

Config Config::seed_pattern() {
  Config c;
  c.ping_interval = 10000;
  c.pong_timeout = 10000;
  c.connect_timeout = kNever;  // the seed has none
  c.reconnect_delay = 5000;
  c.max_reconnect_delay = 5000;
  c.backoff_factor = 1;
  c.jitter = 0;
  c.max_retries = 12;
  c.min_uptime = kNever;   // its counter never resets
  c.timer_slack = kNever;  // it trusts every timer
  return c;
}

namespace {

const char* const kFieldNames[] = {
    "ping_interval",  "pong_timeout", "connect_timeout", "reconnect_delay", "max_reconnect_delay",
    "backoff_factor", "jitter",       "max_retries",     "min_uptime",      "timer_slack",
};

bool positive_or_never(double v) {
  return !std::isnan(v) && v > 0;
}
bool non_negative_finite(double v) {
  return std::isfinite(v) && v >= 0;
}

}  // namespace

const char* field_name(Field field) {
  return kFieldNames[static_cast<int>(field)];
}

std::vector<ConfigProblem> validate(const Config& c) {
  std::vector<ConfigProblem> problems;
  auto check = [&](bool ok, Field field, const char* expected) {
    if (!ok) problems.push_back({field, field_name(field), expected});
  };
  constexpr const char* kPositiveOrOff = "a number > 0, or infinity to disable";
  check(positive_or_never(c.ping_interval), Field::kPingInterval, kPositiveOrOff);
  check(positive_or_never(c.pong_timeout), Field::kPongTimeout, kPositiveOrOff);
  check(positive_or_never(c.connect_timeout), Field::kConnectTimeout, kPositiveOrOff);
  check(non_negative_finite(c.reconnect_delay), Field::kReconnectDelay, "a finite number >= 0");
  check(non_negative_finite(c.max_reconnect_delay) &&
            !(non_negative_finite(c.reconnect_delay) && c.max_reconnect_delay < c.reconnect_delay),
        Field::kMaxReconnectDelay, "a finite number >= reconnect_delay");
  check(std::isfinite(c.backoff_factor) && c.backoff_factor >= 1, Field::kBackoffFactor,
        "a finite number >= 1");
  check(c.jitter >= 0 && c.jitter <= 1, Field::kJitter, "a number from 0 to 1");
  check(c.max_retries == kNever ||
            (std::isfinite(c.max_retries) && c.max_retries >= 0 &&
             c.max_retries == std::floor(c.max_retries) && c.max_retries <= 4294967295.0),
        Field::kMaxRetries, "a whole number >= 0, or infinity for no limit");
  check(!std::isnan(c.min_uptime) && c.min_uptime >= 0, Field::kMinUptime,
        "a number >= 0, or infinity to never reset");
  check(positive_or_never(c.timer_slack), Field::kTimerSlack, kPositiveOrOff);
  return problems;
}

const char* to_string(State state) {
  switch (state) {
    case State::kIdle:
      return "idle";
    case State::kConnecting:
      return "connecting";
    case State::kOpen:
      return "open";
    case State::kBackoff:
      return "backoff";
    case State::kPaused:
      return "paused";
    case State::kGaveUp:
      return "gave-up";
    case State::kClosed:
      return "closed";
  }
  return "?";
}

const char* to_string(CloseCause cause) {
  switch (cause) {
    case CloseCause::kExplicit:
      return "explicit";
    case CloseCause::kRemote:
      return "remote";
    case CloseCause::kError:
      return "error";
    case CloseCause::kPongTimeout:
      return "pong-timeout";
    case CloseCause::kConnectTimeout:
      return "connect-timeout";
    case CloseCause::kForced:
      return "forced";
    case CloseCause::kFinal:
      return "final";
  }
  return "?";
}

const char* to_string(OutputKind kind) {
  switch (kind) {
    case OutputKind::kOpenSocket:
      return "open-socket";
    case OutputKind::kSendPing:
      return "send-ping";
    case OutputKind::kSendPong:
      return "send-pong";
    case OutputKind::kCloseSocket:
      return "close-socket";
    case OutputKind::kFlushQueue:
      return "flush-queue";
    case OutputKind::kOpened:
      return "opened";
    case OutputKind::kClosed:
      return "closed";
    case OutputKind::kReconnecting:
      return "reconnecting";
    case OutputKind::kGaveUp:
      return "gave-up";
    case OutputKind::kHeartbeat:
      return "heartbeat";
    case OutputKind::kStateChanged:
      return "state";
  }
  return "?";
}

const char* to_string(CommandResult result) {
  switch (result) {
    case CommandResult::kOk:
      return "ok";
    case CommandResult::kIgnored:
      return "ignored";
    case CommandResult::kInvalidConfig:
      return "invalid-config";
  }
  return "?";
}

}  // namespace lifeline
