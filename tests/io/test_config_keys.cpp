// The key table (io/config_keys.hpp) against what users read: the README's key table and
// `rnnsent_train --help` must list the same keys with the same defaults, and every key
// round-trips through config.ini.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "io/config.hpp"
#include "io/config_keys.hpp"

namespace rnnsent {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" `");
  const auto e = s.find_last_not_of(" `");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, sep);) parts.push_back(trim(part));
  return parts;
}

// key -> default from the README's "## Config keys" table; a row may name several keys
// ("learning_rate, rho, epsilon | 0.001, 0.9, 1e-7").
std::map<std::string, std::string> readme_defaults() {
  std::ifstream file(std::string(RNNSENT_SOURCE_DIR) + "/README.md");
  std::map<std::string, std::string> keys;
  bool in_section = false;
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line.rfind("## Config keys", 0) == 0;
    if (!in_section || line.rfind("| ", 0) != 0) continue;
    const std::vector<std::string> cells = split(line.substr(1), '|');
    if (cells.size() < 2 || cells[0] == "key" || cells[0].rfind("---", 0) == 0) continue;
    const std::vector<std::string> names = split(cells[0], ','), values = split(cells[1], ',');
    EXPECT_EQ(names.size(), values.size()) << line;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) keys[names[i]] = values[i];
  }
  return keys;
}

// What `rnnsent_train --help` prints (the built executable, run as a user would).
std::string train_help() {
  const std::string command = std::string(RNNSENT_BINARY_DIR) + "/bin/rnnsent_train --help";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "";
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << command;
  return text;
}

// key -> default as --help prints them ("  --maxlen 500  time steps ...").
std::map<std::string, std::string> help_defaults(const std::string& help) {
  std::map<std::string, std::string> keys;
  std::istringstream in(help);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string flag, value;
    if (words >> flag >> value && flag.rfind("--", 0) == 0) keys[flag.substr(2)] = value;
  }
  return keys;
}

// Equal as numbers when both are numbers (the README writes 1e-7, --help 1e-07), else as text.
bool same_default(const std::string& a, const std::string& b) {
  char *end_a = nullptr, *end_b = nullptr;
  const double x = std::strtod(a.c_str(), &end_a), y = std::strtod(b.c_str(), &end_b);
  if (!a.empty() && !b.empty() && *end_a == '\0' && *end_b == '\0') return x == y;
  return a == b;
}

TEST(ConfigKeysTest, ReadmeTableAndHelpListTheSameKeysAndDefaults) {
  const std::string text = train_help();
  ASSERT_NE(text.find(keys_help()), std::string::npos)
      << "rnnsent_train --help does not print the key table's help:\n"
      << text;
  // The keys' part (after the command-line-only flags --config, --resume, --overwrite).
  const auto readme = readme_defaults(), help = help_defaults(text.substr(text.find(keys_help())));
  ASSERT_GT(help.size(), 30u);
  for (const auto& [key, value] : help) {
    const auto it = readme.find(key);
    if (it == readme.end()) {
      ADD_FAILURE() << "--help has key '" << key << "', the README's key table does not";
      continue;
    }
    EXPECT_TRUE(same_default(value, it->second))
        << key << ": --help says " << value << ", the README says " << it->second;
  }
  for (const auto& [key, value] : readme)
    EXPECT_TRUE(help.count(key)) << "the README's key table has '" << key << "', --help does not";
}

TEST(ConfigKeysTest, NamesAreUniqueAndEveryKeyHasHelp) {
  std::map<std::string, int> seen;
  for (const ConfigKey& key : config_keys()) {
    EXPECT_EQ(++seen[key.name], 1) << key.name;
    EXPECT_GT(std::string(key.help).size(), 5u) << key.name;
  }
}

TEST(ConfigKeysTest, EveryKeyRoundTripsThroughConfigIni) {
  TrainConfig c;
  c.data = "d.h5";
  c.learning_rate = 0.1 + 0.2;  // needs 17 digits
  c.seed = 18446744073709551615ull;
  c.bidirectional = true;
  c.num_words = 0;
  const TrainConfig back = parse_config_text(to_ini(c), "test");
  for (const ConfigKey& key : config_keys())
    EXPECT_EQ(value_text(key_value(key, back)), value_text(key_value(key, c))) << key.name;
}

TEST(ConfigKeysTest, DefaultsPassTheirRules) {
  TrainConfig c;
  c.data = "d.h5";
  for (const ConfigKey& key : config_keys()) EXPECT_EQ(key.rule(key_value(key, c)), "") << key.name;
}

}  // namespace
}  // namespace rnnsent
