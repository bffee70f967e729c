// A consumer of lifeline::core: builds against the installed package or add_subdirectory(), and
// checks that the core does what it says (an open asks for a socket; a bad config is reported).
#include <cstdio>

#include "lifeline/config.hpp"
#include "lifeline/connection.hpp"
#include "lifeline/contract.hpp"
#include "lifeline/types.hpp"

int main() {
  using namespace lifeline;

  Connection conn(Config{});
  if (conn.open(0) != CommandResult::kOk) return 1;
  Output out;
  bool asked = false;
  while (conn.poll(out)) {
    if (out.kind == OutputKind::kOpenSocket && out.socket != 0) asked = true;
  }
  if (!asked || conn.state() != State::kConnecting) return 2;

  Config bad;
  bad.jitter = 2;
  auto problems = validate(bad);
  if (problems.size() != 1 || problems[0].field != Field::kJitter) return 3;
  if (contract_json().empty()) return 4;

  std::printf("consumer OK (%s): state %s, %s: expected %s\n", LIFELINE_VIA,
              to_string(conn.state()), problems[0].name, problems[0].expected);
  return 0;
}
