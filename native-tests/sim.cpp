#include "sim.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "trace.hpp"

namespace lifeline::test {

std::size_t count(const std::vector<Output>& outputs, OutputKind kind) {
  std::size_t n = 0;
  for (const auto& o : outputs)
    n += o.kind == kind;
  return n;
}

Sim::Sim(const Config& config) : conn(config) {
  trace_ = format_config(config) + "\n";
}

void Sim::input(CommandResult result, const std::string& line) {
  if (record_trace) trace_ += "> " + format_number(now) + " " + line + "\n";
  for (Output o; conn.poll(o);) {
    outputs_.push_back(o);
    output_times_.push_back(now);
    if (record_trace) trace_ += format_output(o) + "\n";
    if (o.kind == OutputKind::kOpenSocket) held_.insert(o.socket);
    if (o.kind == OutputKind::kCloseSocket) held_.erase(o.socket);
    if (peer.auto_respond) respond(o);
  }
  if (record_trace) trace_ += "@ " + format_number(conn.poll_timeout()) + "\n";
  // An accepted input leaves the deadline in the future; a refused one changes nothing at all.
  if (result == CommandResult::kOk && past_deadline.empty() && !(conn.poll_timeout() > now))
    past_deadline = line + " at " + format_number(now) + " left the deadline at " +
                    format_number(conn.poll_timeout());
}

CommandResult Sim::open() {
  auto r = conn.open(now);
  input(r, "open");
  return r;
}
CommandResult Sim::close(int code) {
  auto r = conn.close(now, code);
  input(r, "close " + std::to_string(code));
  return r;
}
CommandResult Sim::reconnect() {
  auto r = conn.reconnect(now);
  input(r, "reconnect");
  return r;
}
void Sim::opened(SocketId id) {
  const CommandResult r = conn.handle_socket_opened(id, now);
  input(r, "opened " + std::to_string(id));
}
void Sim::activity(SocketId id) {
  const CommandResult r = conn.handle_activity(id, now);
  input(r, "activity " + std::to_string(id));
}
void Sim::pong(SocketId id) {
  const CommandResult r = conn.handle_pong(id, now);
  input(r, "pong " + std::to_string(id));
}
void Sim::server_ping(SocketId id) {
  const CommandResult r = conn.handle_server_ping(id, now);
  input(r, "server-ping " + std::to_string(id));
}
namespace {
std::string with_hint(std::string line, Millis retry_after) {
  return std::isnan(retry_after) ? line : line + " " + format_number(retry_after);
}
}  // namespace

void Sim::error(SocketId id, Millis retry_after) {
  const CommandResult r = conn.handle_socket_error(id, now, retry_after);
  held_.erase(id);
  input(r, with_hint("error " + std::to_string(id), retry_after));
}
void Sim::attempt_failed(SocketId id, Millis retry_after) {
  const CommandResult r = conn.handle_attempt_failed(id, now, retry_after);
  held_.erase(id);
  input(r, with_hint("attempt-failed " + std::to_string(id), retry_after));
}
void Sim::closed(SocketId id, int code, bool was_clean, bool reconnect_allowed,
                 const std::string& reason) {
  const CommandResult r =
      conn.handle_socket_closed(id, now, code, was_clean, reconnect_allowed, reason);
  held_.erase(id);
  input(r, "closed " + std::to_string(id) + " " + std::to_string(code) + " " +
               (was_clean ? "1" : "0") + " " + (reconnect_allowed ? "1" : "0") +
               (reason.empty() ? "" : " " + reason));
}
void Sim::network(bool online) {
  const CommandResult r = conn.handle_network(online, now);
  input(r, std::string("network ") + (online ? "1" : "0"));
}
void Sim::foreground(bool shown) {
  const CommandResult r = conn.handle_foreground(shown, now);
  input(r, std::string("foreground ") + (shown ? "1" : "0"));
}
void Sim::timeout() {
  const CommandResult r = conn.handle_timeout(now);
  input(r, "timeout");
}

void Sim::schedule(Millis at, NetEvent::Kind kind, SocketId id, int code) {
  net_.push(NetEvent{at, seq_++, kind, id, code});
}

void Sim::respond(const Output& o) {
  switch (o.kind) {
    case OutputKind::kOpenSocket:
      if (peer.server == Peer::Server::kUp) {
        schedule(now + peer.connect_latency, NetEvent::kOpened, o.socket);
      } else if (peer.server == Peer::Server::kRefusing) {
        // What a browser reports for a refused connection: error, then close 1006.
        schedule(now + peer.connect_latency, NetEvent::kError, o.socket);
        schedule(now + peer.connect_latency, NetEvent::kClosed, o.socket, kCodeAbnormal);
      }
      break;
    case OutputKind::kSendPing:
      if (peer.link_healthy) {
        const Millis at = now + (peer.rtt_draw ? peer.rtt_draw() : peer.rtt);
        last_pong_at_ = std::max(last_pong_at_, at);  // TCP keeps the order
        schedule(last_pong_at_, NetEvent::kPong, o.socket);
      }
      break;
    case OutputKind::kCloseSocket:
      if (peer.link_healthy) schedule(now + peer.rtt, NetEvent::kClosed, o.socket, o.code);
      break;
    default:
      break;
  }
}

void Sim::deliver(const NetEvent& e) {
  switch (e.kind) {
    case NetEvent::kOpened:
      opened(e.id);
      break;
    case NetEvent::kPong:
      if (peer.link_healthy) pong(e.id);  // lost if the link died on the way
      break;
    case NetEvent::kError:
      error(e.id);
      break;
    case NetEvent::kClosed:
      closed(e.id, e.code, e.code == kCodeNormal);
      break;
  }
}

void Sim::run_until(Millis t) {
  for (int guard = 0;; ++guard) {
    if (guard > 1000000) {
      ADD_FAILURE() << "run_until(" << t << ") does not advance at " << now;
      return;
    }
    const Millis deadline = conn.poll_timeout();
    const Millis event = net_.empty() ? kNever : net_.top().at;
    const Millis next = std::min(deadline, event);
    if (next > t) break;
    if (next > now) now = next;
    if (event <= deadline) {
      NetEvent e = net_.top();
      net_.pop();
      deliver(e);
    } else {
      timeout();
    }
  }
  if (t > now) now = t;
}

void Sim::sleep_until(Millis t) {
  now = t;
  timeout();
}

std::vector<Output> Sim::take() {
  std::vector<Output> r(outputs_.begin() + static_cast<std::ptrdiff_t>(taken_), outputs_.end());
  taken_ = outputs_.size();
  return r;
}

const Output* Sim::last(OutputKind kind) const {
  for (auto it = outputs_.rbegin(); it != outputs_.rend(); ++it)
    if (it->kind == kind) return &*it;
  return nullptr;
}

std::size_t Sim::count(OutputKind kind) const {
  std::size_t n = 0;
  for (const auto& o : outputs_)
    n += o.kind == kind;
  return n;
}

std::vector<Millis> Sim::times_of(OutputKind kind) const {
  std::vector<Millis> r;
  for (std::size_t i = 0; i < outputs_.size(); ++i)
    if (outputs_[i].kind == kind) r.push_back(output_times_[i]);
  return r;
}

Config fixed_delays() {
  // Pinned rather than the defaults (which the herd benchmark tunes): 1 s, 2 s, 4 s ... 30 s.
  Config c;
  c.reconnect_delay = 1000;
  c.backoff_factor = 2;
  c.max_reconnect_delay = 30000;
  c.jitter = 0;
  return c;
}

SocketId open_auto(Sim& s) {
  s.peer.auto_respond = true;
  EXPECT_EQ(s.open(), CommandResult::kOk);
  s.advance(s.peer.connect_latency);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  return s.conn.live_socket();
}

void expect_trace(const std::string& trace, const std::string& name) {
  const std::string path = std::string(LIFELINE_TRACE_DIR) + "/" + name + ".trace";
  const char* update = std::getenv("LIFELINE_UPDATE_TRACES");
  if (update && std::string(update) == "1") {
    std::ofstream(path) << trace;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing trace " << path << " (write it with LIFELINE_UPDATE_TRACES=1)";
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(golden.str(), trace) << "trace " << name << " changed";
  std::string error;
  EXPECT_EQ(replay(golden.str(), error), golden.str()) << error;
}

}  // namespace lifeline::test
