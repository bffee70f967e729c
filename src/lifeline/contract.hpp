// The contract between the core and every shim, written once: each configuration field (its C++
// and JavaScript names, its kind, its default, the allowed range in words), and the names of
// states, close causes, output kinds, command results and the core's close codes.
// The build exports it (contract_json, printed into js/contract-data.js) and js/ derives its option
// table, DEFAULTS, SEED_PATTERN, STATES and CAUSES from it, so no name or number is copied by hand
// across the language boundary; the core is compiled with the text's id and init() checks it.
// Adding a field means: Config, this table, the .d.ts, a test.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>

#include "lifeline/config.hpp"
#include "lifeline/types.hpp"

namespace lifeline {

enum class FieldKind : std::uint8_t {
  kDuration,  // >= kMinDuration, or kNever to disable
  kDelay,     // 0, or finite and >= kMinDuration
  kMaxDelay,  // finite, >= reconnect_delay
  kFactor,    // finite, >= 1
  kFraction,  // 0 to 1
  kCount,     // a whole number 0 to 2^32-1, or kNever for no limit
  kUptime,    // >= 0, or kNever for never
  kFlag,      // a boolean (0 or 1 across the binding)
  kSeed,      // a whole number 0 to 2^32-1 across the binding (a full 64 bits in C++)
};

struct FieldSpec {
  Field field;
  const char* cpp_name;  // "ping_interval"
  const char* js_name;   // "pingInterval"
  FieldKind kind;
  const char* expected;  // the allowed values, in words both languages' errors use
  double (*get)(const Config&);
  // Sets the field from a number as JavaScript passes it; false when the number cannot be a value
  // of this field's type (a flag other than 0 or 1, a seed that is not a whole number in range).
  bool (*set)(Config&, double);
};

// Indexed by Field.
const FieldSpec& field_spec(Field field);
// The field whose JavaScript name is `js_name`, or nullptr.
const FieldSpec* find_field(const char* js_name);

// Whether `code` may be sent in a close frame by a client: 1000, or 3000-4999 (the WebSocket
// standard's rule for close(); browsers throw on others and mini-programs fail).
inline constexpr int kAppCodeMin = 3000;
inline constexpr int kAppCodeMax = 4999;
constexpr bool is_app_close_code(int code) {
  return code == kCodeNormal || (code >= kAppCodeMin && code <= kAppCodeMax);
}

// The records the binding hands JavaScript through linear memory (the WebAssembly build's poll()
// and stats() write doubles in this order; booleans as 0/1): their JS names, in order.
enum class OutputField {
  kSocket,
  kAttempt,
  kCode,
  kCause,
  kWasClean,
  kWillReconnect,
  kValue,
  kFrom,
  kTo,
  kFirst,  // resume outputs: the first and last seq of a resend, release or drop
  kLast,
  kFrame,   // the length of the text to write (a control frame; a ping with resume on), left in
            // the frame buffer
  kExpiry,  // a resume kExpired: its ExpiryCause
  kCount
};
inline constexpr const char* kOutputFieldNames[] = {
    "socket", "attempt", "code",  "cause", "wasClean", "willReconnect", "value",
    "from",   "to",      "first", "last",  "frame",    "expiry"};
static_assert(std::size(kOutputFieldNames) == static_cast<std::size_t>(OutputField::kCount));
enum class StatsField {
  kAttempts,
  kConnects,
  kPingsSent,
  kPongsReceived,
  kDeadLinks,
  kLateTimers,
  kDeadlineMisses,
  kRetries,
  kLastRtt,
  kSmoothedRtt,
  kPongWait,
  kState,
  kUnacked,  // resume: messages kept for a resend, and their bytes
  kUnackedBytes,
  kResumes,
  kExpiries,
  kProtocolErrors,
  kCount
};
inline constexpr const char* kStatsFieldNames[] = {
    "attempts",       "connects",     "pingsSent", "pongsReceived", "deadLinks",     "lateTimers",
    "deadlineMisses", "retries",      "lastRtt",   "smoothedRtt",   "pongWait",      "state",
    "unacked",        "unackedBytes", "resumes",   "expiries",      "protocolErrors"};
static_assert(std::size(kStatsFieldNames) == static_cast<std::size_t>(StatsField::kCount));

// The whole contract as JSON (infinity is written 1e999, which JSON.parse reads as Infinity):
// { fields: [{ cpp, js, kind, default, seedPattern, expected }], states: [...], causes: [...],
//   outputs: [...], results: [...], codes: { normal, abnormal, pongTimeout, connectTimeout,
//   reconnect }, appCloseCodes: [normal, min, max], minDuration, hint: { codes: [1012, 1013],
//   retryAfterKey, windowKey, headroom, sharedHeadroom, maxDigits }, outputFields: [...],
//   statsFields: [...], resume: { prefix, escape, protocolError, maxControlText, maxUnacked,
//   controls, outputs, causes, outcomes, client: {...}, server: {...} } }
// The WebAssembly build's poll() returns a Connection output's kind, or outputs.length plus a
// resume output's kind (resume.outputs).
std::string contract_json();

}  // namespace lifeline
