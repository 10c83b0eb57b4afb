// Config parsing with Boost.Program_options: one options table serves the INI file and the
// command line, so every file key is also a flag. Boost's messages are rephrased into one
// line that names the source (file or command line), the key and the value.
#include "io/config.hpp"

#include <sys/stat.h>

#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "io/config_keys.hpp"
#include "io/vocabulary.hpp"

namespace po = boost::program_options;

namespace rnnsent {
namespace {

// Boost.Program_options (1.74) builds its error messages by replacing %value%, %option%, ...
// with the offending text until none is left: text that contains the placeholder itself makes
// that loop forever (fuzz_config: `--seed %value%` hung rnnsent_train). Such text is refused
// before Boost sees it.
constexpr const char* kBoostPlaceholders[] = {"%value%", "%option%", "%canonical_option%",
                                              "%prefix%", "%original_token%"};

void check_no_placeholders(const std::string& text, const std::string& where) {
  for (const char* token : kBoostPlaceholders)
    if (text.find(token) != std::string::npos)
      throw ConfigError(where + ": '" + token + "' is not allowed in a key or value");
}

// One Boost option per key of the table (config_keys.hpp), reading into c.
po::options_description make_keys(TrainConfig& c) {
  po::options_description keys("Configuration keys");
  po::options_description_easy_init add = keys.add_options();
  for (const ConfigKey& key : config_keys()) {
    const char* name = key.name;
    if (key.parse) {
      auto parse = key.parse;
      add(name,
          po::value<std::string>()->notifier([&c, parse](const std::string& v) { parse(c, v); }),
          key.help);
      continue;
    }
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(c.*member)>;
          if constexpr (std::is_same_v<T, double>) {
            // Every real-valued key must be a finite number: inf and nan pass most range checks
            // (epsilon = inf is > 0) and silently stop training.
            add(name, po::value(&(c.*member))->notifier([name](double v) {
              if (!std::isfinite(v)) {
                std::ostringstream os;
                os << "invalid value " << v << " for key '" << name << "': must be a finite number";
                throw ConfigError(os.str());
              }
            }),
                key.help);
          } else if constexpr (std::is_same_v<T, std::uint64_t>) {
            // Boost reads "-1" into an unsigned as 2^64 - 1 without a word: digits only.
            add(name, po::value<std::string>()->notifier([&c, member, name](const std::string& v) {
              const std::string where = std::string("' for key '") + name + "': ";
              if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
                throw ConfigError("invalid value '" + v + where + "must be a whole number >= 0");
              try {
                c.*member = std::stoull(v);
              } catch (const std::exception&) {
                throw ConfigError("invalid value '" + v + where + "must be below 2^64");
              }
            }),
                key.help);
          } else {
            add(name, po::value(&(c.*member)), key.help);
          }
        },
        key.field);
  }
  return keys;
}

// Boost says e.g. "the argument ('x') for option '--batch_size' is invalid"; keep its detail
// but prefix where it came from.
std::string describe(const po::error& e) { return e.what(); }

// Scripts append overrides to a base command line (`$BASE --epochs 1`), so a flag given twice
// takes its last value, as most command-line tools do. Boost refuses repeats, so earlier
// occurrences are dropped here. Switches (no value) are left alone.
std::vector<std::string> last_flag_wins(int argc, const char* const* argv,
                                        const po::options_description& keys) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto key_of = [&](const std::string& a) -> std::string {
    if (a.rfind("--", 0) != 0) return "";
    const std::string k =
        a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
    return keys.find_nothrow(k, false) ? k : "";
  };
  std::vector<bool> drop(args.size(), false);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string k = key_of(args[i]);
    if (k.empty()) continue;
    const bool inline_value = args[i].find('=') != std::string::npos;
    for (std::size_t j = i + (inline_value ? 1 : 2); j < args.size(); ++j) {
      if (key_of(args[j]) == k) {  // a later occurrence exists: drop this one and its value
        drop[i] = true;
        if (!inline_value && i + 1 < args.size()) drop[i + 1] = true;
        break;
      }
    }
  }
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < args.size(); ++i)
    if (!drop[i]) kept.push_back(args[i]);
  return kept;
}

}  // namespace

bool parse_train_config(int argc, const char* const* argv, TrainConfig& c) {
  po::options_description keys = make_keys(c);
  po::options_description cli_only("Command-line options");
  bool help = false;
  cli_only.add_options()("help,h", po::bool_switch(&help), "print this help")(
      "config", po::value(&c.config_file), "INI file with configuration keys")(
      "overwrite", po::bool_switch(&c.overwrite), "replace an existing best_model.h5")(
      "resume", po::value(&c.resume),
      "auto (newest valid checkpoint in output_dir, else a fresh run) or a checkpoint path");
  po::options_description all;
  all.add(cli_only).add(keys);

  po::variables_map vm;
  for (int i = 1; i < argc; ++i) check_no_placeholders(argv[i], "command line");
  try {
    // Command line first: values stored first win, so flags override the file.
    const po::parsed_options parsed =
        po::command_line_parser(last_flag_wins(argc, argv, keys)).options(all).run();
    // Boost keeps words that belong to no flag and store() drops them: `rnnsent_train base.ini`
    // would then train on the defaults. Every argument must be a flag or its value.
    for (const po::option& o : parsed.options)
      if (o.position_key >= 0 || o.string_key.empty())
        throw ConfigError("command line: unexpected argument '" +
                          (o.original_tokens.empty() ? std::string("?") : o.original_tokens[0]) +
                          "'; every setting is --key value (a config file is --config FILE)");
    po::store(parsed, vm);
  } catch (const po::error& e) {
    throw ConfigError("command line: " + describe(e));
  }
  if (vm.count("help")) help = vm["help"].as<bool>();
  if (help) {
    std::cout << "usage: rnnsent_train --config FILE.ini [--key value ...]\n\n"
              << cli_only << "\n"
              << keys_help();
    return false;
  }
  if (vm.count("config")) {
    const std::string path = vm["config"].as<std::string>();
    // A directory opens as a stream that reads nothing: an empty config, silently.
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      throw ConfigError(path + ": --config must name a file (this is a directory)");
    std::ifstream file(path);
    if (!file) throw ConfigError(path + ": cannot open config file");
    std::stringstream text;
    text << file.rdbuf();
    check_no_placeholders(text.str(), path);
    std::istringstream in(text.str());
    try {
      po::store(po::parse_config_file(in, keys, /*allow_unregistered=*/false), vm);
    } catch (const po::unknown_option& e) {
      throw ConfigError(path + ": unknown key '" + e.get_option_name() + "'");
    } catch (const po::error& e) {
      throw ConfigError(path + ": " + describe(e));
    }
  }
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(describe(e));
  }
  validate(c);
  return true;
}

TrainConfig parse_config_text(const std::string& text, const std::string& label) {
  TrainConfig c;
  po::options_description keys = make_keys(c);
  po::variables_map vm;
  check_no_placeholders(text, label);
  std::istringstream in(text);
  try {
    po::store(po::parse_config_file(in, keys, /*allow_unregistered=*/true), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(label + ": " + describe(e));
  }
  return c;
}

// The free-text values travel as INI lines (config.ini, best_model.h5, checkpoints, and the
// resume check compares them): one the INI form cannot hold - a line break, a '#' (Boost reads
// the rest as a comment), surrounding white space (trimmed) - would read back as another value.
static void check_ini_value(const char* key, const std::string& v) {
  auto space = [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; };
  if (v.find_first_of("\n\r#") != std::string::npos ||
      (!v.empty() && (space(v.front()) || space(v.back()))))
    throw ConfigError(std::string("invalid value for key '") + key +
                      "': must be one line, without '#' or white space at either end");
}

void validate(const TrainConfig& c) {
  if (c.data.empty())
    throw ConfigError("missing key 'data': the prepared dataset file to train on");
  for (const ConfigKey& key : config_keys()) {
    const ConfigValue value = key_value(key, c);
    const auto* text = std::get_if<std::string>(&value);
    if (text) check_ini_value(key.name, *text);
    const std::string broken = key.rule(value);
    if (!broken.empty())
      throw ConfigError("invalid value " + (text ? "'" + *text + "'" : value_text(value)) +
                        " for key '" + key.name + "': " + broken);
  }
  // Rules between keys.
  if (c.crop_max < c.crop_min)
    throw ConfigError("invalid value " + std::to_string(c.crop_max) +
                      " for key 'crop_max': must be >= crop_min (" + std::to_string(c.crop_min) +
                      ")");
  // The negated rows live in the bigram buckets.
  if (c.negation_scope > 0 && c.bigram_buckets == 0)
    throw ConfigError("invalid value " + std::to_string(c.negation_scope) +
                      " for key 'negation_scope': needs bigram_buckets > 0 (its rows are buckets)");
  // Weight dropout masks a word's row; a step with a bigram reads two rows through one mask.
  if (c.bigram_buckets > 0 && c.embedding_weight_dropout > 0)
    throw ConfigError("invalid value " + value_text(c.embedding_weight_dropout) +
                      " for key 'embedding_weight_dropout': must be 0 when bigram_buckets > 0");
}

std::string to_ini(const TrainConfig& c) {
  std::string ini;
  for (const ConfigKey& key : config_keys())
    ini += std::string(key.name) + " = " + value_text(key_value(key, c)) + "\n";
  return ini;
}

std::string boost_placeholder_in_options(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i], previous = argv[i - 1];
    const bool option = arg.rfind('-', 0) == 0;
    const bool value =
        i > 1 && previous.rfind("--", 0) == 0 && previous.find('=') == std::string::npos;
    if (!option && !value) continue;  // a positional argument (a text to score) is never quoted
    for (const char* token : kBoostPlaceholders)
      if (arg.find(token) != std::string::npos) return token;
  }
  return "";
}

int resolve_num_words(int num_words, std::size_t vocabulary_size) {
  // The word of rank r (1-based) has id r + 3, so the largest id is V + 3 and the whole
  // vocabulary needs V + 4 rows: ids 0-2 reserved, 3 unused (as in Keras's imdb.load_data).
  const std::size_t whole = vocabulary_size + std::size_t(kIndexFrom) + 1;
  if (num_words == 0 || std::size_t(num_words) > whole) return int(whole);
  return num_words;
}

}  // namespace rnnsent
