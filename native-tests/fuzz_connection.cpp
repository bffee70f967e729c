// A libFuzzer target for lifeline::Connection. It decodes the bytes into a configuration (sane
// values and edge values: 0, denormals, 1e300, NaN, +-Infinity, 2^32, negative) and a sequence of
// commands and inputs (socket ids that are live, stale or random; time that moves forward, stays,
// goes backwards, is NaN, +-Infinity or 1e300), plays them as a shim would, and checks the core's
// structural rules after every input. A broken rule prints what broke, where, and aborts.
//
//   build and run:  scripts/fuzz.sh  (clang, LIFELINE_FUZZ=ON: -fsanitize=fuzzer,address,undefined)
//   replay a crash: LIFELINE_FUZZ_TRACE=1 build/fuzz/lifeline_fuzz CRASH_FILE  (prints every step)
//   measure:        LIFELINE_FUZZ_STATS=1  (at exit: the most outputs one input produced)
//   list them all:  LIFELINE_FUZZ_SURVEY=DIR  (a broken rule is recorded, not fatal; see Survey)
//
// The shim it plays drains poll() after each input, or only 0 to 3 outputs of it: then the next
// input arrives while outputs are pending, as it does when a listener calls reconnect() or a
// transport fails synchronously inside the open-socket action. The core must then withdraw what
// became untrue, and the shim's view of the outputs it did poll must still hold together.
//
// Input format (every byte is optional: a missing byte reads as 0, the default of each):
//   header  one byte per config field, in Field order (field_spec): 0 keeps the default; for a
//           number, 1..255 picks kValues[(b - 1) % size]; for a flag, its low bit; for the seed, b.
//   ops     an op byte: its low 4 bits pick the input (Op); its high 4 bits pick the drain after
//           it: 0-11 everything, 12-15 only 0-3 outputs; except 0xb0-0xbf (high bits 11), which
//           pick handle_protocol_error (Op::kProtocolError, drains everything: the 16 low-bit ops
//           were all taken, and high bits 0-11 all meant the same, so no seed changes meaning).
//           Then the op's argument bytes: a time
//           (time_arg), a socket id (id_arg), a close code (kCodes), flags (for a close, its
//           reason: kReasons), a Retry-After for an error or failed attempt (0: none, else
//           kValues).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "lifeline/config.hpp"
#include "lifeline/connection.hpp"
#include "lifeline/contract.hpp"
#include "lifeline/types.hpp"

namespace lifeline {
namespace {

using K = OutputKind;
using R = CommandResult;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMax = std::numeric_limits<double>::max();
constexpr double kDenormal = 4.9e-324;

// The most outputs one input may produce. The real maximum is 4: losing a socket emits
// close-socket, the state change, closed, and then reconnecting or gave-up (an open socket lost
// to a pong timeout, an error, a remote close, reconnect()); opening emits state, flush-queue,
// opened and, on a clock too large for now + ping_interval to move, a send-ping at once; a resume
// emits reconnecting, open-socket, state. No input chains two of these, since a lost socket is
// never replaced inside the input that lost it. 6 leaves room for an extra event without letting
// a loop (the old core asked for 7 sockets in one handle_timeout) pass.
constexpr std::size_t kMaxOutputsPerInput = 6;

// clang-format off
// Values for the numeric config fields: sane ones and edges.
constexpr double kValues[] = {
    0, 1, kDenormal, 1e-300, 1e300, kNaN, kNever, -kNever, 4294967296.0, 4294967295.0, -1, 0.5,
    0.999, 1.5, 2, 10, 12, 100, 1000, 5000, 10000, 30000, 1e-3, kMax, -0.0, 9007199254740992.0,
    0.1, 1e15};

// Times a time argument can jump to.
constexpr double kTimes[] = {
    kNaN, kNever, -kNever, 1e300, -1e300, kMax, -kMax, kDenormal, 0, -0.0, -1, 9007199254740992.0,
    9007199254740994.0, 1e15, 1.0000001e300, 4294967296.0};

// Close codes, for close() (only 1000 and 3000-4999 are allowed) and for a reported close.
constexpr int kCodes[] = {
    1000, 4000, 3000, 4999, 4002, 1001, 1005, 1006, 0, -1, 2999, 5000, 65535,
    std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), 1015, 1012, 1013};
// Close reasons: retry hints, sane and hostile (lifeline/hint.hpp).
constexpr const char* kReasons[] = {
    "", "retry-after=0 window=0", "retry-after=30000 window=12500", "window=1",
    "retry-after=9999999999 window=9999999999", "retry-after=1;retry-after=2", "retry-after=",
    "x retry-after=5"};
// clang-format on

enum class Op : std::uint8_t {
  kOpen,
  kClose,
  kReconnect,
  kOpened,
  kActivity,
  kPong,
  kServerPing,
  kError,
  kSocketClosed,
  kAttemptFailed,
  kTimeout,
  kNetwork,
  kForeground,
  kTimeoutAtDeadline,  // handle_timeout when poll_timeout() says, on time, early or late
  kDrain,              // no input: drain what is pending
  kClock,              // no input: the shim's clock moves
  kProtocolError,      // handle_protocol_error (op bytes 0xb0-0xbf)
};

const char* op_name(Op op) {
  constexpr const char* kNames[] = {
      "open",    "close",         "reconnect",  "opened",           "activity",
      "pong",    "server-ping",   "error",      "socket-closed",    "attempt-failed",
      "timeout", "network",       "foreground", "timeout@deadline", "drain",
      "clock",   "protocol-error"};
  return kNames[static_cast<int>(op)];
}

bool takes_id(Op op) {
  return (op >= Op::kOpened && op <= Op::kAttemptFailed) || op == Op::kProtocolError;
}

// The bytes, read front to back; 0 once they run out.

struct Measured {
  std::size_t max_outputs = 0;
  std::uint64_t inputs = 0;
  std::uint64_t sane_runs = 0;
  std::uint64_t invalid_runs = 0;
  std::uint64_t by_count[kMaxOutputsPerInput + 1] = {};
  ~Measured() {
    if (std::getenv("LIFELINE_FUZZ_STATS") == nullptr) return;
    std::fprintf(stderr,
                 "lifeline_fuzz: %llu inputs (%llu runs with a valid config, %llu with an invalid "
                 "one); most outputs from one input: %zu; inputs by outputs:",
                 static_cast<unsigned long long>(inputs),
                 static_cast<unsigned long long>(sane_runs),
                 static_cast<unsigned long long>(invalid_runs), max_outputs);
    for (std::size_t i = 0; i <= kMaxOutputsPerInput; ++i)
      std::fprintf(stderr, " %zu:%llu", i, static_cast<unsigned long long>(by_count[i]));
    std::fprintf(stderr, "\n");
  }
};
Measured measured;

using fuzz::Broken;
using fuzz::Bytes;
using fuzz::trace_on;
fuzz::Survey survey("lifeline_fuzz");

void print_output(const Output& o) {
  std::fprintf(stderr, "    <- %s", to_string(o.kind));
  switch (o.kind) {
    case K::kStateChanged:
      std::fprintf(stderr, " %s -> %s", to_string(o.from), to_string(o.to));
      break;
    case K::kCloseSocket:
      std::fprintf(stderr, " socket %u code %d cause %s", o.socket, o.code, to_string(o.cause));
      break;
    case K::kClosed:
      std::fprintf(stderr, " socket %u code %d cause %s clean %d will_reconnect %d", o.socket,
                   o.code, to_string(o.cause), o.was_clean, o.will_reconnect);
      break;
    case K::kReconnecting:
      std::fprintf(stderr, " attempt %u delay %.17g", o.attempt, o.value);
      break;
    case K::kGaveUp:
      std::fprintf(stderr, " attempt %u", o.attempt);
      break;
    case K::kHeartbeat:
      std::fprintf(stderr, " socket %u rtt %.17g", o.socket, o.value);
      break;
    case K::kOpenSocket:
    case K::kOpened:
      std::fprintf(stderr, " socket %u attempt %u", o.socket, o.attempt);
      break;
    case K::kSendPing:
    case K::kSendPong:
    case K::kFlushQueue:
      std::fprintf(stderr, " socket %u", o.socket);
      break;
  }
  std::fprintf(stderr, "\n");
}

bool same_time(Millis a, Millis b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

bool same_output(const Output& a, const Output& b, bool ignore_will_reconnect) {
  return a.kind == b.kind && a.socket == b.socket && a.attempt == b.attempt && a.code == b.code &&
         a.cause == b.cause && a.was_clean == b.was_clean &&
         (ignore_will_reconnect || a.will_reconnect == b.will_reconnect) &&
         same_time(a.value, b.value) && a.from == b.from && a.to == b.to;
}

bool same_stats(const Stats& a, const Stats& b) {
  return a.attempts == b.attempts && a.connects == b.connects && a.pings_sent == b.pings_sent &&
         a.pongs_received == b.pongs_received && a.dead_links == b.dead_links &&
         a.late_timers == b.late_timers && a.retries == b.retries &&
         same_time(a.last_rtt, b.last_rtt) && a.state == b.state;
}

// What can be seen of a Connection from outside, pending outputs included (read from a copy).
struct Snapshot {
  State state;
  SocketId live;
  Millis timeout;
  Millis now;
  Stats stats;
  bool suspended;
  std::vector<Output> pending;
};

Snapshot snapshot(const Connection& conn) {
  Snapshot s{conn.state(),
             conn.live_socket(),
             conn.poll_timeout(),
             conn.now(),
             conn.stats(),
             conn.suspended(),
             {}};
  Connection copy = conn;
  Output o;
  while (copy.poll(o))
    s.pending.push_back(o);
  return s;
}

bool unchanged(const Snapshot& a, const Snapshot& b) {
  if (a.state != b.state || a.live != b.live || !same_time(a.timeout, b.timeout) ||
      !same_time(a.now, b.now) || !same_stats(a.stats, b.stats) || a.suspended != b.suspended ||
      a.pending.size() != b.pending.size())
    return false;
  for (std::size_t i = 0; i < a.pending.size(); ++i)
    if (!same_output(a.pending[i], b.pending[i], false)) return false;
  return true;
}

// One input as decoded.
struct Input {
  Op op = Op::kTimeout;
  Millis now = 0;  // `at` for activity
  SocketId id = 0;
  int code = kCodeNormal;
  bool flag = false;  // online / foreground / was_clean
  bool allowed = true;
  const char* reason = "";    // a close's reason
  Millis retry_after = kNaN;  // an error's or failed attempt's Retry-After (NaN: none)
  int drain = -1;             // -1: everything; else how many outputs to poll
};

void print_input(std::size_t step, const Input& in, bool has_result, R result) {
  std::fprintf(stderr, "#%zu %s", step, op_name(in.op));
  if (in.op != Op::kDrain) std::fprintf(stderr, " now %.17g", in.now);
  if (takes_id(in.op)) std::fprintf(stderr, " socket %u", in.id);
  if (in.op == Op::kClose || in.op == Op::kSocketClosed) std::fprintf(stderr, " code %d", in.code);
  if (in.op == Op::kSocketClosed) {
    std::fprintf(stderr, " clean %d allowed %d reason \"%s\"", in.flag, in.allowed, in.reason);
  }
  if (in.op == Op::kError || in.op == Op::kAttemptFailed) {
    std::fprintf(stderr, " retry-after %.17g", in.retry_after);
  }
  if (in.op == Op::kNetwork || in.op == Op::kForeground) std::fprintf(stderr, " %d", in.flag);
  if (has_result) std::fprintf(stderr, " -> %s", to_string(result));
  if (in.drain >= 0) std::fprintf(stderr, " (then polls only %d)", in.drain);
  std::fprintf(stderr, "\n");
}

// Plays one sequence against one Connection and checks it.
class Player {
 public:
  Player(const Config& config, const std::uint8_t* ops, std::size_t size, bool valid)
      : conn_(config), bytes_(ops, size), valid_(valid) {}

  void run() {
    if (conn_.config_valid() != valid_) fail("config_valid() disagrees with validate()");
    while (!bytes_.done())
      step();
    drain(-1);  // what a last listener-time input left pending is still checked
    if (valid_) final_checks();
  }

 private:
  [[noreturn]] void fail(const char* what) {
    if (survey.on && !survey.first(what)) throw Broken{};
    std::fprintf(stderr,
                 "lifeline_fuzz: INVARIANT BROKEN at input #%zu (%s, config %s): %s\n"
                 "  state %s, live socket %u, now() %.17g, poll_timeout() %.17g, pending %zu\n"
                 "  replay with LIFELINE_FUZZ_TRACE=1 to see every step\n",
                 step_, op_name(current_.op), valid_ ? "valid" : "invalid", what,
                 to_string(conn_.state()), conn_.live_socket(), conn_.now(), conn_.poll_timeout(),
                 conn_.pending_outputs());
    for (const Output& o : snapshot(conn_).pending)
      print_output(o);
    if (survey.on) survey.record(what);
    std::abort();
  }
  void check(bool ok, const char* what) {
    if (!ok) fail(what);
  }

  Millis time_arg(std::uint8_t b) {
    Millis t = clock_;
    if (b < 0x20) {
      t = clock_ + b;  // 0: the same instant
    } else if (b < 0x40) {
      t = clock_ + (b - 0x20) * 500.0;
    } else if (b < 0x60) {
      t = clock_ + std::ldexp(1.0, b - 0x40);  // 1 ms to 2^31 ms
    } else if (b < 0x70) {
      t = clock_ - (b - 0x5f);  // backwards 1 to 16 ms
    } else if (b < 0x80) {
      t = clock_ - 1000.0 * std::ldexp(1.0, b - 0x70);  // backwards 1 s to 9 h
    } else if (b < 0x90) {
      t = deadline_arg(b & 0x0f);
    } else {
      t = kTimes[(b - 0x90) % std::size(kTimes)];
    }
    if (std::isfinite(t)) clock_ = t;
    return t;
  }

  // A time relative to the deadline: on time, a hair early or late, late by the timer slack.
  Millis deadline_arg(int which) {
    const Millis d = conn_.poll_timeout();
    if (!std::isfinite(d)) return clock_;
    const Millis slack = conn_.config().timer_slack;
    switch (which) {
      case 0:
        return d;
      case 1:
        return std::nextafter(d, -kNever);
      case 2:
        return std::nextafter(d, kNever);
      case 3:
        return d + slack;
      case 4:
        return std::nextafter(d + slack, kNever);
      case 5:
        return d - 1;
      default:
        return d + (which - 5) * 1000.0;
    }
  }

  SocketId id_arg() {
    const std::uint8_t b = bytes_.next();
    const SocketId live = conn_.live_socket();
    if (b < 0x80) return live;
    if (b < 0xa0) return live > 1 ? live - 1 : highest_;
    if (b < 0xc0) return highest_ + 1;
    if (b < 0xd0) return 0;
    if (b < 0xe0) return highest_;
    return bytes_.next32();
  }

  Input decode() {
    Input in;
    const std::uint8_t b = bytes_.next();
    in.op = (b >> 4) == 11 ? Op::kProtocolError : static_cast<Op>(b & 0x0f);
    if ((b >> 4) >= 12) in.drain = (b >> 4) - 12;
    switch (in.op) {
      case Op::kClose:
        in.code = kCodes[bytes_.next() % std::size(kCodes)];
        in.now = time_arg(bytes_.next());
        break;
      case Op::kSocketClosed: {
        in.id = id_arg();
        in.code = kCodes[bytes_.next() % std::size(kCodes)];
        const std::uint8_t f = bytes_.next();
        in.flag = (f & 1) != 0;
        in.allowed = (f & 2) == 0;
        in.reason = kReasons[(f >> 2) % std::size(kReasons)];
        in.now = time_arg(bytes_.next());
        break;
      }
      case Op::kError:
      case Op::kAttemptFailed: {
        in.id = id_arg();
        const std::uint8_t r = bytes_.next();  // 0: no Retry-After
        if (r != 0) in.retry_after = kValues[(r - 1) % std::size(kValues)];
        in.now = time_arg(bytes_.next());
        break;
      }
      case Op::kNetwork:
      case Op::kForeground:
        in.flag = (bytes_.next() & 1) == 0;  // 0: online / shown
        in.now = time_arg(bytes_.next());
        break;
      case Op::kTimeoutAtDeadline:
        in.now = time_arg(static_cast<std::uint8_t>(0x80 | (bytes_.next() & 0x0f)));
        break;
      case Op::kDrain:
        in.drain = -1;
        break;
      default:
        if (takes_id(in.op)) in.id = id_arg();
        in.now = time_arg(bytes_.next());
        break;
    }
    return in;
  }

  R apply(const Input& in) {
    switch (in.op) {
      case Op::kOpen:
        return conn_.open(in.now);
      case Op::kClose:
        return conn_.close(in.now, in.code);
      case Op::kReconnect:
        return conn_.reconnect(in.now);
      case Op::kOpened:
        return conn_.handle_socket_opened(in.id, in.now);
      case Op::kActivity:
        return conn_.handle_activity(in.id, in.now);
      case Op::kPong:
        return conn_.handle_pong(in.id, in.now);
      case Op::kServerPing:
        return conn_.handle_server_ping(in.id, in.now);
      case Op::kError:
        return conn_.handle_socket_error(in.id, in.now, in.retry_after);
      case Op::kSocketClosed:
        return conn_.handle_socket_closed(in.id, in.now, in.code, in.flag, in.allowed, in.reason);
      case Op::kAttemptFailed:
        return conn_.handle_attempt_failed(in.id, in.now, in.retry_after);
      case Op::kProtocolError:
        return conn_.handle_protocol_error(in.id, in.now);
      case Op::kTimeout:
      case Op::kTimeoutAtDeadline:
        return conn_.handle_timeout(in.now);
      case Op::kNetwork:
        return conn_.handle_network(in.flag, in.now);
      case Op::kForeground:
        return conn_.handle_foreground(in.flag, in.now);
      case Op::kDrain:
      case Op::kClock:
        break;
    }
    return R::kOk;
  }

  void step() {
    ++step_;
    current_ = decode();
    const Input& in = current_;
    if (in.op == Op::kDrain || in.op == Op::kClock) {
      if (trace_on()) print_input(step_, in, false, R::kOk);
      drain(in.drain);
      return;
    }
    // A shim that never drains would grow the queue without end; that is the shim's bug.
    if (conn_.pending_outputs() > 32) drain(-1);

    const Snapshot before = snapshot(conn_);
    const R result = apply(in);
    if (trace_on()) print_input(step_, in, true, result);
    ++measured.inputs;
    if (valid_) {
      check_input(in, result, before);
    } else {
      check_invalid(in, result, before);
    }
    last_ = in;
    last_result_ = result;
    drain(in.drain);
  }

  // An invalid configuration: open() is refused and changes nothing, and no socket, deadline or
  // event ever comes (close() may still move idle to closed: a state change, nothing else).
  void check_invalid(const Input& in, R result, const Snapshot& before) {
    if (in.op == Op::kOpen) {
      check(result == R::kInvalidConfig || (!std::isfinite(in.now) && result == R::kInvalidTime),
            "open() with an invalid config did not return invalid-config");
      check(unchanged(before, snapshot(conn_)), "open() with an invalid config changed something");
    }
    check(conn_.state() == State::kIdle || conn_.state() == State::kClosed,
          "a connection with an invalid config left idle");
    check(conn_.poll_timeout() == kNever, "a connection with an invalid config has a deadline");
    check(conn_.live_socket() == 0, "a connection with an invalid config has a socket");
  }

  void check_input(const Input& in, R result, const Snapshot& before) {
    const Snapshot after = snapshot(conn_);
    const bool finite = std::isfinite(in.now);
    const bool stale = takes_id(in.op) && (in.id == 0 || in.id != before.live);

    // Refusals change nothing.
    if (!finite) check(result == R::kInvalidTime, "a non-finite now was not refused");
    if (finite && stale) check(result == R::kIgnored, "an input with a stale id was not ignored");
    if (in.op == Op::kClose && finite) {
      if (is_app_close_code(in.code))
        check(result != R::kInvalidArgument, "close() refused a code a client may send");
      else
        check(result != R::kOk, "close() accepted a code a client may not send");
    }
    check(result != R::kInvalidConfig, "invalid-config from a valid config");
    if (result != R::kOk) {
      if (!finite) check(unchanged(before, after), "a non-finite now changed something");
      if (stale) check(unchanged(before, after), "an input with a stale id changed something");
      check(unchanged(before, after), "a refused or ignored input changed something");
    }

    // Time: the core keeps the latest accepted now; going backwards is no time passing.
    if (result == R::kOk) accepted_now_ = std::max(accepted_now_, in.now);
    check(same_time(conn_.now(), accepted_now_), "now() is not the latest accepted now");
    const Millis deadline = conn_.poll_timeout();
    check(!std::isnan(deadline), "poll_timeout() is NaN");
    check(deadline == kNever || deadline > accepted_now_,
          "poll_timeout() is not later than the effective now");
    // (A delay that overflows the clock, 1e300 + 1.7e308, is "never" and is allowed to be; a
    // server's hint may ask for up to max_hint_delay rather than max_reconnect_delay.)
    const Millis longest =
        std::max(conn_.config().max_reconnect_delay, conn_.config().max_hint_delay);
    if (conn_.state() == State::kBackoff &&
        std::nextafter(accepted_now_ + longest, kNever) < kNever)
      check(deadline < kNever, "backoff with no deadline: the attempt never comes");

    // State and stats agree.
    const State st = conn_.state();
    check(conn_.stats().state == st, "stats().state differs from state()");
    check((st == State::kConnecting || st == State::kOpen) == (conn_.live_socket() != 0),
          "a live socket outside connecting/open, or none inside");
    check(static_cast<double>(conn_.stats().retries) <= conn_.config().max_retries,
          "more retries than max_retries");
    const double rtt = conn_.stats().last_rtt;
    check(rtt == -1 || (std::isfinite(rtt) && rtt >= 0), "stats().last_rtt negative or not finite");

    // What this input emitted: the outputs pending after it that were not pending before (the
    // core appends, and only withdraws or amends what is pending).
    std::vector<bool> kept(before.pending.size(), false);
    std::size_t first_new = 0;
    for (std::size_t j = 0; first_new < after.pending.size(); ++first_new) {
      std::size_t k = j;
      while (k < before.pending.size() &&
             !same_output(before.pending[k], after.pending[first_new], true))
        ++k;
      if (k == before.pending.size()) break;
      kept[k] = true;
      j = k + 1;
    }
    const std::size_t emitted = after.pending.size() - first_new;
    measured.max_outputs = std::max(measured.max_outputs, emitted);
    if (emitted <= kMaxOutputsPerInput) measured.by_count[emitted]++;
    check(emitted <= kMaxOutputsPerInput, "too many outputs from one input");

    const bool resumes = (in.op == Op::kNetwork || in.op == Op::kForeground) && in.flag;
    bool lost = false, opens = false;
    SocketId started = 0, pinged = 0;
    int reconnecting = 0;
    for (std::size_t i = first_new; i < after.pending.size(); ++i) {
      const Output& o = after.pending[i];
      if (o.kind == K::kCloseSocket || (o.kind == K::kClosed && o.socket != 0)) {
        lost = true;
        // A deadline always lies after now, so nothing is judged in the input that started it.
        check(o.socket != started, "an attempt lost in the input that started it");
        // (Checked against the pings of earlier inputs: the core withdraws a ping it judges.)
        check(!(o.cause == CloseCause::kPongTimeout && o.socket != pinged_before_),
              "a pong-timeout verdict on a socket no earlier input pinged");
      }
      if (o.kind == K::kOpenSocket) {
        check(!lost, "a socket lost in an input was replaced within the same input");
        opens = true;
        started = o.socket;
      }
      if (o.kind == K::kSendPing) pinged = o.socket;
      if (o.kind == K::kReconnecting) ++reconnecting;
    }
    if (pinged != 0) pinged_before_ = pinged;
    if (opens)
      check(
          in.op == Op::kOpen || in.op == Op::kTimeout || in.op == Op::kTimeoutAtDeadline || resumes,
          "open-socket from an input other than open(), handle_timeout() or a resume");

    // Once closed, only open() starts again.
    if (before.state == State::kClosed && in.op != Op::kOpen) {
      check(emitted == 0, "an output after the state became closed");
      check(st == State::kClosed, "left closed by something other than open()");
    }

    // Withdrawals: what a later input made untrue is not polled.
    for (std::size_t k = 0; k < before.pending.size(); ++k) {
      if (kept[k]) continue;
      const Output& o = before.pending[k];
      const bool of_gone_socket =
          o.socket != 0 && o.socket != conn_.live_socket() &&
          (is_action(o.kind) || o.kind == K::kOpened || o.kind == K::kHeartbeat) &&
          o.kind != K::kCloseSocket;
      const bool announcement =
          o.kind == K::kReconnecting && (in.op == Op::kClose || in.op == Op::kReconnect);
      // close() may also fold the state changes the app has not seen into one change to closed,
      // and drop a pending gave-up.
      const bool folded =
          in.op == Op::kClose && (o.kind == K::kStateChanged || o.kind == K::kGaveUp);
      check(of_gone_socket || announcement || folded,
            "a pending output vanished that was still true");
    }
    if (before.live != 0 && conn_.live_socket() != before.live) {
      for (const Output& o : after.pending) {
        if (o.socket != before.live) continue;
        check(!(o.kind == K::kOpenSocket || o.kind == K::kSendPing || o.kind == K::kSendPong ||
                o.kind == K::kFlushQueue),
              "an action for an abandoned socket is still pending");
      }
    }

    if (result == R::kOk && in.op == Op::kClose) {
      check(st == State::kClosed, "close() did not close");
      for (const Output& o : after.pending) {
        check(o.kind != K::kReconnecting, "a reconnecting event pending after close()");
        check(!(o.kind == K::kClosed && o.will_reconnect),
              "a closed event pending after close() still says it will reconnect");
      }
    }
    if (finite && in.op == Op::kReconnect && last_.op == Op::kReconnect && last_result_ == R::kOk)
      check(result == R::kIgnored, "reconnect() right after reconnect() was not ignored");
    if (result == R::kOk && in.op == Op::kReconnect) {
      check(st == State::kBackoff, "reconnect() did not go to backoff");
      // reconnect() withdraws any reconnecting still pending and emits its own: one in all (counted
      // over everything pending, since a withdrawn one may equal the new one, as a server's hint
      // of 0 ms and reconnect()'s both say attempt 0 in kMinDuration).
      int pending_reconnecting = 0;
      for (const Output& o : after.pending) {
        if (o.kind != K::kReconnecting) continue;
        ++pending_reconnecting;
        // The spec says delay 0; the core schedules the fresh attempt kMinDuration later.
        check(o.attempt == 0 && o.value >= 0 && o.value <= kMinDuration,
              "reconnect()'s event is not attempt 0 with no delay to speak of");
      }
      check(pending_reconnecting == 1, "an older reconnecting event pending after reconnect()");
    }
    // A protocol error is only for the open socket, which it closes with 4010 (cause protocol);
    // while connecting there is no peer to have broken the protocol.
    if (in.op == Op::kProtocolError && finite && !stale) {
      check((result == R::kOk) == (before.state == State::kOpen),
            "a protocol error on the live socket was not taken exactly while open");
      if (result == R::kOk) {
        check(conn_.live_socket() != before.live, "a protocol error left its socket live");
        bool closed = false;
        for (std::size_t i = first_new; i < after.pending.size(); ++i) {
          const Output& o = after.pending[i];
          if (o.kind == K::kCloseSocket && o.socket == before.live) {
            closed = o.code == kCodeProtocolError && o.cause == CloseCause::kProtocol;
          }
        }
        // (Unless the shim never polled its open-socket: then nothing is said of it.)
        check(closed || held_ != before.live,
              "a protocol error did not close its socket with 4010, cause protocol");
      }
    }
  }

  // The shim polls `n` outputs (all if n < 0) and carries each out, checking it against what it
  // holds: one socket at most, actions only for it, one closed event per socket.
  void drain(int n) {
    Output o;
    for (int i = 0; (n < 0 || i < n) && conn_.poll(o); ++i) {
      if (trace_on()) print_output(o);
      if (valid_) {
        on_output(o);
      } else {
        check(o.kind == K::kStateChanged, "an output other than a state change, invalid config");
      }
    }
    if (valid_ && conn_.pending_outputs() == 0) settled_checks();
  }

  void on_output(const Output& o) {
    const SocketId live = conn_.live_socket();
    // After closed, only open() acts again; its open-socket comes just before its state change.
    if (is_action(o.kind) && o.kind != K::kOpenSocket)
      check(polled_state_ != State::kClosed, "an action after closed");
    switch (o.kind) {
      case K::kStateChanged:
        check(o.from == polled_state_, "a state change from a state the shim did not see");
        check(o.to != o.from, "a state change to the same state");
        polled_state_ = o.to;
        break;
      case K::kOpenSocket:
        check(held_ == 0, "open-socket while another socket is live: two live sockets");
        check(o.socket != 0 && o.socket > highest_, "open-socket with an id not above the last");
        check(o.socket == live, "open-socket for a socket the core already abandoned");
        held_ = o.socket;
        highest_ = o.socket;
        unreported_.push_back(o.socket);
        break;
      case K::kSendPing:
      case K::kSendPong:
      case K::kFlushQueue:
        check(o.socket != 0 && o.socket == held_, "an action for a socket the shim does not hold");
        check(o.socket == live, "an action for a socket the core abandoned");
        break;
      case K::kCloseSocket:
        check(o.socket != 0 && o.socket == held_, "close-socket for a socket the shim lacks");
        check(o.socket != live, "close-socket for the socket the core still counts live");
        held_ = 0;
        break;
      case K::kClosed: {
        check(o.socket != live || live == 0, "a closed event for the live socket");
        bool found = false;
        for (std::size_t i = 0; i < unreported_.size(); ++i) {
          if (unreported_[i] != o.socket) continue;
          unreported_.erase(unreported_.begin() + static_cast<std::ptrdiff_t>(i));
          found = true;
          break;
        }
        check(found, "a closed event for a socket that had one, or that the shim never made");
        if (held_ == o.socket) held_ = 0;
        break;
      }
      case K::kOpened:
        check(o.socket != 0 && o.socket == held_, "an opened event for a socket the shim lacks");
        break;
      case K::kHeartbeat:
        check(std::isfinite(o.value) && o.value >= 0, "a heartbeat rtt negative or not finite");
        check(o.socket != 0 && o.socket == held_, "a heartbeat for a socket the shim lacks");
        break;
      case K::kReconnecting:
        check(std::isfinite(o.value) && o.value >= 0, "a reconnect delay negative or not finite");
        break;
      case K::kGaveUp:
        break;
    }
  }

  // Everything polled: the shim's view is the core's.
  void settled_checks() {
    check(polled_state_ == conn_.state(), "the polled state changes do not end at state()");
    check(held_ == conn_.live_socket(), "the socket the shim holds is not the core's live one");
    for (SocketId id : unreported_)
      check(id == conn_.live_socket(), "a socket went away without a closed event");
  }

  void final_checks() { settled_checks(); }

  Connection conn_;
  Bytes bytes_;
  bool valid_;
  std::size_t step_ = 0;
  Input current_;
  Input last_;
  R last_result_ = R::kIgnored;
  Millis clock_ = 0;
  Millis accepted_now_ = -kNever;
  State polled_state_ = State::kIdle;
  SocketId held_ = 0;
  SocketId highest_ = 0;
  SocketId pinged_before_ = 0;        // the socket of the latest send-ping an input emitted
  std::vector<SocketId> unreported_;  // polled open-socket, no closed event yet
};

// The header: one byte per config field.
Config decode_config(Bytes& bytes) {
  Config c;
  for (int i = 0; i < kFieldCount; ++i) {
    const std::uint8_t b = bytes.next();
    if (b == 0) continue;
    const FieldSpec& f = field_spec(static_cast<Field>(i));
    switch (f.kind) {
      case FieldKind::kFlag:
        f.set(c, b & 1);
        break;
      case FieldKind::kSeed:
        f.set(c, b * 16777619.0);
        break;
      default:
        f.set(c, kValues[(b - 1) % std::size(kValues)]);
        break;
    }
  }
  return c;
}

// The fields validate() names get their defaults; if that is not enough (max_reconnect_delay
// below a valid reconnect_delay), the numbers all do.
Config sanitize(Config c, const std::vector<ConfigProblem>& problems) {
  const Config defaults;
  for (const ConfigProblem& p : problems) {
    const FieldSpec& f = field_spec(p.field);
    f.set(c, f.get(defaults));
  }
  if (validate(c).empty()) return c;
  Config d;
  d.answer_server_pings = c.answer_server_pings;
  d.pause_in_background = c.pause_in_background;
  d.seed = c.seed;
  return d;
}

void check_validate(const Config& c) {
  // An accepted duration can move a double clock: at least kMinDuration, or never.
  for (int i = 0; i < kFieldCount; ++i) {
    const FieldSpec& f = field_spec(static_cast<Field>(i));
    const double v = f.get(c);
    bool ok = true;
    if (f.kind == FieldKind::kDuration) ok = v == kNever || (std::isfinite(v) && v >= kMinDuration);
    if (f.kind == FieldKind::kDelay) ok = v == 0 || (std::isfinite(v) && v >= kMinDuration);
    if (ok) continue;
    constexpr const char* kWhat = "validate() accepted a duration too small to move the clock";
    if (survey.on && !survey.first(kWhat)) throw Broken{};
    std::fprintf(stderr, "lifeline_fuzz: INVARIANT BROKEN: %s: %s = %.17g\n", kWhat, f.cpp_name, v);
    if (survey.on) survey.record(kWhat);
    std::abort();
  }
}

// One fuzz input: the header is the config, the rest the inputs.
void play(const std::uint8_t* data, std::size_t size) {
  Bytes header(data, size);
  const Config config = decode_config(header);
  const std::size_t skip = std::min<std::size_t>(size, static_cast<std::size_t>(kFieldCount));
  const std::uint8_t* ops = data + skip;
  const std::size_t ops_size = size - skip;

  const std::vector<ConfigProblem> problems = validate(config);
  if (problems.empty()) {
    check_validate(config);
    ++measured.sane_runs;
    if (trace_on()) std::fprintf(stderr, "-- a valid config\n");
    Player(config, ops, ops_size, true).run();
    return;
  }
  // Rejected: open() must be refused and nothing may start; then the same inputs are played on a
  // config where each rejected field has its default, so that the edges of the others are fuzzed.
  ++measured.invalid_runs;
  if (trace_on()) std::fprintf(stderr, "-- an invalid config (%s first)\n", problems[0].name);
  Player(config, ops, ops_size, false).run();
  const Config sane = sanitize(config, problems);
  check_validate(sane);
  if (trace_on()) std::fprintf(stderr, "-- the same inputs on a sanitized config\n");
  Player(sane, ops, ops_size, true).run();
}

}  // namespace
}  // namespace lifeline

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lifeline::survey.data = data;
  lifeline::survey.size = size;
  try {
    lifeline::play(data, size);
  } catch (const lifeline::Broken&) {
    // LIFELINE_FUZZ_SURVEY only: recorded, going on.
  }
  return 0;
}
