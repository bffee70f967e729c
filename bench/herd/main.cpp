// lifeline_herd: how reconnection policies bring 10,000 dropped clients back to a server that
// returns after 30 s and accepts 1,000 new connections per second; how the cost of simulating
// ws-lifeline's real core grows with 100,000 and 1,000,000 clients; the trade-off curve of the
// core's backoff (--sweep); and an announced restart with a retry hint (--hint).
//
//   lifeline_herd [--quick] [--check] [--sweep] [--hint] [--json PATH] [--svg PATH] [--seed N]
//                 [--scale K] [--delays S,..] [--caps S,..] [--factors F,..] [--jitters J,..]
//                 [--seeds N] [--validate N] [--validation-seeds N]
//
//   (default)  the comparison at 10,000 clients, then ws-lifeline (today's defaults, then the
//              proposed backoff) at 10k, 100k and 1M clients
//   --quick    the comparison, then the scaling runs at 10k and 100k only
//   --check    accounting sanity of the 10k scenario (not a timing test); exit 1 if broken
//   --sweep    the backoff grid (--delays/--caps in seconds, --factors, --jitters), each point
//              with --seeds seeds (3), the best --validate (8) again with --validation-seeds (20);
//              --json/--svg write the sweep's JSON and its trade-off chart
//   --hint     the announced restart (1012 + retry hint), --validation-seeds seeds per row;
//              --json/--svg write its JSON and chart
//   --scale K  K times the clients and K times the capacity (the same shape)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <string>
#include <utility>
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
  std::fprintf(
      stderr,
      "usage: lifeline_herd [--quick] [--check] [--sweep] [--hint] [--json PATH] [--svg "
      "PATH]\n       [--seed N] [--scale K] [--delays S,..] [--caps S,..] [--factors F,..] "
      "[--jitters J,..]\n       [--seeds N] [--validate N] [--validation-seeds N]\n");
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
                   Policy::kLifeline, Policy::kLifelineProposed, Policy::kClassicCore}) {
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
    if (r.policy == Policy::kLifeline || r.policy == Policy::kLifelineProposed ||
        r.policy == Policy::kClassicCore)
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
  const Result& core = results[5];
  expect(model.attempts == core.attempts && model.back == core.back &&
             model.stranded == core.stranded && model.attempts_per_bin == core.attempts_per_bin,
         core, "matches the classic model exactly");
  std::printf(failures ? "check: %d failure(s)\n" : "check: ok\n", failures);
  return failures ? 1 : 0;
}

int run_sweep(const Scenario& base, const herd::SweepGrid& grid, const std::string& json_path,
              const std::string& svg_path) {
  const herd::Sweep sw = herd::run_sweep(base, grid, herd::SweepGoal{});
  std::fputs(herd::format_sweep(sw).c_str(), stdout);
  bool ok = true;
  if (!json_path.empty()) ok &= write_file(json_path, herd::sweep_json(sw));
  if (!svg_path.empty()) ok &= write_file(svg_path, herd::sweep_svg(sw));
  if (!json_path.empty() && ok) std::printf("\nwrote %s\n", json_path.c_str());
  if (!svg_path.empty() && ok) std::printf("wrote %s\n", svg_path.c_str());
  return ok ? 0 : 1;
}

int run_hint(const Scenario& base, int seeds, const std::string& json_path,
             const std::string& svg_path) {
  const herd::HintSweep h = herd::run_hint_sweep(base, seeds);
  std::fputs(herd::format_hint(h).c_str(), stdout);
  std::vector<Result> examples;
  for (auto [drop, headroom] :
       {std::pair{herd::Drop::kRestartSlots, 0.0}, std::pair{herd::Drop::kRestartHint, 0.0},
        std::pair{herd::Drop::kRestartNoHint, 0.0}}) {
    Scenario s = base;
    s.drop = drop;
    s.hint_headroom = headroom;
    examples.push_back(herd::simulate(Policy::kLifeline, s));
  }
  bool ok = true;
  if (!json_path.empty()) ok &= write_file(json_path, herd::hint_json(h));
  if (!svg_path.empty()) ok &= write_file(svg_path, herd::hint_svg(h, examples));
  if (!json_path.empty() && ok) std::printf("\nwrote %s\n", json_path.c_str());
  if (!svg_path.empty() && ok) std::printf("wrote %s\n", svg_path.c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, run_check = false, sweep = false, hint = false;
  std::string json_path, svg_path;
  Scenario base;
  herd::SweepGrid grid;
  auto list = [](const std::string& v, double scale) {
    std::vector<double> out;
    for (std::size_t i = 0; i < v.size();) {
      std::size_t end = v.find(',', i);
      if (end == std::string::npos) end = v.size();
      out.push_back(std::strtod(v.substr(i, end - i).c_str(), nullptr) * scale);
      i = end + 1;
    }
    return out;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--check") {
      run_check = true;
    } else if (a == "--sweep") {
      sweep = true;
    } else if (a == "--hint") {
      hint = true;
    } else if ((a == "--delays" || a == "--caps" || a == "--factors" || a == "--jitters" ||
                a == "--seeds" || a == "--validate" || a == "--validation-seeds" ||
                a == "--scale") &&
               i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--delays") grid.reconnect_delays = list(v, 1000);
      if (a == "--caps") grid.caps = list(v, 1000);
      if (a == "--factors") grid.factors = list(v, 1);
      if (a == "--jitters") grid.jitters = list(v, 1);
      if (a == "--seeds") grid.seeds = std::atoi(v.c_str());
      if (a == "--validate") grid.validate_top = std::atoi(v.c_str());
      if (a == "--validation-seeds") grid.validation_seeds = std::atoi(v.c_str());
      if (a == "--scale") {
        const auto k = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
        base.clients *= k;
        base.capacity_per_s *= k;
      }
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
  if (sweep) return run_sweep(base, grid, json_path, svg_path);
  if (hint) return run_hint(base, grid.validation_seeds, json_path, svg_path);

  std::vector<Result> comparison;
  for (Policy p : {Policy::kClassic, Policy::kReconnectingWebSocket, Policy::kSocketIo,
                   Policy::kLifeline, Policy::kLifeline10s, Policy::kLifelineProposed})
    comparison.push_back(herd::simulate(p, base));
  std::fputs(herd::format_table(comparison).c_str(), stdout);
  std::fputs("\n", stdout);
  std::fflush(stdout);

  // The scaling runs: ws-lifeline's defaults alone, then the proposed backoff alone, capacity
  // scaled with the clients (same shape).
  auto scale = [&](Policy policy) {
    std::vector<Result> runs;
    for (const Result& r : comparison)
      if (r.policy == policy) runs.push_back(r);
    for (std::uint32_t factor : {10u, 100u}) {
      if (quick && factor > 10) break;
      Scenario s = base;
      s.clients = base.clients * factor;
      s.capacity_per_s = base.capacity_per_s * factor;
      runs.push_back(herd::simulate(policy, s));
      runs.back().attempts_per_bin.clear();
      runs.back().back_per_bin.clear();
    }
    std::fputs(herd::format_scaling(runs).c_str(), stdout);
    std::fputs("\n", stdout);
    std::fflush(stdout);
    return runs;
  };
  const std::vector<Result> scaling = scale(Policy::kLifeline);
  const std::vector<Result> proposed_scaling = scale(Policy::kLifelineProposed);

  bool ok = true;
  if (!json_path.empty())
    ok &= write_file(json_path, herd::to_json(comparison, scaling, proposed_scaling, true));
  if (!svg_path.empty()) ok &= write_file(svg_path, herd::to_svg(comparison));
  if (!json_path.empty() && ok) std::printf("\nwrote %s\n", json_path.c_str());
  if (!svg_path.empty() && ok) std::printf("wrote %s\n", svg_path.c_str());
  return ok ? 0 : 1;
}
