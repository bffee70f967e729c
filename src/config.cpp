#include <cmath>
#include <cstring>

#include "lifeline/config.hpp"
#include "lifeline/contract.hpp"
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
  c.adaptive_pong_timeout = false;
  c.server_hints = false;  // it knows no hints: every close waits its 5 s
  return c;
}

namespace {

bool duration_or_never(double v) {
  return v == kNever || (std::isfinite(v) && v >= kMinDuration);
}
bool delay(double v) {
  return v == 0 || (std::isfinite(v) && v >= kMinDuration);
}
bool whole_32(double v) {
  return std::isfinite(v) && v >= 0 && v <= 4294967295.0 && v == std::floor(v);
}

// The table's words (names, the allowed values) are left out of the WebAssembly build
// (LIFELINE_NO_CONTRACT_TEXT): the shim has them from js/contract-data.js, which the build prints
// from this same table (src/wasm/print_contract.cpp), and the core only needs the accessors.
#ifdef LIFELINE_NO_CONTRACT_TEXT
#define LIFELINE_TEXT(s) ""
#else
#define LIFELINE_TEXT(s) s
#endif

constexpr const char* kDurationWords =
    LIFELINE_TEXT("a number of milliseconds >= 1, or Infinity to disable");
constexpr const char* kDelayWords = LIFELINE_TEXT("0, or a finite number of milliseconds >= 1");
constexpr const char* kFlagWords = LIFELINE_TEXT("true or false");

bool set_flag(bool& field, double v) {
  if (v != 0 && v != 1) return false;
  field = v == 1;
  return true;
}

// Indexed by Field. The getters give the defaults (from Config{}) and the seed pattern's values
// (from Config::seed_pattern()), so neither is written twice.
constexpr FieldSpec kFields[] = {
    {Field::kPingInterval, LIFELINE_TEXT("ping_interval"), LIFELINE_TEXT("pingInterval"),
     FieldKind::kDuration, kDurationWords, [](const Config& c) { return c.ping_interval; },
     [](Config& c, double v) { return c.ping_interval = v, true; }},
    {Field::kPongTimeout, LIFELINE_TEXT("pong_timeout"), LIFELINE_TEXT("pongTimeout"),
     FieldKind::kDuration, kDurationWords, [](const Config& c) { return c.pong_timeout; },
     [](Config& c, double v) { return c.pong_timeout = v, true; }},
    {Field::kConnectTimeout, LIFELINE_TEXT("connect_timeout"), LIFELINE_TEXT("connectTimeout"),
     FieldKind::kDuration, kDurationWords, [](const Config& c) { return c.connect_timeout; },
     [](Config& c, double v) { return c.connect_timeout = v, true; }},
    {Field::kReconnectDelay, LIFELINE_TEXT("reconnect_delay"), LIFELINE_TEXT("reconnectDelay"),
     FieldKind::kDelay, kDelayWords, [](const Config& c) { return c.reconnect_delay; },
     [](Config& c, double v) { return c.reconnect_delay = v, true; }},
    {Field::kMaxReconnectDelay, LIFELINE_TEXT("max_reconnect_delay"),
     LIFELINE_TEXT("maxReconnectDelay"), FieldKind::kMaxDelay,
     LIFELINE_TEXT("a finite number of milliseconds >= the reconnect delay"),
     [](const Config& c) { return c.max_reconnect_delay; },
     [](Config& c, double v) { return c.max_reconnect_delay = v, true; }},
    {Field::kBackoffFactor, LIFELINE_TEXT("backoff_factor"), LIFELINE_TEXT("backoffFactor"),
     FieldKind::kFactor, LIFELINE_TEXT("a finite number >= 1"),
     [](const Config& c) { return c.backoff_factor; },
     [](Config& c, double v) { return c.backoff_factor = v, true; }},
    {Field::kJitter, LIFELINE_TEXT("jitter"), LIFELINE_TEXT("jitter"), FieldKind::kFraction,
     LIFELINE_TEXT("a number from 0 to 1"), [](const Config& c) { return c.jitter; },
     [](Config& c, double v) { return c.jitter = v, true; }},
    {Field::kMaxRetries, LIFELINE_TEXT("max_retries"), LIFELINE_TEXT("maxRetries"),
     FieldKind::kCount,
     LIFELINE_TEXT("a whole number from 0 to 4294967295, or Infinity for no limit"),
     [](const Config& c) { return c.max_retries; },
     [](Config& c, double v) { return c.max_retries = v, true; }},
    {Field::kMinUptime, LIFELINE_TEXT("min_uptime"), LIFELINE_TEXT("minUptime"), FieldKind::kUptime,
     LIFELINE_TEXT("a number of milliseconds >= 0, or Infinity to never reset"),
     [](const Config& c) { return c.min_uptime; },
     [](Config& c, double v) { return c.min_uptime = v, true; }},
    {Field::kTimerSlack, LIFELINE_TEXT("timer_slack"), LIFELINE_TEXT("timerSlack"),
     FieldKind::kDuration, kDurationWords, [](const Config& c) { return c.timer_slack; },
     [](Config& c, double v) { return c.timer_slack = v, true; }},
    {Field::kAnswerServerPings, LIFELINE_TEXT("answer_server_pings"),
     LIFELINE_TEXT("answerServerPings"), FieldKind::kFlag, kFlagWords,
     [](const Config& c) { return c.answer_server_pings ? 1.0 : 0.0; },
     [](Config& c, double v) { return set_flag(c.answer_server_pings, v); }},
    {Field::kPauseInBackground, LIFELINE_TEXT("pause_in_background"),
     LIFELINE_TEXT("pauseInBackground"), FieldKind::kFlag, kFlagWords,
     [](const Config& c) { return c.pause_in_background ? 1.0 : 0.0; },
     [](Config& c, double v) { return set_flag(c.pause_in_background, v); }},
    {Field::kAdaptivePongTimeout, LIFELINE_TEXT("adaptive_pong_timeout"),
     LIFELINE_TEXT("adaptivePongTimeout"), FieldKind::kFlag, kFlagWords,
     [](const Config& c) { return c.adaptive_pong_timeout ? 1.0 : 0.0; },
     [](Config& c, double v) { return set_flag(c.adaptive_pong_timeout, v); }},
    {Field::kMinPongTimeout, LIFELINE_TEXT("min_pong_timeout"), LIFELINE_TEXT("minPongTimeout"),
     FieldKind::kDelay, kDelayWords, [](const Config& c) { return c.min_pong_timeout; },
     [](Config& c, double v) { return c.min_pong_timeout = v, true; }},
    {Field::kServerHints, LIFELINE_TEXT("server_hints"), LIFELINE_TEXT("serverHints"),
     FieldKind::kFlag, kFlagWords, [](const Config& c) { return c.server_hints ? 1.0 : 0.0; },
     [](Config& c, double v) { return set_flag(c.server_hints, v); }},
    {Field::kRestartWindow, LIFELINE_TEXT("restart_window"), LIFELINE_TEXT("restartWindow"),
     FieldKind::kDelay, kDelayWords, [](const Config& c) { return c.restart_window; },
     [](Config& c, double v) { return c.restart_window = v, true; }},
    {Field::kMaxHintDelay, LIFELINE_TEXT("max_hint_delay"), LIFELINE_TEXT("maxHintDelay"),
     FieldKind::kDelay, kDelayWords, [](const Config& c) { return c.max_hint_delay; },
     [](Config& c, double v) { return c.max_hint_delay = v, true; }},
    {Field::kResume, LIFELINE_TEXT("resume"), LIFELINE_TEXT("resume"), FieldKind::kFlag, kFlagWords,
     [](const Config& c) { return c.resume ? 1.0 : 0.0; },
     [](Config& c, double v) { return set_flag(c.resume, v); }},
    {Field::kSeed, LIFELINE_TEXT("seed"), LIFELINE_TEXT("seed"), FieldKind::kSeed,
     LIFELINE_TEXT("a whole number from 0 to 4294967295"),
     [](const Config& c) { return static_cast<double>(c.seed); },
     [](Config& c, double v) {
       if (!whole_32(v)) return false;
       c.seed = static_cast<std::uint64_t>(v);
       return true;
     }},
};
static_assert(sizeof(kFields) / sizeof(kFields[0]) == kFieldCount, "one entry per Field");

// Whether `v` is an allowed value of the field (the cross-field rule of max_reconnect_delay is
// checked by validate()).
bool in_range(FieldKind kind, double v) {
  switch (kind) {
    case FieldKind::kDuration:
      return duration_or_never(v);
    case FieldKind::kDelay:
      return delay(v);
    case FieldKind::kMaxDelay:
      return std::isfinite(v) && v >= 0;
    case FieldKind::kFactor:
      return std::isfinite(v) && v >= 1;
    case FieldKind::kFraction:
      return v >= 0 && v <= 1;
    case FieldKind::kCount:
      return v == kNever || whole_32(v);
    case FieldKind::kUptime:
      return !std::isnan(v) && v >= 0;
    case FieldKind::kFlag:
      return v == 0 || v == 1;
    case FieldKind::kSeed:
      return true;  // any 64-bit seed in C++; the binding's set() checks the 32-bit range
  }
  return false;
}

}  // namespace

const FieldSpec& field_spec(Field field) {
  return kFields[static_cast<int>(field)];
}

const FieldSpec* find_field(const char* js_name) {
  for (const auto& f : kFields) {
    if (std::strcmp(f.js_name, js_name) == 0) return &f;
  }
  return nullptr;
}

const char* field_name(Field field) {
  return field_spec(field).cpp_name;
}
const char* field_expected(Field field) {
  return field_spec(field).expected;
}

std::vector<ConfigProblem> validate(const Config& c) {
  std::vector<ConfigProblem> problems;
  for (const auto& f : kFields) {
    bool ok = in_range(f.kind, f.get(c));
    if (f.field == Field::kMaxReconnectDelay && delay(c.reconnect_delay)) {
      ok = ok && c.max_reconnect_delay >= c.reconnect_delay;
    }
    if (!ok) problems.push_back({f.field, f.cpp_name, f.expected});
  }
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
    case CloseCause::kProtocol:
      return "protocol-error";
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
    case CommandResult::kInvalidTime:
      return "invalid-time";
    case CommandResult::kInvalidArgument:
      return "invalid-argument";
  }
  return "?";
}

}  // namespace lifeline
