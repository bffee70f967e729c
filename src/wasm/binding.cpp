// The embind binding: thin on purpose. Numbers only across embind, no exceptions: records (an
// output, the stats) are written as doubles into one static array in linear memory that
// JavaScript reads (their field names come with the contract, which the shim has from the build,
// js/contract-data.js; the core only says which contract it was built with). So the glue needs
// none of embind's value_object, class or std::string support (see embind_types.cpp). The
// friendly API lives in js/.
#include <emscripten/bind.h>
#include <malloc.h>

#include <cstdlib>
#include <new>
#include <optional>

#include "lifeline/client.hpp"
#include "lifeline/contract.hpp"
#include "wasm/records.hpp"

namespace {

using lifeline::Client;
using lifeline::ClientOutput;
using lifeline::CommandResult;
using lifeline::Config;

int result(CommandResult r) {
  return static_cast<int>(r);
}

using lifeline::OutputField;
using lifeline::StatsField;

using lifeline::wasm::frame_bytes;
using lifeline::wasm::put;

// Where JavaScript writes a close frame's reason before closed() (at most 123 bytes; only its
// ASCII matters: the retry hint of a 1012/1013 close, lifeline/hint.hpp).
char reason_bytes[123];

// Bytes of the WASM heap held through operator new (every object the core and the binding
// make): lets tests prove that reconnect cycles leak nothing, cheaper than mallinfo().
double bytes_in_use = 0;

// One connection (with its resume session when configured: lifeline/client.hpp). JavaScript sets
// each configuration field by its index in the contract (lifeline/contract.hpp: no field name is
// written here), then calls configure().
class Core {
 public:
  // False when `value` cannot be a value of field `field` (unknown index, a flag other than 0/1,
  // a seed out of range); configure() then reports that field.
  bool set(int field, double value) {
    if (field < 0 || field >= lifeline::kFieldCount) return false;
    const bool ok = lifeline::field_spec(static_cast<lifeline::Field>(field)).set(config_, value);
    if (!ok) unset_ |= 1u << static_cast<unsigned>(field);
    return ok;
  }
  // Resume: the bounds of the kept messages (the shim's maxQueued and maxQueuedBytes). False when
  // out of range (configure() then reports the resume field).
  bool bounds(double count, double bytes) {
    const bool ok = count >= 1 && count <= lifeline::kMaxUnackedLimit && bytes >= 1;
    if (!ok) {
      unset_ |= 1u << static_cast<unsigned>(lifeline::Field::kResume);
      return false;
    }
    resume_.max_unacked = static_cast<std::uint32_t>(count);
    // Infinity and anything past 2^53 mean "no byte bound" (a count is still kept).
    resume_.max_unacked_bytes =
        bytes >= 9007199254740992.0 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(bytes);
    return true;
  }
  // Bit i set: field i is invalid (validate() or set()). 0: the connection is built.
  unsigned configure() {
    unsigned mask = unset_;
    for (const auto& p : lifeline::validate(config_))
      mask |= 1u << static_cast<unsigned>(p.field);
    if (mask == 0 && !conn_) conn_.emplace(config_, resume_);
    return mask;
  }

  int open(double now) {
    return run([&](Client& c) { return c.open(now); });
  }
  int close(double now, int code) {
    return run([&](Client& c) { return c.close(now, code); });
  }
  int reconnect(double now) {
    return run([&](Client& c) { return c.reconnect(now); });
  }
  int opened(unsigned id, double now) {
    return run([&](Client& c) { return c.handle_socket_opened(id, now); });
  }
  int activity(unsigned id, double at) {
    return run([&](Client& c) { return c.handle_activity(id, at); });
  }
  int pong(unsigned id, double now) {
    return run([&](Client& c) { return c.handle_pong(id, now); });
  }
  int server_ping(unsigned id, double now) {
    return run([&](Client& c) { return c.handle_server_ping(id, now); });
  }
  int error(unsigned id, double now, double retry_after) {
    return run([&](Client& c) { return c.handle_socket_error(id, now, retry_after); });
  }
  // `retry_after`: an HTTP 503's Retry-After in ms, NaN if none.
  int attempt_failed(unsigned id, double now, double retry_after) {
    return run([&](Client& c) { return c.handle_attempt_failed(id, now, retry_after); });
  }
  // The reason's first `reason_size` bytes are in reason_bytes.
  int closed(unsigned id, double now, int code, bool clean, bool allowed, unsigned reason_size) {
    const std::string_view reason(
        reason_bytes, reason_size < sizeof reason_bytes ? reason_size : sizeof reason_bytes);
    return run(
        [&](Client& c) { return c.handle_socket_closed(id, now, code, clean, allowed, reason); });
  }
  // Resume: the app sends `bytes`; the outcome (SendOutcome), its seq in the record's `first`.
  int send(double bytes, double now) {
    if (!conn_) return static_cast<int>(lifeline::SendOutcome::kInvalid);
    const lifeline::Sent s = conn_->send(static_cast<std::uint64_t>(bytes), now);
    put(OutputField::kFirst, static_cast<double>(s.seq));
    return static_cast<int>(s.outcome);
  }
  // An application message arrived: kOk to deliver it.
  int message(unsigned id, double bytes, double now) {
    return run(
        [&](Client& c) { return c.handle_message(id, static_cast<std::uint64_t>(bytes), now); });
  }
  // A text starting with the control prefix; its first `size` bytes are in frame_bytes, `bytes`
  // is its whole length. kOk: an escaped application message to deliver.
  int control(unsigned id, double now, unsigned size, double bytes) {
    const std::string_view text(frame_bytes, size < sizeof frame_bytes ? size : sizeof frame_bytes);
    return run([&](Client& c) {
      return c.handle_control_text(id, text, static_cast<std::uint64_t>(bytes), now);
    });
  }
  int expire(double now) {
    return run([&](Client& c) { return c.expire(now); });
  }
  int timeout(double now) {
    return run([&](Client& c) { return c.handle_timeout(now); });
  }
  int network(bool online, double now) {
    return run([&](Client& c) { return c.handle_network(online, now); });
  }
  int foreground(bool shown, double now) {
    return run([&](Client& c) { return c.handle_foreground(shown, now); });
  }
  double poll_timeout() const { return conn_ ? conn_->poll_timeout() : lifeline::kNever; }
  int state() const { return static_cast<int>(conn_ ? conn_->state() : lifeline::State::kIdle); }
  unsigned live_socket() const { return conn_ ? conn_->live_socket() : 0; }

  // The next output's kind (its fields in `records`), or -1 when there is none: a Connection
  // output's kind, or kOutputKindCount + a resume output's kind.
  int poll() {
    ClientOutput out;
    if (!conn_ || !conn_->poll(out)) return -1;
    const std::size_t n = out.frame.size() < sizeof frame_bytes ? out.frame.size() : 0;
    for (std::size_t i = 0; i < n; ++i)
      frame_bytes[i] = out.frame[i];
    put(OutputField::kFrame, static_cast<double>(n));
    if (out.resume) {
      put(OutputField::kSocket, out.socket);
      put(OutputField::kFirst, static_cast<double>(out.res.from));
      put(OutputField::kLast, static_cast<double>(out.res.to));
      put(OutputField::kExpiry, static_cast<int>(out.res.cause));
      return lifeline::kOutputKindCount + static_cast<int>(out.res.kind);
    }
    const lifeline::Output& o = out.conn;
    put(OutputField::kSocket, o.socket);
    put(OutputField::kAttempt, o.attempt);
    put(OutputField::kCode, o.code);
    put(OutputField::kCause, static_cast<int>(o.cause));
    put(OutputField::kWasClean, o.was_clean);
    put(OutputField::kWillReconnect, o.will_reconnect);
    put(OutputField::kValue, o.value);
    put(OutputField::kFrom, static_cast<int>(o.from));
    put(OutputField::kTo, static_cast<int>(o.to));
    return static_cast<int>(o.kind);
  }

  // The stats, into `records`.
  void stats() const {
    const lifeline::Stats none;
    const auto& s = conn_ ? conn_->stats() : none;
    put(StatsField::kAttempts, static_cast<double>(s.attempts));
    put(StatsField::kConnects, static_cast<double>(s.connects));
    put(StatsField::kPingsSent, static_cast<double>(s.pings_sent));
    put(StatsField::kPongsReceived, static_cast<double>(s.pongs_received));
    put(StatsField::kDeadLinks, static_cast<double>(s.dead_links));
    put(StatsField::kLateTimers, static_cast<double>(s.late_timers));
    put(StatsField::kDeadlineMisses, static_cast<double>(s.deadline_misses));
    put(StatsField::kRetries, static_cast<double>(s.retries));
    put(StatsField::kLastRtt, s.last_rtt);
    put(StatsField::kSmoothedRtt, s.smoothed_rtt);
    put(StatsField::kPongWait, s.pong_wait);
    put(StatsField::kState, static_cast<int>(s.state));
    const lifeline::ClientStats r = conn_ ? conn_->resume_stats() : lifeline::ClientStats{};
    put(StatsField::kUnacked, static_cast<double>(r.unacked));
    put(StatsField::kUnackedBytes, static_cast<double>(r.unacked_bytes));
    put(StatsField::kResumes, static_cast<double>(r.resumes));
    put(StatsField::kExpiries, static_cast<double>(r.expiries));
    put(StatsField::kProtocolErrors, static_cast<double>(r.protocol_errors));
  }

 private:
  template <typename F>
  int run(F f) {
    return conn_ ? result(f(*conn_)) : result(CommandResult::kInvalidConfig);
  }

  Config config_;
  lifeline::ResumeConfig resume_;
  unsigned unset_ = 0;
  std::optional<Client> conn_;
};

#ifndef LIFELINE_CONTRACT_ID
#error "LIFELINE_CONTRACT_ID: the id of the contract's text (scripts/build-wasm.sh computes it)"
#endif
// The id of the contract this core was built with (js/contract-data.js has the same).
unsigned contract_id() {
  return LIFELINE_CONTRACT_ID;
}

unsigned records_address() {
  return static_cast<unsigned>(reinterpret_cast<uintptr_t>(lifeline::wasm::records));
}

unsigned frame_address() {
  return static_cast<unsigned>(reinterpret_cast<uintptr_t>(frame_bytes));
}

unsigned reason_address() {
  return static_cast<unsigned>(reinterpret_cast<uintptr_t>(reason_bytes));
}

double heap_in_use() {
  return bytes_in_use;
}

}  // namespace

namespace lifeline::wasm {
double records[kRecordSize];
char frame_bytes[Client::kMaxControlText];
}  // namespace lifeline::wasm

// Every allocation of the core and the binding goes through these (no exceptions: a failed
// allocation aborts, as the default operator new does with -fno-exceptions).
void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) std::abort();
  bytes_in_use += static_cast<double>(malloc_usable_size(p));
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  bytes_in_use -= static_cast<double>(malloc_usable_size(p));
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}

// A Core crosses to JavaScript as its address (js/core.js wraps it): embind's function bindings
// only, since its class bindings bring a class-handle runtime of several kilobytes into the glue.
Core* core_at(unsigned address) {
  return reinterpret_cast<Core*>(static_cast<uintptr_t>(address));
}

unsigned create_core() {
  return static_cast<unsigned>(reinterpret_cast<uintptr_t>(new Core()));
}

void delete_core(unsigned core) {
  delete core_at(core);
}

// Each Core method as a function of (address, arguments...); address 0 (a deleted Core, as
// js/core.js leaves it) does nothing and returns zero.
template <auto Method>
struct Call;
template <typename R, typename... A, R (Core::*Method)(A...)>
struct Call<Method> {
  static R invoke(unsigned core, A... a) {
    return core == 0 ? R() : (core_at(core)->*Method)(a...);
  }
};
template <typename R, typename... A, R (Core::*Method)(A...) const>
struct Call<Method> {
  static R invoke(unsigned core, A... a) {
    return core == 0 ? R() : (core_at(core)->*Method)(a...);
  }
};

EMSCRIPTEN_BINDINGS(lifeline) {
  using emscripten::function;
  function("contractId", &contract_id);
  function("heapInUse", &heap_in_use);
  function("recordsAddress", &records_address);
  function("reasonAddress", &reason_address);
  function("frameAddress", &frame_address);
  function("send", &Call<&Core::send>::invoke);
  function("bounds", &Call<&Core::bounds>::invoke);
  function("message", &Call<&Core::message>::invoke);
  function("control", &Call<&Core::control>::invoke);
  function("expire", &Call<&Core::expire>::invoke);
  function("createCore", &create_core);
  function("deleteCore", &delete_core);
  function("set", &Call<&Core::set>::invoke);
  function("configure", &Call<&Core::configure>::invoke);
  function("open", &Call<&Core::open>::invoke);
  function("close", &Call<&Core::close>::invoke);
  function("reconnect", &Call<&Core::reconnect>::invoke);
  function("opened", &Call<&Core::opened>::invoke);
  function("activity", &Call<&Core::activity>::invoke);
  function("pong", &Call<&Core::pong>::invoke);
  function("serverPing", &Call<&Core::server_ping>::invoke);
  function("error", &Call<&Core::error>::invoke);
  function("attemptFailed", &Call<&Core::attempt_failed>::invoke);
  function("closed", &Call<&Core::closed>::invoke);
  function("timeout", &Call<&Core::timeout>::invoke);
  function("network", &Call<&Core::network>::invoke);
  function("foreground", &Call<&Core::foreground>::invoke);
  function("pollTimeout", &Call<&Core::poll_timeout>::invoke);
  function("poll", &Call<&Core::poll>::invoke);
  function("state", &Call<&Core::state>::invoke);
  function("liveSocket", &Call<&Core::live_socket>::invoke);
  function("stats", &Call<&Core::stats>::invoke);
}
