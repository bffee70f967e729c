// A libFuzzer target for lifeline::Client (lifeline/client.hpp): Connection and, with resume on,
// ResumeState wired into one state machine. It decodes the bytes into a small configuration and a
// sequence of inputs, plays them as a shim would, and checks the client's rules after every input.
// It also plays the peer: a server-role ResumeState (with a one-session table around it) that
// reads what the client writes and answers over a modelled wire, so that whole conversations
// (hello, resends, acks, pings, resumes, expiries) are reached, not only garbage; hostile inputs
// (forged frames, stale and future socket ids, NaN and backwards times) are mixed in.
//
//   build and run:  scripts/fuzz.sh  (it also writes this target's seeds, see below)
//   replay a crash: LIFELINE_FUZZ_TRACE=1 build/fuzz/lifeline_fuzz_client CRASH_FILE
//   measure:        LIFELINE_FUZZ_STATS=1  (at exit: outputs per input, conversation depth)
//   list them all:  LIFELINE_FUZZ_SURVEY=DIR  (a broken rule is recorded, not fatal)
//   seeds:          LIFELINE_FUZZ_WRITE_SEEDS=DIR build/fuzz/lifeline_fuzz_client  (writes the
//                   seed conversations into DIR and exits; they are encoded here, so that they
//                   never go stale against this file's byte format)
//
// Input format (a missing byte reads as 0):
//   header  6 bytes: flags (bit 0: resume off), the client's max_unacked, max_unacked_bytes, ack
//           timing, the Connection's timing, the server's config (kHeader*: 0 is the default).
//   ops     an op byte: its low 5 bits pick the input (Op); its high 3 bits the drain after it:
//           0-5 everything, 6 nothing, 7 one output. Then the op's argument bytes.
//
// Rules checked: poll_timeout() is later than the latest accepted now (or kNever); resume outputs
// are stamped 0 or with a socket live and open when they were decided; every written control frame
// parses back; the first frame on a socket is new/resume, before any application message;
// resends, releases and drops match a model of the kept seqs (contiguous, nothing twice, nothing
// not kept) and its byte count; the bounds hold; a refused send changes nothing; with resume off no
// resume output appears; a bounded number of outputs per input; and, while nothing was forged,
// every message either side delivers has the seq the other side gave it (lossless, in order).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "lifeline/client.hpp"
#include "lifeline/resume.hpp"

namespace lifeline {
namespace {

using K = OutputKind;
using RK = ResumeOutputKind;
using R = CommandResult;
using u128 = unsigned __int128;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMax = std::numeric_limits<double>::max();
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

// The most outputs one input may make. The worst real case is a resumed that finds a gap
// ("expired", drop, expired, "new") or a lost socket (close-socket, state, closed, reconnecting)
// with an ack due; 12 leaves room without letting a loop pass.
constexpr std::size_t kMaxOutputsPerInput = 12;
// The most outputs one drain may return (a poll that re-arms itself would never end).
constexpr std::size_t kMaxPollsPerDrain = 64;

// clang-format off
// Times a time argument can jump to.
constexpr double kTimes[] = {
    kNaN, kNever, -kNever, 1e300, -1e300, kMax, -kMax, 4.9e-324, 0, -0.0, -1, 9007199254740992.0,
    9007199254740994.0, 1e15, 4294967296.0};
constexpr int kCodes[] = {1000, 4000, 4010, 4011, 1001, 1006, 1012, 1013, 0, 3000, 4999, 65535};
// Message sizes: nothing, small, at the default byte bound and past it, and huge.
constexpr std::uint64_t kSizes[] = {
    1, 0, 10, 100, 1000, 65536, 1024 * 1024, 1024 * 1024 + 1, std::uint64_t{1} << 53,
    std::uint64_t{1} << 63, kU64Max, 3};
// Session ids: valid, at 64 and 65 characters, and invalid.
const std::string kSessions[] = {
    "s1", std::string(64, 'a'), std::string(65, 'a'), "bad id", "", "s_-9", std::string(63, 'z') + "!",
    "\xc3\xa9"};
// clang-format on

// The header's choices (index = byte % size; 0 is the default).
constexpr std::uint32_t kMaxUnacked[] = {1000, 1, 2, 3, 8, 0, kMaxUnackedLimit + 1, 1000};
constexpr std::uint64_t kMaxBytes[] = {1024 * 1024, 1,       10, 100,
                                       1000,        kU64Max, 0,  std::uint64_t{1} << 63};
constexpr std::uint32_t kAckEvery[] = {32, 1, 2, 33};
constexpr double kAckDelay[] = {30000, 0, 1, kNever, kNaN, 1e-300, 100, -1};

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
  kTimeoutAtDeadline,  // handle_timeout when poll_timeout() says, on time, early or late
  kNetwork,
  kForeground,
  kSend,
  kMessage,      // a forged application message
  kControlText,  // a forged text that starts with the control prefix (or nearly)
  kExpire,
  kToClient,         // the wire: deliver the next frames the server wrote
  kToServer,         // the wire: the server reads the next frames the client wrote
  kServerSend,       // the server's app sends messages
  kServerNotices,    // the server notices every socket the client gave up
  kServerTimeout,    // the server's timer; or it expires the session
  kServerHeartbeat,  // the server's heartbeat
  kServerClose,      // the server closes its connection (restart, superseded...)
  kDrain,
  kClock,
  kCount
};
constexpr int kOpCount = static_cast<int>(Op::kCount);

const char* op_name(Op op) {
  constexpr const char* kNames[] = {
      "open",          "close",          "reconnect",      "opened",
      "activity",      "pong",           "server-ping",    "error",
      "socket-closed", "attempt-failed", "timeout",        "timeout@deadline",
      "network",       "foreground",     "send",           "message",
      "control-text",  "expire",         "to-client",      "to-server",
      "server-send",   "server-notices", "server-timeout", "server-heartbeat",
      "server-close",  "drain",          "clock"};
  static_assert(std::size(kNames) == kOpCount);
  return kNames[static_cast<int>(op)];
}

// The op byte's low 5 bits; 27-31 repeat the ops that take a conversation further.
Op op_of(std::uint8_t b) {
  constexpr Op kMore[] = {Op::kToClient, Op::kToServer, Op::kSend, Op::kTimeoutAtDeadline,
                          Op::kOpened};
  const int v = b & 0x1f;
  return v < kOpCount ? static_cast<Op>(v) : kMore[v - kOpCount];
}

bool takes_id(Op op) {
  return (op >= Op::kOpened && op <= Op::kAttemptFailed) || op == Op::kMessage ||
         op == Op::kControlText;
}

struct Measured {
  std::uint64_t runs_on = 0, runs_off = 0, runs_invalid = 0, inputs = 0;
  std::size_t max_outputs = 0;
  std::uint64_t server_in_order = 0, client_in_order = 0;  // checked deliveries, untainted
  std::uint64_t resumes = 0, expiries = 0, protocol_errors = 0, untainted_runs = 0;
  Seq deepest = 0;  // the highest seq delivered and checked in one session
  ~Measured() {
    if (std::getenv("LIFELINE_FUZZ_STATS") == nullptr) return;
    std::fprintf(
        stderr,
        "lifeline_fuzz_client: %llu runs resume on (%llu with an invalid resume config, "
        "%llu never forged), %llu off; %llu inputs, most outputs from one: %zu; checked "
        "in-order deliveries: %llu to the server, %llu to the client (deepest seq %llu); "
        "resumes %llu, expiries %llu, protocol errors %llu\n",
        static_cast<unsigned long long>(runs_on), static_cast<unsigned long long>(runs_invalid),
        static_cast<unsigned long long>(untainted_runs), static_cast<unsigned long long>(runs_off),
        static_cast<unsigned long long>(inputs), max_outputs,
        static_cast<unsigned long long>(server_in_order),
        static_cast<unsigned long long>(client_in_order), static_cast<unsigned long long>(deepest),
        static_cast<unsigned long long>(resumes), static_cast<unsigned long long>(expiries),
        static_cast<unsigned long long>(protocol_errors));
  }
};
Measured measured;

using fuzz::Broken;
using fuzz::Bytes;
using fuzz::trace_on;
fuzz::Survey survey("lifeline_fuzz_client");

std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Something on the modelled wire, in one direction.
struct Item {
  enum Kind : std::uint8_t { kText, kApp, kClose } kind = kApp;
  SocketId socket = 0;
  Seq seq = 0;       // kApp: the seq its sender gave it (its payload, as far as this test goes)
  std::string text;  // kText
  int code = 0;      // kClose: the server closed the socket with this code
};

// What the shim and the server know of one socket.
struct SocketInfo {
  bool handshake = false;  // the client wrote new/resume on it
  Seq last_app = 0;        // the seq of the last application message the client wrote on it
  bool server_closed = false;
};

struct Setup {
  Config config;
  ResumeConfig client;
  ResumeConfig server;
};

Setup decode_setup(Bytes& b) {
  Setup s;
  const std::uint8_t flags = b.next();
  s.config.resume = (flags & 1) == 0;
  s.config.jitter = 0;  // the schedule does not matter here, only the wiring
  const std::uint8_t u = b.next(), by = b.next(), ack = b.next(), life = b.next(), srv = b.next();
  s.client.max_unacked = kMaxUnacked[u % std::size(kMaxUnacked)];
  // The largest ring only sometimes: it allocates 16 MB.
  if (u == 0x80) s.client.max_unacked = kMaxUnackedLimit;
  s.client.max_unacked_bytes = kMaxBytes[by % std::size(kMaxBytes)];
  s.client.ack_every = kAckEvery[ack % std::size(kAckEvery)];
  s.client.ack_delay = kAckDelay[(ack >> 2) % std::size(kAckDelay)];
  if (ack & 0x20) s.client.ack_bytes = 1;
  constexpr double kPing[] = {10000, 100, 1, kNever};
  constexpr double kPongWait[] = {10000, 50, kNever, 1};
  s.config.ping_interval = kPing[life % 4];
  s.config.pong_timeout = kPongWait[(life >> 2) % 4];
  s.config.reconnect_delay = (life & 0x10) ? 0 : 1000;
  s.config.answer_server_pings = (life & 0x20) == 0;
  if (life & 0x40) s.config.max_retries = 2;
  s.server = ResumeConfig::server();
  constexpr std::uint32_t kSrvUnacked[] = {1000, 2};
  constexpr double kWindow[] = {120000, 0, 50, 1};
  constexpr double kAge[] = {5 * 60 * 1000, 20};
  s.server.max_unacked = kSrvUnacked[srv & 1];
  s.server.session_window = kWindow[(srv >> 1) % 4];
  s.server.max_age = kAge[(srv >> 3) & 1];
  s.server.ack_every = (srv & 0x10) ? 1 : 32;
  s.server.ack_delay = (srv & 0x20) ? 0 : 30000;
  return s;
}
constexpr std::size_t kHeaderSize = 6;

// Plays one sequence against one Client (and a server peer) and checks it.
class Player {
 public:
  Player(const Setup& s, const std::uint8_t* ops, std::size_t size)
      : setup_(s), client_(s.config, s.client), bytes_(ops, size), resume_(s.config.resume) {
    valid_ = client_.config_valid();
  }

  void run() {
    if (!client_.connection().config_valid()) fail("the fixed Connection config is invalid");
    if (resume_) {
      ++(valid_ ? measured.runs_on : measured.runs_invalid);
      if (valid_ != validate(setup_.client)) fail("config_valid() disagrees with validate()");
    } else {
      ++measured.runs_off;
      if (!valid_) fail("config_valid() false with resume off and a valid Connection config");
    }
    while (!bytes_.done())
      step();
    drain(-1);
    if (resume_ && valid_ && !tainted_) ++measured.untainted_runs;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    if (survey.on && !survey.first(what)) throw Broken{};
    const ResumeState* s = client_.session();
    std::fprintf(stderr,
                 "lifeline_fuzz_client: INVARIANT BROKEN at input #%zu (%s, resume %s%s%s): %s\n"
                 "  state %s, live socket %u, now() %.17g, poll_timeout() %.17g, pending %zu\n",
                 step_, op_name(in_.op), resume_ ? "on" : "off", valid_ ? "" : ", invalid config",
                 tainted_ ? ", forged input seen" : "", what, to_string(client_.state()),
                 client_.live_socket(), client_.connection().now(), client_.poll_timeout(),
                 client_.pending_outputs());
    if (s != nullptr) {
      std::fprintf(stderr,
                   "  session %s \"%s\": next %llu written %llu first %llu acked %llu received "
                   "%llu, unacked %zu (%llu bytes); model first %llu next %llu\n",
                   to_string(s->phase()), std::string(s->session()).c_str(),
                   static_cast<unsigned long long>(s->next_seq()),
                   static_cast<unsigned long long>(s->written()),
                   static_cast<unsigned long long>(s->first_kept()),
                   static_cast<unsigned long long>(s->peer_acked()),
                   static_cast<unsigned long long>(s->received()), s->unacked(),
                   static_cast<unsigned long long>(s->unacked_bytes()),
                   static_cast<unsigned long long>(model_first_),
                   static_cast<unsigned long long>(model_next_));
    }
    std::fprintf(stderr, "  replay with LIFELINE_FUZZ_TRACE=1 to see every step\n");
    if (survey.on) survey.record(what);
    std::abort();
  }
  void check(bool ok, const char* what) {
    if (!ok) fail(what);
  }

  // --- decoding ---

  Millis time_arg(std::uint8_t b) {
    Millis t = clock_;
    if (b < 0x20) {
      t = clock_ + b;
    } else if (b < 0x40) {
      t = clock_ + (b - 0x20) * 500.0;
    } else if (b < 0x60) {
      t = clock_ + std::ldexp(1.0, b - 0x40);
    } else if (b < 0x70) {
      t = clock_ - (b - 0x5f);
    } else if (b < 0x80) {
      t = clock_ - 1000.0 * std::ldexp(1.0, b - 0x70);
    } else if (b < 0x90) {
      const Millis d = client_.poll_timeout();
      if (std::isfinite(d)) {
        const int which = b & 0x0f;
        t = which == 0 ? d : which == 1 ? std::nextafter(d, -kNever) : d + (which - 1) * 1000.0;
      }
    } else {
      t = kTimes[(b - 0x90) % std::size(kTimes)];
    }
    if (std::isfinite(t)) clock_ = t;
    return t;
  }

  SocketId id_arg() {
    const std::uint8_t b = bytes_.next();
    const SocketId live = client_.live_socket();
    if (b < 0x80) return live;
    if (b < 0xa0) return live > 1 ? live - 1 : highest_;
    if (b < 0xc0) return highest_ + 1;  // a future id: one the core has not asked for
    if (b < 0xd0) return 0;
    if (b < 0xe0) return highest_;
    return bytes_.next32();
  }

  std::uint64_t size_arg() {
    const std::uint8_t b = bytes_.next();
    if (b >= 0xf0) return bytes_.next32();
    return kSizes[b % std::size(kSizes)];
  }

  // A number for a forged frame: near what the client wrote, kept or received, and the edges.
  std::string number_arg() {
    const std::uint8_t b = bytes_.next();
    const ResumeState* s = client_.session();
    const Seq written = s ? s->written() : 0, first = s ? s->first_kept() : 1;
    switch (b % 16) {
      case 0:
        return "0";
      case 1:
        return std::to_string(written);
      case 2:
        return std::to_string(written + 1);
      case 3:
        return std::to_string(first > 0 ? first - 1 : 0);
      case 4:
        return std::to_string(first > 1 ? first - 2 : 0);
      case 5:
        return std::to_string(kMaxSeq);  // 2^53 - 1: valid, and beyond anything written
      case 6:
        return std::to_string(kMaxSeq + 1);
      case 7:
        return "99999999999999999";  // 17 digits
      case 8:
        return "18446744073709551616";  // 2^64
      case 9:
        return "01";
      case 10:
        return std::to_string(s ? s->peer_acked() : 0);
      case 11:
        return std::to_string(s ? s->next_seq() : 1);
      default:
        return std::to_string(bytes_.next());
    }
  }

  std::string session_arg() {
    const std::uint8_t b = bytes_.next();
    if (b < 0x40 && !server_sid_.empty()) return server_sid_;
    if (b < 0x80 && client_.session() && !client_.session()->session().empty())
      return std::string(client_.session()->session());
    return kSessions[b % std::size(kSessions)];
  }

  // A forged text frame: valid, malformed, truncated, escaped, unknown, non-ASCII, out of place.
  std::string control_text_arg() {
    const std::uint8_t t = bytes_.next();
    const std::string p(kControlPrefix);
    switch (t % 34) {
      case 0:
        return p + "new";
      case 1: {
        const std::string id = session_arg();
        return p + "resume " + id + " " + number_arg();
      }
      case 2: {
        const std::string id = session_arg();
        return p + "hello " + id + " " + number_arg();
      }
      case 3:
        return p + "resumed " + number_arg();
      case 4:
        return p + "expired";
      case 5:
        return p + "ack " + number_arg();
      case 6:
        return p + "ping " + number_arg();
      case 7:
        return p + "pong " + number_arg();
      case 8:
        return p;
      case 9:
        return p + "esc";
      case 10:
        return std::string(kEscapePrefix) + "hi";
      case 11:
        return p + "hint 5";
      case 12:
        return p + "ack";
      case 13:
        return p + "ack ";
      case 14:
        return p + "ack -1";
      case 15:
        return p + "ack 1 2";
      case 16:
        return p + "hello " + session_arg();
      case 17:
        return p + "new x";
      case 18:
        return p + "expired 1";
      case 19:
        return p + "ACK 1";
      case 20:
        return p + "ack \xc3\xa9";
      case 21:
        return p + "ack " + number_arg() + std::string(200, '7');  // cut at kMaxControlText
      case 22:
        return std::string(kControlPrefix.substr(0, 3));
      case 23:
        return p + "pong  1";
      case 24:
        return p + "ack +1";
      case 25:
        return p + "ping 1" + std::string(1, '\0');
      case 26: {
        const std::string id = session_arg();
        return p + "hello " + id + " " + number_arg() + " extra";
      }
      case 27:
        return "hello s1 1";  // no prefix: an application text
      case 28:
        return std::string(kEscapePrefix);
      case 29:
        return p + "resumed\t1";
      case 30:
        return p + "ack 1e3";
      case 31:
        return p + "\xff\xfe";
      case 32:
        return p + "hello " + std::string(64, 'b') + " 120000" + std::string(100, ' ');
      default: {
        std::string raw = p;  // raw bytes after the prefix
        const std::uint8_t n = bytes_.next() % 24;
        for (std::uint8_t i = 0; i < n; ++i)
          raw += static_cast<char>(bytes_.next());
        return raw;
      }
    }
  }

  struct Input {
    Op op = Op::kTimeout;
    Millis now = 0;
    SocketId id = 0;
    int code = kCodeNormal;
    bool flag = false, allowed = true;
    std::uint64_t size = 0;
    std::string text;
    std::uint8_t count = 1;
    int drain = -1;
  };

  Input decode() {
    Input in;
    const std::uint8_t b = bytes_.next();
    in.op = op_of(b);
    const int d = b >> 5;
    if (d >= 6) in.drain = d - 6;
    if (takes_id(in.op)) in.id = id_arg();
    switch (in.op) {
      case Op::kClose:
        in.code = kCodes[bytes_.next() % std::size(kCodes)];
        break;
      case Op::kSocketClosed: {
        in.code = kCodes[bytes_.next() % std::size(kCodes)];
        const std::uint8_t f = bytes_.next();
        in.flag = (f & 1) != 0;
        in.allowed = (f & 2) == 0;
        break;
      }
      case Op::kNetwork:
      case Op::kForeground:
      case Op::kServerTimeout:
        in.flag = (bytes_.next() & 1) == 0;
        break;
      case Op::kSend:
        in.size = size_arg();
        break;
      case Op::kMessage:
        in.size = size_arg();
        break;
      case Op::kControlText: {
        in.text = control_text_arg();
        const std::uint8_t m = bytes_.next();
        // The length the shim reports: the text's, or a lie (0, huge); a long one is cut.
        in.size = m < 0xc0 ? in.text.size() : m < 0xe0 ? 0 : kU64Max;
        if (m & 1 && in.text.size() > Client::kMaxControlText) {
          in.text.resize(Client::kMaxControlText);
        }
        break;
      }
      case Op::kToClient:
      case Op::kToServer:
      case Op::kServerSend:
        in.count = static_cast<std::uint8_t>(1 + bytes_.next() % 4);
        break;
      case Op::kServerClose:
        in.code = kCodes[bytes_.next() % std::size(kCodes)];
        break;
      default:
        break;
    }
    if (in.op == Op::kTimeoutAtDeadline) {
      in.now = time_arg(static_cast<std::uint8_t>(0x80 | (bytes_.next() & 0x0f)));
    } else if (in.op != Op::kDrain) {
      in.now = time_arg(bytes_.next());
    }
    return in;
  }

  void print_input(const Input& in, const char* result) {
    std::fprintf(stderr, "#%zu %s", step_, op_name(in.op));
    if (in.op != Op::kDrain) std::fprintf(stderr, " now %.17g", in.now);
    if (takes_id(in.op)) std::fprintf(stderr, " socket %u", in.id);
    if (in.op == Op::kClose || in.op == Op::kSocketClosed || in.op == Op::kServerClose)
      std::fprintf(stderr, " code %d", in.code);
    if (in.op == Op::kSend || in.op == Op::kMessage || in.op == Op::kControlText)
      std::fprintf(stderr, " bytes %llu", static_cast<unsigned long long>(in.size));
    if (in.op == Op::kControlText) std::fprintf(stderr, " \"%s\"", printable(in.text).c_str());
    if (in.op == Op::kToClient || in.op == Op::kToServer || in.op == Op::kServerSend)
      std::fprintf(stderr, " x%u", in.count);
    if (result != nullptr) std::fprintf(stderr, " -> %s", result);
    if (in.drain >= 0) std::fprintf(stderr, " (then polls only %d)", in.drain);
    std::fprintf(stderr, "\n");
  }

  // --- the client's state, as far as the rules need it ---

  struct Seqs {
    Seq next = 1, written = 0, first = 1, received = 0;
    std::size_t unacked = 0;
    std::uint64_t bytes = 0;
    ResumePhase phase = ResumePhase::kNoSession;
    std::uint64_t expiries = 0;
    std::size_t pending = 0;
    Millis timeout = 0;
    bool operator==(const Seqs& o) const {
      return next == o.next && written == o.written && first == o.first && received == o.received &&
             unacked == o.unacked && bytes == o.bytes && phase == o.phase &&
             expiries == o.expiries && pending == o.pending &&
             (timeout == o.timeout || (std::isnan(timeout) && std::isnan(o.timeout)));
    }
  };
  Seqs seqs() const {
    Seqs q;
    if (const ResumeState* s = client_.session()) {
      q.next = s->next_seq();
      q.written = s->written();
      q.first = s->first_kept();
      q.received = s->received();
      q.unacked = s->unacked();
      q.bytes = s->unacked_bytes();
      q.phase = s->phase();
    }
    q.expiries = client_.resume_stats().expiries;
    q.pending = client_.pending_outputs();
    q.timeout = client_.poll_timeout();
    return q;
  }

  // --- one step ---

  void step() {
    ++step_;
    in_ = decode();
    const Input& in = in_;
    if (in.op == Op::kDrain || in.op == Op::kClock) {
      if (trace_on()) print_input(in, nullptr);
      drain(in.drain);
      return;
    }
    // A shim that never drains grows the queue without end: that is the shim's bug.
    if (client_.pending_outputs() > 32) drain(-1);
    ++measured.inputs;
    switch (in.op) {
      case Op::kToClient:
        for (int i = 0; i < in.count && !s2c_.empty(); ++i)
          to_client(in);
        break;
      case Op::kToServer:
        for (int i = 0; i < in.count && !c2s_.empty(); ++i)
          to_server();
        break;
      case Op::kServerSend:
      case Op::kServerNotices:
      case Op::kServerTimeout:
      case Op::kServerHeartbeat:
      case Op::kServerClose:
        server_op(in);
        break;
      case Op::kSend:
        send(in);
        break;
      default:
        client_input(in);
        break;
    }
    drain(in.drain);
  }

  // The socket live and open at the end of each input since everything was last polled: the only
  // ones a resume output may be stamped with (it is decided, and stamped, within its input, or at
  // poll time for the heartbeat, when nothing changed since the last input).
  void note_live() {
    if (client_.state() == State::kOpen) recent_live_.push_back(client_.live_socket());
  }

  R apply(const Input& in) {
    switch (in.op) {
      case Op::kOpen:
        return client_.open(in.now);
      case Op::kClose:
        return client_.close(in.now, in.code);
      case Op::kReconnect:
        return client_.reconnect(in.now);
      case Op::kOpened:
        return client_.handle_socket_opened(in.id, in.now);
      case Op::kActivity:
        return client_.handle_activity(in.id, in.now);
      case Op::kPong:
        return client_.handle_pong(in.id, in.now);
      case Op::kServerPing:
        return client_.handle_server_ping(in.id, in.now);
      case Op::kError:
        return client_.handle_socket_error(in.id, in.now);
      case Op::kSocketClosed:
        return client_.handle_socket_closed(in.id, in.now, in.code, in.flag, in.allowed);
      case Op::kAttemptFailed:
        return client_.handle_attempt_failed(in.id, in.now);
      case Op::kTimeout:
      case Op::kTimeoutAtDeadline:
        return client_.handle_timeout(in.now);
      case Op::kNetwork:
        return client_.handle_network(in.flag, in.now);
      case Op::kForeground:
        return client_.handle_foreground(in.flag, in.now);
      case Op::kMessage:
        return client_.handle_message(in.id, in.size, in.now);
      case Op::kControlText:
        return client_.handle_control_text(in.id, in.text, in.size, in.now);
      case Op::kExpire:
        return client_.expire(in.now);
      default:
        return R::kOk;
    }
  }

  // A Connection input, a forged frame or expire().
  void client_input(const Input& in) {
    const SocketId live = client_.live_socket();
    const bool open = client_.state() == State::kOpen;
    // A forged frame on the live socket: what the client then does may diverge from the server.
    // (expire() is no forgery: the server hears "expired", or the next connection says "new".)
    if ((in.op == Op::kMessage || in.op == Op::kControlText) && in.id == live && open &&
        std::isfinite(in.now)) {
      tainted_ = true;
    }
    const Seqs before = seqs();
    const std::size_t errors = client_.resume_stats().protocol_errors;
    const R result = apply(in);
    if (trace_on()) print_input(in, to_string(result));
    after_input(in.now, result, before);

    if (!std::isfinite(in.now)) {
      // (An invalid config may be named first: both are refusals.)
      check(result == R::kInvalidTime || result == R::kInvalidConfig ||
                (in.op == Op::kExpire && !resume_),
            "a non-finite now was not refused");
      check(before == seqs(), "a non-finite now changed something");
    }
    if (in.op == Op::kMessage || in.op == Op::kControlText) {
      const bool live_open = in.id != 0 && in.id == live && open;
      if (!live_open && std::isfinite(in.now)) {
        check(result == R::kIgnored, "a frame on a socket not live and open was not ignored");
        check(before == seqs(), "a frame on a socket not live and open changed something");
      }
      message_checks(result, before);
    }
    if (in.op == Op::kExpire && !resume_) check(result == R::kIgnored, "expire() with resume off");
    // A protocol error closes the socket it came on, with 4010.
    if (client_.resume_stats().protocol_errors != errors) {
      ++measured.protocol_errors;
      check(client_.resume_stats().protocol_errors == errors + 1, "two protocol errors at once");
      check(client_.live_socket() != live || client_.state() != State::kOpen,
            "a protocol error left its socket open");
    }
    if (result == R::kInvalidArgument && in.op == Op::kControlText) {
      check(client_.resume_stats().protocol_errors == errors + 1,
            "a control text refused as invalid without a protocol error");
    }
  }

  // handle_message and handle_control_text: what was delivered is counted, once.
  void message_checks(R result, const Seqs& before) {
    const Seqs now = seqs();
    if (!resume_) {
      check(client_.session() == nullptr, "a session with resume off");
      return;
    }
    if (result == R::kOk) {
      check(now.received == before.received + 1, "a delivered message was not counted once");
      check(before.phase == ResumePhase::kAttached, "a message delivered while not attached");
    } else if (before.expiries == now.expiries) {
      // (An expiry restarts the count at 0.)
      check(now.received == before.received, "a message not delivered was counted");
    }
  }

  void send(const Input& in) {
    // The app sends from its own code: what is pending was carried out before.
    drain(-1);
    const Seqs before = seqs();
    const SocketId live = client_.live_socket();
    const Sent sent = client_.send(in.size, in.now);
    if (trace_on()) {
      print_input(in, to_string(sent.outcome));
      if (sent.seq != 0)
        std::fprintf(stderr, "    seq %llu\n", static_cast<unsigned long long>(sent.seq));
    }
    after_input(in.now, R::kIgnored, before);
    const Seqs after = seqs();
    if (!resume_ || !valid_ || !std::isfinite(in.now)) {
      check(sent.outcome == SendOutcome::kInvalid, "a send accepted with resume off or invalid");
    }
    if (sent.outcome == SendOutcome::kInvalid || sent.outcome == SendOutcome::kFull) {
      // Refused: nothing changed (a timer that ran may have emitted an ack: reported apart).
      const bool same = before.next == after.next && before.written == after.written &&
                        before.first == after.first && before.unacked == after.unacked &&
                        before.bytes == after.bytes && before.phase == after.phase;
      check(same, "a refused send changed the session");
      // Its timers ran first (resume.cpp's on_send): an ack that was due may come out, and only
      // that (resume.hpp's "refused input changes nothing" does not hold for this).
      if (after.pending != before.pending) {
        Client copy = client_;
        ClientOutput o;
        std::size_t i = 0;
        while (copy.poll(o)) {
          if (i++ < before.pending) continue;
          check(o.resume && o.res.kind == RK::kSendControl && o.res.control == ControlKind::kAck,
                "a refused send emitted something else than a due ack");
        }
      }
      check(sent.seq == 0, "a refused send has a seq");
    }
    if (!resume_ || !valid_) return;
    if (client_.state() == State::kClosed) {  // final: nothing more is kept (client.hpp)
      check(sent.outcome == SendOutcome::kInvalid, "a send after the final close was accepted");
      return;
    }
    if (std::isfinite(in.now)) {
      check(sent.outcome != SendOutcome::kInvalid, "a finite, valid send was kInvalid");
    }
    const ResumeConfig& rc = setup_.client;
    const bool fits = in.size <= rc.max_unacked_bytes && before.unacked + 1 <= rc.max_unacked &&
                      u128{before.bytes} + in.size <= u128{rc.max_unacked_bytes};
    if (sent.outcome == SendOutcome::kFull) check(!fits, "kFull for a message that fits");
    if (sent.outcome == SendOutcome::kWrite || sent.outcome == SendOutcome::kHold) {
      check(fits, "a message accepted past the bounds");
      check(sent.seq == before.next && after.next == before.next + 1, "a send's seq is not next");
      check(after.unacked == before.unacked + 1, "a send did not keep one message more");
      model_bytes_.push_back(in.size);
      model_sum_ += in.size;
      ++model_next_;
      check(model_next_ == after.next, "the model's next seq differs");
    }
    if (sent.outcome == SendOutcome::kWrite) {
      check(after.phase == ResumePhase::kAttached && client_.state() == State::kOpen,
            "kWrite while not attached");
      check(sent.seq == after.written, "kWrite but written() is not its seq");
      write_app(live, sent.seq);
    }
    if (sent.outcome == SendOutcome::kHold) {
      check(after.phase != ResumePhase::kAttached, "kHold while attached");
    }
  }

  // Whether the input just applied was one the session took (with its now).
  bool reached_session(R result) const {
    switch (in_.op) {
      case Op::kSend:
      case Op::kTimeout:
      case Op::kTimeoutAtDeadline:
        return true;
      case Op::kExpire:
        return result == R::kOk;
      case Op::kMessage:
      case Op::kToClient:
        return result == R::kOk;  // delivered: the session counted it, its timers ran
      default:
        return false;
    }
  }

  // After every input: time, bounds, the session against the link, how much came out.
  void after_input(Millis now, R result, const Seqs& before) {
    // Time. Connection's rule, lifted: after every input the deadline lies after the link's
    // now. The session's own deadline lies after the now of an input that reached it. (send() and
    // expire() reach only the session: the link's deadline may then lie before their now, which
    // client.hpp does not rule out; a late timer is harmless.)
    const Seqs after = seqs();
    const Millis deadline = client_.poll_timeout();
    check(!std::isnan(deadline), "poll_timeout() is NaN");
    check(deadline == kNever || deadline > client_.connection().now(),
          "poll_timeout() is not later than the link's now");
    const ResumeState* session = client_.session();
    if (session != nullptr && valid_ && std::isfinite(now) && reached_session(result)) {
      const Millis t = session->poll_timeout();
      check(t == kNever || t > now,
            "the session's poll_timeout() is not later than its input's now");
    }

    const std::size_t emitted = after.pending > before.pending ? after.pending - before.pending : 0;
    measured.max_outputs = std::max(measured.max_outputs, emitted);
    check(emitted <= kMaxOutputsPerInput, "too many outputs from one input");

    const ResumeState* s = client_.session();
    check((s != nullptr) == resume_, "a session exists iff resume is on");
    const ClientStats st = client_.resume_stats();
    if (!resume_) {
      check(st.unacked == 0 && st.unacked_bytes == 0 && st.resumes == 0 && st.expiries == 0 &&
                st.protocol_errors == 0,
            "resume stats with resume off");
      return;
    }
    check(st.unacked == s->unacked() && st.unacked_bytes == s->unacked_bytes(),
          "resume_stats() differs from the session");
    if (!valid_) {
      check(s->phase() == ResumePhase::kNoSession && s->unacked() == 0,
            "an invalid resume config got a session going");
      return;
    }
    if (client_.state() == State::kClosed) resync_closed(*s);
    check(s->unacked() <= setup_.client.max_unacked, "more unacked messages than max_unacked");
    check(s->unacked_bytes() <= setup_.client.max_unacked_bytes,
          "more unacked bytes than max_unacked_bytes");
    check(s->first_kept() <= s->next_seq() && s->written() < s->next_seq(),
          "seqs out of order: first_kept <= next_seq, written < next_seq");
    check(s->written() + 1 >= s->first_kept() || s->first_kept() == s->next_seq(),
          "kept messages below what was written are missing");
    const bool connected =
        s->phase() == ResumePhase::kHandshake || s->phase() == ResumePhase::kAttached;
    check(connected == (client_.state() == State::kOpen),
          "the session is connected iff the link is open");
    note_live();
  }

  // --- the shim: polls and carries out ---

  void drain(int n) {
    ClientOutput o;
    std::size_t polls = 0;
    const bool all = n < 0;
    while ((all || static_cast<int>(polls) < n) && client_.poll(o)) {
      check(++polls <= kMaxPollsPerDrain, "poll() never runs dry");
      if (o.resume) {
        carry_out_resume(o);
      } else {
        carry_out_conn(o);
      }
    }
    if (client_.pending_outputs() == 0) {
      recent_live_.clear();
      settled_checks();
    }
  }

  void print_resume(const ClientOutput& o) {
    std::fprintf(stderr, "    <- res %s", to_string(o.res.kind));
    if (o.res.kind == RK::kSendControl) {
      std::fprintf(stderr, " \"%s\"", printable(o.frame).c_str());
    } else if (o.res.kind == RK::kExpired) {
      std::fprintf(stderr, " %s", to_string(o.res.cause));
    } else if (o.res.kind != RK::kSession) {
      std::fprintf(stderr, " %llu..%llu", static_cast<unsigned long long>(o.res.from),
                   static_cast<unsigned long long>(o.res.to));
    }
    std::fprintf(stderr, " @%u\n", o.socket);
  }

  void carry_out_resume(const ClientOutput& o) {
    if (trace_on()) print_resume(o);
    check(resume_, "a resume output with resume off");
    check(valid_, "a resume output with an invalid resume config");
    // Stamped 0, or with a socket that was live and open when it was decided.
    bool stamp_ok = o.socket == 0;
    for (SocketId s : recent_live_)
      stamp_ok = stamp_ok || s == o.socket;
    check(stamp_ok, "a resume output stamped with a socket that was not live");
    const SocketId live = client_.live_socket();
    const bool write = o.socket != 0 && o.socket == live && client_.state() == State::kOpen;
    switch (o.res.kind) {
      case RK::kSendControl: {
        Control c;
        check(classify_text(o.frame, c) == TextFrame::kControl && c.kind == o.res.control,
              "a control frame that does not parse back as itself");
        if (write) write_text(o.socket, o.frame, c.kind);
        break;
      }
      case RK::kResend:
        check(o.res.from <= o.res.to, "a resend from > to");
        check(o.res.from >= model_first_ && o.res.to < model_next_,
              "a resend of a seq that is not kept");
        check(o.res.to + 1 == model_next_, "a resend that stops short of the last kept seq");
        if (write) {
          for (Seq s = o.res.from; s <= o.res.to; ++s)
            write_app(o.socket, s);
        }
        break;
      case RK::kRelease:
      case RK::kDrop:
        check(o.res.from <= o.res.to, "a release or drop from > to");
        check(o.res.from == model_first_, "a release or drop that is not the oldest kept seq");
        check(o.res.to < model_next_, "a release or drop of a seq not kept");
        while (model_first_ <= o.res.to) {
          model_sum_ -= model_bytes_.front();
          model_bytes_.pop_front();
          ++model_first_;
        }
        break;
      case RK::kExpired:
        ++measured.expiries;
        check(model_first_ == model_next_,
              "a session expired with messages neither freed nor dropped");
        model_first_ = model_next_ = 1;
        break;
      case RK::kSession:
        break;
    }
  }

  void carry_out_conn(const ClientOutput& o) {
    if (trace_on()) {
      std::fprintf(stderr, "    <- %s socket %u", to_string(o.conn.kind), o.conn.socket);
      if (!o.frame.empty()) std::fprintf(stderr, " \"%s\"", printable(o.frame).c_str());
      if (o.conn.kind == K::kCloseSocket || o.conn.kind == K::kClosed)
        std::fprintf(stderr, " code %d cause %s", o.conn.code, to_string(o.conn.cause));
      if (o.conn.kind == K::kStateChanged)
        std::fprintf(stderr, " %s -> %s", to_string(o.conn.from), to_string(o.conn.to));
      std::fprintf(stderr, "\n");
    }
    const SocketId live = client_.live_socket();
    switch (o.conn.kind) {
      case K::kOpenSocket:
        highest_ = std::max(highest_, o.conn.socket);
        break;
      case K::kFlushQueue:
        check(!resume_, "a flush-queue with resume on (messages wait in the session)");
        break;
      case K::kSendPing:
        if (resume_) {
          Control c;
          check(classify_text(o.frame, c) == TextFrame::kControl && c.kind == ControlKind::kPing,
                "resume on: the heartbeat's frame is not a ping control frame");
          if (o.conn.socket == live) write_text(o.conn.socket, o.frame, c.kind);
        } else {
          check(o.frame.empty(), "resume off: a frame for the shim's own ping");
        }
        break;
      case K::kSendPong:
        if (!resume_) check(o.frame.empty(), "resume off: a frame for the shim's own pong");
        break;
      case K::kCloseSocket:
        check(
            !resume_ || o.conn.cause != CloseCause::kProtocol || o.conn.code == kCodeProtocolError,
            "a protocol error closed with another code than 4010");
        break;
      default:
        break;
    }
  }

  // After the final close the client withdraws the resume outputs not yet polled, and those of
  // later inputs (client.hpp): releases, drops and expiries the shim never sees. The model follows
  // the session there, as the shim (which drops what it keeps on 'closed') has nothing to match.
  void resync_closed(const ResumeState& s) {
    if (s.next_seq() < model_next_ && s.next_seq() == s.first_kept()) {
      model_first_ = model_next_ = s.next_seq();
      model_bytes_.clear();
      model_sum_ = 0;
    }
    while (model_first_ < s.first_kept() && !model_bytes_.empty()) {
      model_sum_ -= model_bytes_.front();
      model_bytes_.pop_front();
      ++model_first_;
    }
  }

  // Everything polled: the model of the kept seqs is the session's.
  void settled_checks() {
    const ResumeState* s = client_.session();
    if (s == nullptr || !valid_) return;
    check(s->first_kept() == model_first_ && s->next_seq() == model_next_,
          "the kept seqs differ from what the outputs said (release, drop, expired)");
    check(u128{s->unacked_bytes()} == model_sum_,
          "unacked_bytes() differs from the bytes of the kept messages");
  }

  // --- the wire ---

  SocketInfo& info(SocketId s) { return sockets_[s]; }

  void write_text(SocketId socket, std::string_view frame, ControlKind kind) {
    SocketInfo& i = info(socket);
    if (kind == ControlKind::kNew || kind == ControlKind::kResume) {
      i.handshake = true;
      i.last_app = 0;  // "new" restarts the numbering
    } else {
      check(i.handshake, "a control frame before new/resume on a socket");
    }
    c2s_.push_back({Item::kText, socket, 0, std::string(frame), 0});
  }

  void write_app(SocketId socket, Seq seq) {
    SocketInfo& i = info(socket);
    check(i.handshake, "an application message before new/resume on a socket");
    check(i.last_app == 0 || seq == i.last_app + 1,
          "application messages on a socket are not contiguous");
    i.last_app = seq;
    c2s_.push_back({Item::kApp, socket, seq, {}, 0});
  }

  void to_client(const Input& in) {
    const Item item = s2c_.front();
    s2c_.pop_front();
    const Seqs before = seqs();
    const std::size_t errors = client_.resume_stats().protocol_errors;
    const bool live_open = item.socket == client_.live_socket() && client_.state() == State::kOpen;
    // A handshake the wire left unanswered past connect_timeout is the server's protocol error
    // however honest the server: the client cannot tell a slow network from a mute server.
    const bool handshake_late = std::isfinite(in.now) && in.now >= client_.handshake_deadline();
    R r = R::kOk;
    switch (item.kind) {
      case Item::kText:
        r = client_.handle_control_text(item.socket, item.text, item.text.size(), in.now);
        break;
      case Item::kApp:
        r = client_.handle_message(item.socket, 1, in.now);
        break;
      case Item::kClose:
        r = client_.handle_socket_closed(item.socket, in.now, item.code, true, true);
        break;
    }
    if (trace_on()) {
      std::fprintf(stderr, "#%zu to-client @%u %s \"%s\" seq %llu now %.17g -> %s\n", step_,
                   item.socket,
                   item.kind == Item::kText  ? "text"
                   : item.kind == Item::kApp ? "app"
                                             : "close",
                   printable(item.text).c_str(), static_cast<unsigned long long>(item.seq), in.now,
                   to_string(r));
    }
    after_input(in.now, r, before);
    if (r == R::kInvalidTime) {
      // Refused, not lost: the shim hands the frame in again with a sane time.
      check(before == seqs(), "a non-finite now changed something");
      s2c_.push_front(item);
      return;
    }
    if (item.kind != Item::kClose) message_checks(r, before);
    if (client_.resume_stats().protocol_errors != errors) {
      ++measured.protocol_errors;
      check(tainted_ || !live_open || handshake_late,
            "the client saw a protocol error in what an honest server wrote");
    }
    if (item.kind == Item::kApp && r == R::kOk && resume_ && !tainted_) {
      const Seq got = client_.session()->received();
      check(got == item.seq, "the client delivered a message under another seq than the server's");
      ++measured.client_in_order;
      measured.deepest = std::max(measured.deepest, got);
    }
    if (item.kind == Item::kText && resume_ && std::isfinite(in.now)) {
      Control c;
      if (classify_text(item.text, c) == TextFrame::kControl && c.kind == ControlKind::kResumed &&
          before.phase == ResumePhase::kHandshake &&
          client_.session()->phase() == ResumePhase::kAttached)
        ++measured.resumes;
    }
  }

  // --- the server: one session, and the table's answers around it ---

  void server_drain(SocketId on) {
    ResumeOutput o;
    std::size_t n = 0;
    ControlBuffer buf{};
    while (server_->poll(o)) {
      check(++n <= kMaxPollsPerDrain, "the server's poll() never runs dry");
      if (on == 0 || info(on).server_closed) continue;
      if (o.kind == RK::kSendControl) {
        const std::string_view text = server_->control_frame(o, buf);
        check(!text.empty(), "the server formatted an empty control frame");
        s2c_.push_back({Item::kText, on, 0, std::string(text), 0});
      } else if (o.kind == RK::kResend) {
        for (Seq s = o.from; s <= o.to; ++s)
          s2c_.push_back({Item::kApp, on, s, {}, 0});
      }
    }
  }

  void server_lost(SocketId s, int code) {
    SocketInfo& i = info(s);
    if (i.server_closed) return;
    i.server_closed = true;
    if (code != 0) s2c_.push_back({Item::kClose, s, 0, {}, code});
    if (server_ && server_on_ == s) {
      server_->on_disconnected(clock_);
      server_drain(0);
      server_on_ = 0;
    }
  }

  void server_protocol_error(SocketId s, const char* what) {
    check(tainted_, what);
    server_lost(s, kCodeResumeProtocolError);
  }

  void to_server() {
    const Item item = c2s_.front();
    c2s_.pop_front();
    const SocketId s = item.socket;
    if (trace_on()) {
      std::fprintf(stderr, "#%zu to-server @%u %s \"%s\" seq %llu\n", step_, s,
                   item.kind == Item::kText ? "text" : "app", printable(item.text).c_str(),
                   static_cast<unsigned long long>(item.seq));
    }
    if (info(s).server_closed || !resume_) return;
    const Millis now = clock_;
    if (item.kind == Item::kApp) {
      if (!server_ || server_on_ != s) return;  // the session moved on: a dead connection's
      const Received r = server_->on_receive(1, now);
      if (r.result == R::kInvalidArgument) {
        server_protocol_error(s, "the server saw an app message out of place from the client");
        return;
      }
      if (r.result == R::kOk && !tainted_) {
        check(r.seq == item.seq, "the server received a message under another seq than sent");
        ++measured.server_in_order;
        measured.deepest = std::max(measured.deepest, r.seq);
      }
      server_drain(s);
      return;
    }
    Control c;
    check(classify_text(item.text, c) == TextFrame::kControl,
          "the client wrote a frame that does not parse");
    switch (c.kind) {
      case ControlKind::kNew: {
        if (server_ && server_on_ == s && server_->on_control(c, now) == R::kInvalidArgument) {
          server_protocol_error(s, "the server saw new in an attached session");
          return;
        }
        // The table: a new session on this connection.
        // Ids of 64 characters (the longest) with one server config, short ones with the other.
        const std::string n = std::to_string(++generation_);
        server_sid_ = (setup_.server.max_unacked == 2 ? std::string(kMaxSessionId - n.size(), 'x')
                                                      : std::string("s")) +
                      n;
        server_.emplace(setup_.server, ResumeRole::kServer);
        server_on_ = s;
        check(server_->on_new(server_sid_, now) == R::kOk, "the server's on_new failed");
        server_drain(s);
        return;
      }
      case ControlKind::kResume: {
        if (!server_ || c.session != server_sid_) {
          s2c_.push_back({Item::kText, s, 0, std::string(kControlPrefix) + "expired", 0});
          return;
        }
        // The older connection is superseded.
        if (server_on_ != 0 && server_on_ != s) {
          const SocketId old = server_on_;
          server_on_ = 0;
          info(old).server_closed = true;
          s2c_.push_back({Item::kClose, old, 0, {}, kCodeResumeSuperseded});
        }
        server_on_ = s;
        const R r = server_->on_resume(c.seq, now);
        check(r == R::kOk, "the server's on_resume refused an honest resume");
        server_drain(s);
        return;
      }
      default:
        if (!server_ || server_on_ != s) return;
        if (server_->on_control(c, now) == R::kInvalidArgument) {
          server_protocol_error(s, "the server saw a protocol error from an honest client");
          return;
        }
        server_drain(s);
        return;
    }
  }

  void server_op(const Input& in) {
    if (trace_on()) print_input(in, nullptr);
    if (!resume_ || !server_) return;
    const Millis now = clock_;
    switch (in.op) {
      case Op::kServerSend:
        for (int i = 0; i < in.count; ++i) {
          const Sent sent = server_->on_send(1, now);
          if (sent.outcome == SendOutcome::kWrite && server_on_ != 0)
            s2c_.push_back({Item::kApp, server_on_, sent.seq, {}, 0});
          server_drain(server_on_);
        }
        break;
      case Op::kServerNotices:
        for (auto& [id, i] : sockets_) {
          if (id != client_.live_socket() || client_.state() != State::kOpen) server_lost(id, 0);
        }
        break;
      case Op::kServerTimeout:
        if (in.flag) {
          server_->handle_timeout(now);
        } else {
          server_->expire(now);
        }
        server_drain(server_on_);
        break;
      case Op::kServerHeartbeat:
        if (server_on_ != 0) {
          ControlBuffer buf{};
          const Control c = server_->heartbeat(ControlKind::kPing, now);
          const std::string_view text = format_control(c, buf);
          s2c_.push_back({Item::kText, server_on_, 0, std::string(text), 0});
          server_drain(server_on_);
        }
        break;
      case Op::kServerClose:
        if (server_on_ != 0) server_lost(server_on_, in.code == 0 ? 1001 : in.code);
        break;
      default:
        break;
    }
  }

  Setup setup_;
  Client client_;
  Bytes bytes_;
  bool resume_;
  bool valid_ = true;
  bool tainted_ = false;  // a forged frame reached the client: it may part from the server
  std::size_t step_ = 0;
  Input in_;
  Millis clock_ = 0;
  SocketId highest_ = 0;
  std::vector<SocketId> recent_live_;
  // The kept seqs, as the outputs told them: first..next-1 with their bytes.
  Seq model_first_ = 1, model_next_ = 1;
  std::deque<std::uint64_t> model_bytes_;
  u128 model_sum_ = 0;
  // The wire, both ways, and what each end knows of each socket.
  std::deque<Item> c2s_, s2c_;
  std::map<SocketId, SocketInfo> sockets_;
  // The server's one session.
  std::optional<ResumeState> server_;
  SocketId server_on_ = 0;
  std::string server_sid_;
  int generation_ = 0;
};

void play(const std::uint8_t* data, std::size_t size) {
  Bytes header(data, size);
  const Setup setup = decode_setup(header);
  const std::size_t skip = std::min(size, kHeaderSize);
  Player(setup, data + skip, size - skip).run();
}

// --- the seeds: a few whole conversations, in the byte format above ---
class Seed {
 public:
  explicit Seed(std::vector<std::uint8_t> header) : b_(std::move(header)) {
    b_.resize(kHeaderSize, 0);
  }
  Seed& op(Op o, std::vector<std::uint8_t> args = {}, std::uint8_t time = 1) {
    b_.push_back(static_cast<std::uint8_t>(o));
    b_.insert(b_.end(), args.begin(), args.end());
    b_.push_back(time);
    return *this;
  }
  Seed& open() { return op(Op::kOpen); }
  Seed& opened() { return op(Op::kOpened, {0}, 20); }
  Seed& to_server(std::uint8_t n = 4) {
    return op(Op::kToServer, {static_cast<std::uint8_t>(n - 1)}, 1);
  }
  Seed& to_client(std::uint8_t n = 4) {
    return op(Op::kToClient, {static_cast<std::uint8_t>(n - 1)}, 1);
  }
  Seed& send(std::uint8_t size = 0) { return op(Op::kSend, {size}, 1); }
  Seed& server_send(std::uint8_t n = 1) {
    return op(Op::kServerSend, {static_cast<std::uint8_t>(n - 1)});
  }
  Seed& deadline(std::uint8_t which = 0) { return op(Op::kTimeoutAtDeadline, {}, which); }
  Seed& handshake() { return open().opened().to_server(1).to_client(2); }
  Seed& text(std::uint8_t which, std::vector<std::uint8_t> more = {}) {
    std::vector<std::uint8_t> a{0, which};
    a.insert(a.end(), more.begin(), more.end());
    a.push_back(0);  // the length: the text's
    return op(Op::kControlText, a, 1);
  }
  const std::vector<std::uint8_t>& bytes() const { return b_; }

 private:
  std::vector<std::uint8_t> b_;
};

std::vector<std::pair<const char*, std::vector<std::uint8_t>>> seeds() {
  std::vector<std::pair<const char*, std::vector<std::uint8_t>>> out;
  auto add = [&out](const char* name, const Seed& s) { out.emplace_back(name, s.bytes()); };
  add("conversation", Seed({})
                          .handshake()
                          .send()
                          .send()
                          .send()
                          .to_server(3)
                          .server_send(3)
                          .to_client(3)
                          .deadline()
                          .to_server(1)
                          .to_client(2)
                          .send()
                          .to_server(4)
                          .to_client(4));
  add("held-then-hello", Seed({})
                             .open()
                             .send()
                             .send()
                             .opened()
                             .send()
                             .to_server(1)
                             .to_client(4)
                             .to_server(4)
                             .server_send(2)
                             .to_client(4));
  add("resume-after-error", Seed({})
                                .handshake()
                                .send()
                                .send()
                                .to_server(1)
                                .server_send(2)
                                .to_client(1)
                                .op(Op::kError, {0}, 1)
                                .op(Op::kServerNotices)
                                .send()
                                .deadline()
                                .opened()
                                .to_server(4)
                                .to_client(4)
                                .to_server(4)
                                .to_client(4)
                                .send()
                                .to_server(4));
  add("resume-superseded", Seed({})
                               .handshake()
                               .send()
                               .server_send(1)
                               .op(Op::kError, {0}, 1)
                               .deadline()
                               .opened()
                               .to_server(4)
                               .to_client(4)
                               .to_client(4)
                               .to_server(4));
  add("pong-timeout-resume", Seed({0, 0, 0, 0, 0x05})
                                 .handshake()
                                 .send()
                                 .server_send(2)
                                 .to_client(2)
                                 .deadline()
                                 .deadline()
                                 .deadline()
                                 .deadline()
                                 .deadline()
                                 .opened()
                                 .to_server(4)
                                 .to_client(4));
  add("expire-and-new", Seed({})
                            .handshake()
                            .send()
                            .send()
                            .op(Op::kExpire)
                            .to_server(4)
                            .to_client(4)
                            .send()
                            .to_server(4)
                            .server_send(1)
                            .to_client(4));
  add("server-window-expiry", Seed({0, 0, 0, 0, 0, 0x04})
                                  .handshake()
                                  .send()
                                  .op(Op::kServerClose, {0})
                                  .to_client(1)
                                  .op(Op::kServerTimeout, {0}, 0x30)
                                  .deadline()
                                  .opened()
                                  .to_server(4)
                                  .to_client(4)
                                  .to_server(4)
                                  .to_client(4));
  add("server-expires", Seed({})
                            .handshake()
                            .server_send(2)
                            .op(Op::kServerTimeout, {1})
                            .to_client(4)
                            .to_server(4)
                            .to_client(4));
  add("server-ping", Seed({})
                         .handshake()
                         .server_send(2)
                         .to_client(2)
                         .op(Op::kServerHeartbeat)
                         .to_client(1)
                         .to_server(1)
                         .to_client(1));
  add("small-bounds", Seed({0, 2, 3, 1})
                          .handshake()
                          .send(2)
                          .send(2)
                          .send(2)
                          .send(4)
                          .to_server(4)
                          .server_send(1)
                          .to_client(4)
                          .to_server(4)
                          .send(2));
  add("acks-every-message", Seed({0, 0, 0, 0x01, 0, 0x30})
                                .handshake()
                                .send()
                                .send()
                                .to_server(4)
                                .to_client(4)
                                .server_send(3)
                                .to_client(4)
                                .to_server(4));
  add("hostile-texts", Seed({})
                           .handshake()
                           .text(5, {1})
                           .text(8)
                           .text(10)
                           .text(11)
                           .text(21, {0})
                           .text(2, {0, 0})
                           .text(3, {5})
                           .text(20)
                           .text(31));
  add("forged-hello-then-real",
      Seed({}).open().opened().text(2, {0x90, 0}).to_server(1).to_client(2).send().to_server(2));
  add("huge-sends", Seed({0, 0, 5}).handshake().send(10).send(9).send(10).send(8).send(1));
  add("resume-off", Seed({1})
                        .open()
                        .opened()
                        .send()
                        .op(Op::kMessage, {0, 3})
                        .text(5, {1})
                        .deadline()
                        .op(Op::kExpire));
  add("stale-and-future-ids", Seed({})
                                  .handshake()
                                  .op(Op::kMessage, {0xa0, 0})
                                  .op(Op::kControlText, {0x80, 5, 1, 0})
                                  .op(Op::kOpened, {0xb0})
                                  .op(Op::kError, {0xc0})
                                  .to_server(2));
  add("bad-times", Seed({})
                       .op(Op::kOpen, {}, 0x90)
                       .open()
                       .op(Op::kOpened, {0}, 0x91)
                       .opened()
                       .op(Op::kSend, {0}, 0x90)
                       .to_server(1)
                       .to_client(2)
                       .op(Op::kSend, {0}, 0x7f)
                       .op(Op::kTimeout, {}, 0x92));
  return out;
}

void write_seeds(const char* dir) {
  for (const auto& [name, bytes] : seeds()) {
    const std::string path = std::string(dir) + "/" + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      std::fprintf(stderr, "lifeline_fuzz_client: cannot write %s\n", path.c_str());
      std::exit(1);
    }
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  std::fprintf(stderr, "lifeline_fuzz_client: %zu seeds in %s\n", seeds().size(), dir);
}

}  // namespace
}  // namespace lifeline

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("LIFELINE_FUZZ_WRITE_SEEDS")) {
    lifeline::write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

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
