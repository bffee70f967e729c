// lifeline_herd: how four reconnection policies bring 10,000 dropped clients back to a server
// that returns after 30 s and accepts 1,000 new connections per second; then how the cost of
// simulating ws-lifeline's real core grows with 100,000 and 1,000,000 clients.
//
//   lifeline_herd [--quick] [--check] [--json PATH] [--svg PATH] [--seed N]
//
//   (default)  the comparison at 10,000 clients, then ws-lifeline at 10k, 100k and 1M clients
//   --quick    the comparison, then ws-lifeline at 10k and 100k only
//   --check    accounting sanity of the 10k scenario (not a timing test); exit 1 if broken
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "herd.hpp"

namespace {

using herd::Policy;
using herd::Result;
using herd::Scenario;

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  out.close();
  if (!out) {
    std::fprintf(stderr, "lifeline_herd: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

int usage() {
  std::fprintf(stderr,
               "usage: lifeline_herd [--quick] [--check] [--json PATH] [--svg PATH] [--seed N]\n");
  return 2;
}

std::uint64_t sum(const std::vector<std::uint32_t>& v) {
  return std::accumulate(v.begin(), v.end(), std::uint64_t{0});
}

// Basic accounting: every client is back or stranded, and the books agree with each other.
int check(const Scenario& s) {
  int failures = 0;
  auto expect = [&](bool ok, const Result& r, const char* what) {
    if (!ok) {
      std::printf("FAIL %-24s %s\n", herd::policy_name(r.policy), what);
      ++failures;
    }
  };
  std::vector<Result> results;
  for (Policy p : {Policy::kClassic, Policy::kReconnectingWebSocket, Policy::kSocketIo,
                   Policy::kLifeline, Policy::kClassicCore}) {
    results.push_back(herd::simulate(p, s));
    const Result& r = results.back();
    expect(r.back + r.stranded == s.clients, r, "every client is back or stranded");
    expect(r.attempts >= s.clients, r, "attempts >= clients");
    expect(r.attempts == r.accepted + r.refused, r, "attempts = accepted + refused");
    expect(r.accepted == r.back, r, "every accepted attempt opened");
    expect(sum(r.attempts_per_bin) == r.attempts, r, "the attempt histogram holds every attempt");
    expect(sum(r.back_per_bin) == r.back, r, "the back-in histogram holds every client back");
    expect(r.back_by_1m <= r.back_by_2m && r.back_by_2m <= r.back_by_5m && r.back_by_5m <= r.back,
           r, "back@1m <= back@2m <= back@5m <= back");
    if (r.policy == Policy::kLifeline || r.policy == Policy::kClassicCore)
      expect(r.core_attempts == r.attempts, r,
             "the driver's attempt count equals the cores' own stats().attempts");
    std::printf("%-24s back %u, stranded %u, attempts %llu (accepted %llu, refused %llu)\n",
                herd::policy_name(r.policy), r.back, r.stranded,
                static_cast<unsigned long long>(r.attempts),
                static_cast<unsigned long long>(r.accepted),
                static_cast<unsigned long long>(r.refused));
  }
  // The classic model and the real core configured with Config::seed_pattern() must agree.
  const Result& model = results[0];
  const Result& core = results[4];
  expect(model.attempts == core.attempts && model.back == core.back &&
             model.stranded == core.stranded && model.attempts_per_bin == core.attempts_per_bin,
         core, "matches the classic model exactly");
  std::printf(failures ? "check: %d failure(s)\n" : "check: ok\n", failures);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, run_check = false;
  std::string json_path, svg_path;
  Scenario base;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--check") {
      run_check = true;
    } else if ((a == "--json" || a == "--svg" || a == "--seed") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--json") json_path = v;
      if (a == "--svg") svg_path = v;
      if (a == "--seed") base.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else {
      return usage();
    }
  }
  if (run_check) return check(base);

  std::vector<Result> comparison;
  for (Policy p : {Policy::kClassic, Policy::kReconnectingWebSocket, Policy::kSocketIo,
                   Policy::kLifeline, Policy::kLifeline10s})
    comparison.push_back(herd::simulate(p, base));
  std::fputs(herd::format_table(comparison).c_str(), stdout);
  std::fputs("\n", stdout);
  std::fflush(stdout);

  // The scaling runs: ws-lifeline alone, capacity scaled with the clients (same shape).
  std::vector<Result> scaling;
  scaling.push_back(comparison.back());
  for (std::uint32_t factor : {10u, 100u}) {
    if (quick && factor > 10) break;
    Scenario s = base;
    s.clients = base.clients * factor;
    s.capacity_per_s = base.capacity_per_s * factor;
    scaling.push_back(herd::simulate(Policy::kLifeline, s));
    scaling.back().attempts_per_bin.clear();
    scaling.back().back_per_bin.clear();
  }
  std::fputs(herd::format_scaling(scaling).c_str(), stdout);

  bool ok = true;
  if (!json_path.empty()) ok &= write_file(json_path, herd::to_json(comparison, scaling, true));
  if (!svg_path.empty()) ok &= write_file(svg_path, herd::to_svg(comparison));
  if (!json_path.empty() && ok) std::printf("\nwrote %s\n", json_path.c_str());
  if (!svg_path.empty() && ok) std::printf("wrote %s\n", svg_path.c_str());
  return ok ? 0 : 1;
}
