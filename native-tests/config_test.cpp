#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "lifeline/connection.hpp"

namespace lifeline {
namespace {

const double kNaN = std::nan("");

std::vector<std::string> names(const Config& c) {
  std::vector<std::string> r;
  for (const auto& p : validate(c))
    r.push_back(p.name);
  return r;
}

TEST(Config, DefaultsAreTheDocumentedOnesAndValid) {
  Config c;
  EXPECT_EQ(c.ping_interval, 10000);
  EXPECT_EQ(c.pong_timeout, 10000);
  EXPECT_EQ(c.connect_timeout, 10000);
  EXPECT_EQ(c.reconnect_delay, 1000);
  EXPECT_EQ(c.max_reconnect_delay, 18000);  // the herd benchmark's pick (bench/herd --sweep)
  EXPECT_EQ(c.backoff_factor, 3);
  EXPECT_EQ(c.jitter, 0.75);
  EXPECT_TRUE(std::isinf(c.max_retries));
  EXPECT_EQ(c.min_uptime, 5000);
  EXPECT_TRUE(validate(c).empty());
  EXPECT_TRUE(validate(Config::seed_pattern()).empty());
}

TEST(Config, SeedPatternIsExpressible) {
  Config c = Config::seed_pattern();
  EXPECT_EQ(c.ping_interval, 10000);
  EXPECT_EQ(c.pong_timeout, 10000);
  EXPECT_EQ(c.reconnect_delay, 5000);
  EXPECT_EQ(c.max_reconnect_delay, 5000);
  EXPECT_EQ(c.backoff_factor, 1);
  EXPECT_EQ(c.jitter, 0);
  EXPECT_EQ(c.max_retries, 12);
  EXPECT_TRUE(std::isinf(c.min_uptime));
}

struct BadValue {
  const char* field;
  void (*set)(Config&);
};

class ConfigRejects : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigRejects, NamesTheFieldAndTheAllowedRange) {
  Config c;
  GetParam().set(c);
  auto problems = validate(c);
  ASSERT_EQ(problems.size(), 1u) << GetParam().field;
  EXPECT_STREQ(problems[0].name, GetParam().field);
  EXPECT_STREQ(field_name(problems[0].field), GetParam().field);
  EXPECT_GT(std::string(problems[0].expected).size(), 5u);
  Connection conn(c);
  EXPECT_FALSE(conn.config_valid());
  EXPECT_EQ(conn.open(0), CommandResult::kInvalidConfig);
  Output o;
  EXPECT_FALSE(conn.poll(o)) << "an invalid configuration must not start anything";
}

INSTANTIATE_TEST_SUITE_P(
    EveryField, ConfigRejects,
    ::testing::Values(
        BadValue{"ping_interval", [](Config& c) { c.ping_interval = 0; }},
        BadValue{"ping_interval", [](Config& c) { c.ping_interval = -1; }},
        BadValue{"ping_interval", [](Config& c) { c.ping_interval = kNaN; }},
        BadValue{"pong_timeout", [](Config& c) { c.pong_timeout = 0; }},
        BadValue{"pong_timeout", [](Config& c) { c.pong_timeout = kNaN; }},
        BadValue{"connect_timeout", [](Config& c) { c.connect_timeout = -5; }},
        BadValue{"reconnect_delay", [](Config& c) { c.reconnect_delay = -1; }},
        BadValue{"reconnect_delay", [](Config& c) { c.reconnect_delay = kNever; }},
        BadValue{"reconnect_delay", [](Config& c) { c.reconnect_delay = kNaN; }},
        BadValue{"max_reconnect_delay", [](Config& c) { c.max_reconnect_delay = 500; }},
        BadValue{"max_reconnect_delay", [](Config& c) { c.max_reconnect_delay = kNever; }},
        BadValue{"max_reconnect_delay", [](Config& c) { c.max_reconnect_delay = kNaN; }},
        BadValue{"backoff_factor", [](Config& c) { c.backoff_factor = 0.5; }},
        BadValue{"backoff_factor", [](Config& c) { c.backoff_factor = kNever; }},
        BadValue{"backoff_factor", [](Config& c) { c.backoff_factor = kNaN; }},
        BadValue{"jitter", [](Config& c) { c.jitter = -0.1; }},
        BadValue{"jitter", [](Config& c) { c.jitter = 1.5; }},
        BadValue{"jitter", [](Config& c) { c.jitter = kNaN; }},
        BadValue{"max_retries", [](Config& c) { c.max_retries = -1; }},
        BadValue{"max_retries", [](Config& c) { c.max_retries = 2.5; }},
        BadValue{"max_retries", [](Config& c) { c.max_retries = kNaN; }},
        BadValue{"max_retries", [](Config& c) { c.max_retries = -kNever; }},
        BadValue{"min_uptime", [](Config& c) { c.min_uptime = -1; }},
        BadValue{"min_uptime", [](Config& c) { c.min_uptime = kNaN; }},
        BadValue{"timer_slack", [](Config& c) { c.timer_slack = 0; }},
        BadValue{"timer_slack", [](Config& c) { c.timer_slack = kNaN; }}));

TEST(Config, ReportsEveryProblemNotJustTheFirst) {
  Config c;
  c.ping_interval = -1;
  c.jitter = 2;
  c.reconnect_delay = 50000;  // above max_reconnect_delay
  EXPECT_EQ(names(c), (std::vector<std::string>{"ping_interval", "max_reconnect_delay", "jitter"}));
}

TEST(Config, InfinityDisablesWhereDocumented) {
  Config c;
  c.ping_interval = kNever;
  c.pong_timeout = kNever;
  c.connect_timeout = kNever;
  c.max_retries = kNever;
  c.min_uptime = kNever;
  c.timer_slack = kNever;
  EXPECT_TRUE(validate(c).empty());
  c.reconnect_delay = 0;  // immediate reconnects are allowed
  c.max_reconnect_delay = 0;
  c.jitter = 0;
  c.max_retries = 0;
  c.min_uptime = 0;
  EXPECT_TRUE(validate(c).empty());
}

}  // namespace
}  // namespace lifeline
