// The server side of lossless resume (PROTOCOL.md) across embind: one lifeline::ResumeState with
// ResumeRole::kServer per session, for js/server/resume.js, which keeps the payloads and the
// session table. The style of binding.cpp: numbers only, a session crosses as its address, no
// embind class, no exception, no std::string. Texts go through the shared frame buffer and
// results through the shared records (wasm/records.hpp); field names come with the contract.
#include <emscripten/bind.h>

#include <cmath>
#include <cstdint>
#include <string_view>

#include "lifeline/contract.hpp"
#include "lifeline/resume.hpp"
#include "wasm/records.hpp"

namespace {

using lifeline::CommandResult;
using lifeline::Control;
using lifeline::ControlKind;
using lifeline::Millis;
using lifeline::OutputField;
using lifeline::ResumeConfig;
using lifeline::ResumeOutput;
using lifeline::ResumeOutputKind;
using lifeline::ResumeState;
using lifeline::StatsField;
using lifeline::wasm::frame_bytes;
using lifeline::wasm::put;

// Address 0 (a freed session, as js/server/resume.js leaves it) is refused by every function:
// kInvalidConfig, kInvalid, no output, no deadline.
ResumeState* at(unsigned address) {
  return reinterpret_cast<ResumeState*>(static_cast<uintptr_t>(address));
}
constexpr int kNoSession = static_cast<int>(CommandResult::kInvalidConfig);

int result(CommandResult r) {
  return static_cast<int>(r);
}

// A whole number in [min, max] (a double to integer cast outside the target's range is undefined,
// so the range is checked first).
bool whole(double v, double min, double max) {
  return std::isfinite(v) && v == std::floor(v) && v >= min && v <= max;
}

// A byte count as JavaScript passes it (NaN and negatives: 0; beyond 2^64: the most).
std::uint64_t byte_count(double bytes) {
  if (!(bytes >= 0)) return 0;
  return bytes >= 18446744073709551615.0 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(bytes);
}

std::string_view frame_text(unsigned size) {
  return {frame_bytes, size < sizeof frame_bytes ? size : sizeof frame_bytes};
}

// The text of a control frame into frame_bytes, its length into the record's `frame`.
void put_frame(std::string_view text) {
  const std::size_t n = text.size() <= sizeof frame_bytes ? text.size() : 0;
  for (std::size_t i = 0; i < n; ++i)
    frame_bytes[i] = text[i];
  put(OutputField::kFrame, static_cast<double>(n));
}

// A server session with ResumeConfig::server()'s overflow (drop the oldest) and these bounds and
// timings; 0 when one is not a valid value (the JavaScript side names the option first).
unsigned session_create(double max_unacked, double max_unacked_bytes, double max_age,
                        double ack_delay, double ack_every, double ack_bytes, double window) {
  constexpr double kMaxWhole = static_cast<double>(lifeline::kMaxSeq);
  if (!whole(max_unacked, 1, lifeline::kMaxUnackedLimit) ||
      !whole(max_unacked_bytes, 1, kMaxWhole) || !whole(ack_every, 1, lifeline::kMaxAckEvery) ||
      !whole(ack_bytes, 1, static_cast<double>(lifeline::kMaxAckBytes))) {
    return 0;
  }
  ResumeConfig c = ResumeConfig::server();
  c.max_unacked = static_cast<std::uint32_t>(max_unacked);
  c.max_unacked_bytes = static_cast<std::uint64_t>(max_unacked_bytes);
  c.max_age = max_age;
  c.ack_delay = ack_delay;
  c.ack_every = static_cast<std::uint32_t>(ack_every);
  c.ack_bytes = static_cast<std::uint64_t>(ack_bytes);
  c.session_window = window;
  if (!lifeline::validate(c)) return 0;
  return static_cast<unsigned>(
      reinterpret_cast<uintptr_t>(new ResumeState(c, lifeline::ResumeRole::kServer)));
}

void session_delete(unsigned address) {
  delete at(address);
}

// Classifies the text JavaScript left in frame_bytes (its first `size` bytes; no valid control
// frame is longer than the buffer): a lifeline::TextFrame. For a control frame the record holds
// `code` = its ControlKind, `first` = its seq, `value` = a hello's window, and `frame` = the
// length of its session id, moved to the start of frame_bytes (the table looks it up).
int session_parse(unsigned size) {
  Control c;
  const lifeline::TextFrame kind = lifeline::classify_text(frame_text(size), c);
  if (kind == lifeline::TextFrame::kControl) {
    put(OutputField::kCode, static_cast<int>(c.kind));
    put(OutputField::kFirst, static_cast<double>(c.seq));
    put(OutputField::kValue, static_cast<double>(c.window));
    // The id lies later in the same buffer: a forward copy is safe.
    const std::size_t n = c.session.size();
    const std::size_t from = static_cast<std::size_t>(c.session.data() - frame_bytes);
    for (std::size_t i = 0; i < n; ++i)
      frame_bytes[i] = frame_bytes[from + i];
    put(OutputField::kFrame, static_cast<double>(n));
  }
  return static_cast<int>(kind);
}

// The text of a control frame that belongs to no session (`expired` to a resume of an unknown id,
// `pong 0` on a connection without one) into frame_bytes; its length (0: invalid).
unsigned session_format(int kind, double seq) {
  if (kind < 0 || kind >= lifeline::kControlKindCount || !whole(seq, 0, lifeline::kMaxSeq)) {
    return 0;
  }
  Control c;
  c.kind = static_cast<ControlKind>(kind);
  c.seq = static_cast<lifeline::Seq>(seq);
  lifeline::ControlBuffer buf;
  const std::string_view text = lifeline::format_control(c, buf);
  put_frame(text);
  return static_cast<unsigned>(text.size());
}

// The client's "new" was answered with this session: its id is the first `id_size` bytes of
// frame_bytes. Emits hello.
int session_new(unsigned address, unsigned id_size, double now) {
  if (address == 0) return kNoSession;
  return result(at(address)->on_new(frame_text(id_size), now));
}

// A parsed control frame (session_parse's `code` and `first`) for this session: resume, ack,
// ping, pong, expired; new (kIgnored: the table makes a new session, or kInvalidArgument on an
// attached one); hello and resumed (kInvalidArgument: sent to a server).
int session_control(unsigned address, int kind, double seq, double now) {
  if (address == 0) return kNoSession;
  if (kind < 0 || kind >= lifeline::kControlKindCount || !whole(seq, 0, lifeline::kMaxSeq)) {
    return result(CommandResult::kInvalidArgument);
  }
  Control c;
  c.kind = static_cast<ControlKind>(kind);
  c.seq = static_cast<lifeline::Seq>(seq);
  return result(at(address)->on_control(c, now));
}

// The app sends `bytes`: a SendOutcome, its seq in the record's `first`.
int session_send(unsigned address, double bytes, double now) {
  if (address == 0) return static_cast<int>(lifeline::SendOutcome::kInvalid);
  const lifeline::Sent s = at(address)->on_send(byte_count(bytes), now);
  put(OutputField::kFirst, static_cast<double>(s.seq));
  return static_cast<int>(s.outcome);
}

// An application message arrived on the session's connection: kOk to deliver it (its seq in
// `first`).
int session_receive(unsigned address, double bytes, double now) {
  if (address == 0) return kNoSession;
  const lifeline::Received r = at(address)->on_receive(byte_count(bytes), now);
  put(OutputField::kFirst, static_cast<double>(r.seq));
  return result(r.result);
}

int session_disconnected(unsigned address, double now) {
  return address == 0 ? kNoSession : result(at(address)->on_disconnected(now));
}

int session_expire(unsigned address, double now) {
  return address == 0 ? kNoSession : result(at(address)->expire(now));
}

int session_timeout(unsigned address, double now) {
  return address == 0 ? kNoSession : result(at(address)->handle_timeout(now));
}

double session_poll_timeout(unsigned address) {
  return address == 0 ? lifeline::kNever : at(address)->poll_timeout();
}

// The next output's kind (a ResumeOutputKind), or -1: `first`, `last`, `expiry` in the record,
// and a kSendControl's text in frame_bytes (its length in `frame`).
int session_poll(unsigned address) {
  if (address == 0) return -1;
  ResumeState& s = *at(address);
  ResumeOutput out;
  if (!s.poll(out)) return -1;
  put(OutputField::kFirst, static_cast<double>(out.from));
  put(OutputField::kLast, static_cast<double>(out.to));
  put(OutputField::kExpiry, static_cast<int>(out.cause));
  lifeline::ControlBuffer buf;
  put_frame(out.kind == ResumeOutputKind::kSendControl ? s.control_frame(out, buf)
                                                       : std::string_view{});
  return static_cast<int>(out.kind);
}

// What the session keeps for a resend, into the stats record's `unacked` and `unackedBytes`.
void session_stats(unsigned address) {
  const ResumeState* s = at(address);
  put(StatsField::kUnacked, s ? static_cast<double>(s->unacked()) : 0);
  put(StatsField::kUnackedBytes, s ? static_cast<double>(s->unacked_bytes()) : 0);
}

}  // namespace

EMSCRIPTEN_BINDINGS(lifeline_session) {
  using emscripten::function;
  function("sessionCreate", &session_create);
  function("sessionDelete", &session_delete);
  function("sessionParse", &session_parse);
  function("sessionFormat", &session_format);
  function("sessionNew", &session_new);
  function("sessionControl", &session_control);
  function("sessionSend", &session_send);
  function("sessionReceive", &session_receive);
  function("sessionDisconnected", &session_disconnected);
  function("sessionExpire", &session_expire);
  function("sessionTimeout", &session_timeout);
  function("sessionPollTimeout", &session_poll_timeout);
  function("sessionPoll", &session_poll);
  function("sessionStats", &session_stats);
}
