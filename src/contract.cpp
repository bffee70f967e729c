// The contract as JSON, for the shims (see lifeline/contract.hpp). The WebAssembly build does not
// contain it: the build prints it once (src/wasm/print_contract.cpp) for js/contract-data.js.
#include <cmath>
#include <string>
#include <utility>

#include "lifeline/client.hpp"
#include "lifeline/contract.hpp"
#include "lifeline/hint.hpp"

namespace lifeline {

namespace {

// The names the contract exports are this file's own constants: letters, digits, '-', '_',
// spaces, '>', '=' and '^', none of which JSON needs escaped.
void add_string(std::string& out, const char* s) {
  out += '"';
  out += s;
  out += '"';
}

void add_digits(std::string& out, unsigned long long n, int width) {
  char buf[24];
  int i = 24;
  do {
    buf[--i] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0 || 24 - i < width);
  out.append(buf + i, static_cast<std::size_t>(24 - i));
}

// Whole numbers and infinity are all the contract holds (defaults, seed-pattern values, codes);
// anything else (below 2^64) is written with six decimals. A digit loop, because std::to_string
// cost the WebAssembly build 0.7 KB of gzip (measured) for a text made once.
void add_number(std::string& out, double v) {
  if (std::isinf(v)) {
    out += v > 0 ? "1e999" : "-1e999";
    return;
  }
  if (v < 0) {
    out += '-';
    v = -v;
  }
  const auto whole = static_cast<unsigned long long>(v);
  add_digits(out, whole, 1);
  const auto micro = static_cast<unsigned long long>((v - static_cast<double>(whole)) * 1e6 + 0.5);
  if (micro != 0) {
    out += '.';
    add_digits(out, micro, 6);
  }
}

const char* kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::kDuration:
      return "duration";
    case FieldKind::kDelay:
      return "delay";
    case FieldKind::kMaxDelay:
      return "max-delay";
    case FieldKind::kFactor:
      return "factor";
    case FieldKind::kFraction:
      return "fraction";
    case FieldKind::kCount:
      return "count";
    case FieldKind::kUptime:
      return "uptime";
    case FieldKind::kFlag:
      return "flag";
    case FieldKind::kSeed:
      return "seed";
  }
  return "?";
}

template <typename Enum>
void add_names(std::string& out, const char* key, int count) {
  out += ",\"";
  out += key;
  out += "\":[";
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    add_string(out, to_string(static_cast<Enum>(i)));
  }
  out += ']';
}

template <std::size_t N>
void add_list(std::string& out, const char* key, const char* const (&names)[N]) {
  out += ",\"";
  out += key;
  out += "\":[";
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += ',';
    add_string(out, names[i]);
  }
  out += ']';
}

}  // namespace

std::string contract_json() {
  const Config defaults;
  const Config seed = Config::seed_pattern();
  std::string out = "{\"fields\":[";
  for (int i = 0; i < kFieldCount; ++i) {
    const FieldSpec& f = field_spec(static_cast<Field>(i));
    if (i > 0) out += ',';
    out += "{\"cpp\":";
    add_string(out, f.cpp_name);
    out += ",\"js\":";
    add_string(out, f.js_name);
    out += ",\"kind\":";
    add_string(out, kind_name(f.kind));
    out += ",\"default\":";
    add_number(out, f.get(defaults));
    out += ",\"seedPattern\":";
    add_number(out, f.get(seed));
    out += ",\"expected\":";
    add_string(out, f.expected);
    out += '}';
  }
  out += ']';
  add_names<State>(out, "states", kStateCount);
  add_names<CloseCause>(out, "causes", kCauseCount);
  add_names<OutputKind>(out, "outputs", kOutputKindCount);
  add_names<CommandResult>(out, "results", kResultCount);
  const std::pair<const char*, int> codes[] = {{"normal", kCodeNormal},
                                               {"abnormal", kCodeAbnormal},
                                               {"pongTimeout", kCodePongTimeout},
                                               {"connectTimeout", kCodeConnectTimeout},
                                               {"reconnect", kCodeReconnect}};
  out += ",\"codes\":{";
  for (const auto& [key, code] : codes) {
    if (out.back() != '{') out += ',';
    add_string(out, key);
    out += ':';
    add_number(out, code);
  }
  out += "},\"appCloseCodes\":[";
  for (int code : {kCodeNormal, kAppCodeMin, kAppCodeMax}) {
    if (out.back() != '[') out += ',';
    add_number(out, code);
  }
  out += "],\"minDuration\":";
  add_number(out, kMinDuration);
  out += ",\"hint\":{\"codes\":[";
  add_number(out, kCodeServiceRestart);
  out += ',';
  add_number(out, kCodeTryAgainLater);
  out += "],\"retryAfterKey\":";
  add_string(out, kHintRetryAfterKey);
  out += ",\"windowKey\":";
  add_string(out, kHintWindowKey);
  out += ",\"headroom\":";
  add_number(out, kHintHeadroom);
  out += ",\"sharedHeadroom\":";
  add_number(out, kSharedHintHeadroom);
  out += ",\"maxDigits\":";
  add_number(out, kHintMaxDigits);
  out += '}';
  // Resume (PROTOCOL.md). The prefixes hold U+001F, which JSON writes as an escape.
  out += ",\"resume\":{\"prefix\":\"\\u001f";
  out += kControlPrefix.substr(1);
  out += "\",\"escape\":\"\\u001f";
  out += kEscapePrefix.substr(1);
  out += "\",\"protocolError\":";
  add_number(out, kCodeProtocolError);
  out += ",\"maxControlText\":";
  add_number(out, static_cast<double>(Client::kMaxControlText));
  out += ",\"maxUnacked\":";
  add_number(out, kMaxUnackedLimit);
  add_names<ControlKind>(out, "controls", kControlKindCount);
  add_names<ResumeOutputKind>(out, "outputs", kResumeOutputKindCount);
  add_names<ExpiryCause>(out, "causes", kExpiryCauseCount);
  add_names<SendOutcome>(out, "outcomes", kSendOutcomeCount);
  const ResumeConfig client;
  const ResumeConfig server = ResumeConfig::server();
  for (const auto& [key, c] : {std::pair<const char*, const ResumeConfig&>{"client", client},
                               std::pair<const char*, const ResumeConfig&>{"server", server}}) {
    out += ",\"";
    out += key;
    out += "\":{\"maxUnacked\":";
    add_number(out, c.max_unacked);
    out += ",\"maxUnackedBytes\":";
    add_number(out, static_cast<double>(c.max_unacked_bytes));
    out += ",\"maxAge\":";
    add_number(out, c.max_age);
    out += ",\"ackDelay\":";
    add_number(out, c.ack_delay);
    out += ",\"ackEvery\":";
    add_number(out, c.ack_every);
    out += ",\"ackBytes\":";
    add_number(out, static_cast<double>(c.ack_bytes));
    out += ",\"window\":";
    add_number(out, c.session_window);
    out += '}';
  }
  // The server side (src/wasm/session_binding.cpp, js/server/resume.js): the close code of a
  // superseded or stale connection, the ack cadence's limits (its options' ranges), and
  // classify_text's kinds in TextFrame's order.
  out += ",\"superseded\":";
  add_number(out, kCodeResumeSuperseded);
  out += ",\"maxAckEvery\":";
  add_number(out, kMaxAckEvery);
  out += ",\"maxAckBytes\":";
  add_number(out, static_cast<double>(kMaxAckBytes));
  static constexpr const char* kTextFrameNames[] = {"app", "escaped", "control", "unknown",
                                                    "malformed"};
  static_assert(std::size(kTextFrameNames) == static_cast<std::size_t>(TextFrame::kMalformed) + 1);
  add_list(out, "textFrames", kTextFrameNames);
  out += '}';
  add_list(out, "outputFields", kOutputFieldNames);
  add_list(out, "statsFields", kStatsFieldNames);
  out += '}';
  return out;
}

}  // namespace lifeline
