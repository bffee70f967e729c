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

struct FieldInfo {
  const char* name;
  const char* expected;
};

constexpr const char* kPositiveOrOff = "a number > 0, or infinity to disable";

// Indexed by Field.
constexpr FieldInfo kFields[] = {
    {"ping_interval", kPositiveOrOff},
    {"pong_timeout", kPositiveOrOff},
    {"connect_timeout", kPositiveOrOff},
    {"reconnect_delay", "a finite number >= 0"},
    {"max_reconnect_delay", "a finite number >= reconnect_delay"},
    {"backoff_factor", "a finite number >= 1"},
    {"jitter", "a number from 0 to 1"},
    {"max_retries", "a whole number >= 0, or infinity for no limit"},
    {"min_uptime", "a number >= 0, or infinity to never reset"},
    {"timer_slack", kPositiveOrOff},
};

bool positive_or_never(double v) {
  return !std::isnan(v) && v > 0;
}
bool non_negative_finite(double v) {
  return std::isfinite(v) && v >= 0;
}

}  // namespace

const char* field_name(Field field) {
  return kFields[static_cast<int>(field)].name;
}
const char* field_expected(Field field) {
  return kFields[static_cast<int>(field)].expected;
}

std::vector<ConfigProblem> validate(const Config& c) {
  std::vector<ConfigProblem> problems;
  auto check = [&](bool ok, Field field) {
    if (!ok) problems.push_back({field, field_name(field), field_expected(field)});
  };
  check(positive_or_never(c.ping_interval), Field::kPingInterval);
  check(positive_or_never(c.pong_timeout), Field::kPongTimeout);
  check(positive_or_never(c.connect_timeout), Field::kConnectTimeout);
  check(non_negative_finite(c.reconnect_delay), Field::kReconnectDelay);
  check(non_negative_finite(c.max_reconnect_delay) &&
            !(non_negative_finite(c.reconnect_delay) && c.max_reconnect_delay < c.reconnect_delay),
        Field::kMaxReconnectDelay);
  check(std::isfinite(c.backoff_factor) && c.backoff_factor >= 1, Field::kBackoffFactor);
  check(c.jitter >= 0 && c.jitter <= 1, Field::kJitter);
  check(c.max_retries == kNever ||
            (std::isfinite(c.max_retries) && c.max_retries >= 0 &&
             c.max_retries == std::floor(c.max_retries) && c.max_retries <= 4294967295.0),
        Field::kMaxRetries);
  check(!std::isnan(c.min_uptime) && c.min_uptime >= 0, Field::kMinUptime);
  check(positive_or_never(c.timer_slack), Field::kTimerSlack);
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
