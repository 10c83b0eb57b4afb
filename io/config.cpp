// Config parsing with Boost.Program_options: one options table serves the INI file and the
// command line, so every file key is also a flag. Boost's messages are rephrased into one
// line that names the source (file or command line), the key and the value.
#include "io/config.hpp"

#include <sys/stat.h>

#include <boost/program_options.hpp>
#include <cfloat>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

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

// num_words: an integer, or "all" (= 0, the whole vocabulary).
int parse_num_words(const std::string& text) {
  if (text == "all") return 0;
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw ConfigError("invalid value '" + text +
                      "' for key 'num_words': must be an integer, or 0 / all for the whole "
                      "vocabulary");
  return value;
}

po::options_description make_keys(TrainConfig& c) {
  po::options_description keys("Configuration keys (INI file `key = value` or flag `--key value`)");
  po::options_description_easy_init add = keys.add_options();
  // Every real-valued key must be a finite number: inf and nan pass most range checks
  // (epsilon = inf is > 0) and silently stop training. Checked here, once for all of them.
  auto real = [&add](const char* key, double* value, const char* help) {
    add(key, po::value(value)->notifier([key](double v) {
      if (!std::isfinite(v)) {
        std::ostringstream os;
        os << "invalid value " << v << " for key '" << key << "': must be a finite number";
        throw ConfigError(os.str());
      }
    }),
        help);
  };
  add("data", po::value(&c.data), "prepared dataset file (from rnnsent_prepare)");
  add("output_dir", po::value(&c.output_dir),
      "directory for best_model.h5, history.h5, summary.json");
  add("num_words", po::value<std::string>()->notifier([&c](const std::string& v) {
    c.num_words = parse_num_words(v);
  }),
      "vocabulary size incl. ids 0-2 (ids >= num_words -> 2); 0 or all = the whole vocabulary");
  add("maxlen", po::value(&c.maxlen), "time steps per review after padding/truncation");
  add("padding", po::value(&c.padding), "pre | post: which side is padded and truncated");
  add("cell", po::value(&c.cell), "recurrent cell: rnn (= simple_rnn) | lstm | gru");
  add("embedding_dim", po::value(&c.embedding_dim), "embedding width");
  add("units", po::value(&c.units), "recurrent units");
  add("bidirectional", po::value(&c.bidirectional), "true | false: also read reviews backwards");
  add("layers", po::value(&c.layers), "stacked recurrent layers (1-8)");
  add("pooling", po::value(&c.pooling),
      "last | mean: the top layer's last states, or their mean over the real tokens");
  real("dropout", &c.dropout, "dropout rate on the embedding output, [0, 1)");
  real("word_dropout", &c.word_dropout,
       "rate of whole tokens dropped from the embedding output, [0, 1)");
  real("embedding_weight_dropout", &c.embedding_weight_dropout,
       "rate of embedding matrix elements dropped each training step, [0, 1)");
  real("projection_dropout", &c.projection_dropout,
       "rate of elements dropped from each recurrent layer's input projection x W, [0, 1)");
  add("batch_size", po::value(&c.batch_size), "global batch size");
  add("epochs", po::value(&c.epochs), "maximum epochs");
  add("optimizer", po::value(&c.optimizer), "rmsprop | adam");
  real("learning_rate", &c.learning_rate, "learning rate (before scaling and warm-up)");
  real("rho", &c.rho, "RMSprop decay");
  real("beta_1", &c.beta_1, "Adam decay of the first moment");
  real("beta_2", &c.beta_2, "Adam decay of the second moment");
  real("epsilon", &c.epsilon, "RMSprop and Adam epsilon (added outside the square root)");
  real("clipnorm", &c.clipnorm, "clip the gradient to this global L2 norm (0 = off)");
  real("ema_momentum", &c.ema_momentum,
       "validate and keep a moving average of the weights with this momentum, [0, 1) (0 = off)");
  add("warmup_steps", po::value(&c.warmup_steps),
      "updates over which the learning rate ramps up linearly (0 = off)");
  add("lr_scaling", po::value(&c.lr_scaling),
      "none | linear | sqrt: scale learning_rate by global batch / lr_base_batch");
  add("lr_base_batch", po::value(&c.lr_base_batch), "the batch learning_rate is given for");
  real("validation_split", &c.validation_split, "fraction of training reviews held out");
  add("patience", po::value(&c.patience), "epochs without val_acc gain before stopping");
  // Boost reads "-1" into an unsigned as 2^64 - 1 without a word: digits only.
  add("seed", po::value<std::string>()->notifier([&c](const std::string& v) {
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
      throw ConfigError("invalid value '" + v + "' for key 'seed': must be a whole number >= 0");
    try {
      c.seed = std::stoull(v);
    } catch (const std::exception&) {
      throw ConfigError("invalid value '" + v + "' for key 'seed': must be below 2^64");
    }
  }),
      "seed for shuffles, initialisation and dropout");
  add("threads", po::value(&c.threads), "OpenMP threads per rank (0 = OMP_NUM_THREADS / all)");
  add("max_train", po::value(&c.max_train), "use only the first N training reviews (0 = all)");
  add("max_test", po::value(&c.max_test), "evaluate only the first N test reviews (0 = all)");
  add("eval_batch_size", po::value(&c.eval_batch_size), "batch size for validation and test");
  add("log_every", po::value(&c.log_every), "batches between progress lines when not a terminal");
  add("checkpoint_every", po::value(&c.checkpoint_every),
      "steps between resume checkpoints (0 = epoch ends only)");
  add("keep_checkpoints", po::value(&c.keep_checkpoints), "newest resume checkpoints kept");
  add("watchdog_seconds", po::value(&c.watchdog_seconds),
      "end the job when a step takes longer (0 = off)");
  add("nonfinite", po::value(&c.nonfinite), "stop | skip: on a non-finite loss or gradient");
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
    std::cout << "usage: rnnsent_train --config FILE.ini [--key value ...]\n\n" << all << "\n";
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

namespace {

template <typename T>
[[noreturn]] void bad(const char* key, const T& value, const std::string& rule) {
  std::ostringstream os;
  os << "invalid value " << value << " for key '" << key << "': " << rule;
  throw ConfigError(os.str());
}

}  // namespace

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
  check_ini_value("data", c.data);
  if (c.output_dir.empty()) bad("output_dir", "''", "must name a directory");
  check_ini_value("output_dir", c.output_dir);
  if (c.num_words != 0 && c.num_words < 4)
    bad("num_words", c.num_words,
        "must be >= 4 (ids 0-2 are reserved), or 0 / all for the whole vocabulary");
  if (c.maxlen < 1) bad("maxlen", c.maxlen, "must be >= 1");
  if (c.padding != "pre" && c.padding != "post")
    bad("padding", "'" + c.padding + "'", "must be pre or post");
  // cell names belong to core/ (parse_cell); launch/ checks them (train_options).
  if (c.embedding_dim < 1) bad("embedding_dim", c.embedding_dim, "must be >= 1");
  if (c.units < 1) bad("units", c.units, "must be >= 1");
  if (c.layers < 1 || c.layers > 8) bad("layers", c.layers, "must be in 1..8");
  if (!(c.dropout >= 0 && c.dropout < 1)) bad("dropout", c.dropout, "must be in [0, 1)");
  if (!(c.word_dropout >= 0 && c.word_dropout < 1))
    bad("word_dropout", c.word_dropout, "must be in [0, 1)");
  if (!(c.embedding_weight_dropout >= 0 && c.embedding_weight_dropout < 1))
    bad("embedding_weight_dropout", c.embedding_weight_dropout, "must be in [0, 1)");
  if (!(c.projection_dropout >= 0 && c.projection_dropout < 1))
    bad("projection_dropout", c.projection_dropout, "must be in [0, 1)");
  if (c.batch_size < 1) bad("batch_size", c.batch_size, "must be >= 1");
  if (c.epochs < 1) bad("epochs", c.epochs, "must be >= 1");
  if (c.optimizer != "rmsprop" && c.optimizer != "adam")
    bad("optimizer", "'" + c.optimizer + "'", "must be rmsprop or adam");
  if (!(c.learning_rate > 0) || c.learning_rate > FLT_MAX)
    bad("learning_rate", c.learning_rate, "must be > 0 and <= 3.40282e+38 (float)");
  if (!(c.rho >= 0 && c.rho < 1)) bad("rho", c.rho, "must be in [0, 1)");
  if (!(c.beta_1 >= 0 && c.beta_1 < 1)) bad("beta_1", c.beta_1, "must be in [0, 1)");
  if (!(c.beta_2 >= 0 && c.beta_2 < 1)) bad("beta_2", c.beta_2, "must be in [0, 1)");
  // The optimizer computes in float: a rate beyond FLT_MAX becomes inf, an epsilon below
  // FLT_MIN flushes to 0 and divides by zero on a zero accumulator.
  if (!(c.epsilon >= FLT_MIN)) bad("epsilon", c.epsilon, "must be >= 1.17549e-38 (float)");
  if (!(c.clipnorm >= 0) || std::isinf(c.clipnorm))
    bad("clipnorm", c.clipnorm, "must be >= 0 (0 = off)");
  if (!(c.ema_momentum >= 0 && c.ema_momentum < 1))
    bad("ema_momentum", c.ema_momentum, "must be in [0, 1) (0 = off)");
  if (c.warmup_steps < 0) bad("warmup_steps", c.warmup_steps, "must be >= 0 (0 = off)");
  if (c.lr_scaling != "none" && c.lr_scaling != "linear" && c.lr_scaling != "sqrt")
    bad("lr_scaling", "'" + c.lr_scaling + "'", "must be none, linear or sqrt");
  if (c.lr_base_batch < 1) bad("lr_base_batch", c.lr_base_batch, "must be >= 1");
  if (!(c.validation_split > 0 && c.validation_split < 1))
    bad("validation_split", c.validation_split, "must be in (0, 1)");
  if (c.patience < 0) bad("patience", c.patience, "must be >= 0");
  if (c.threads < 0) bad("threads", c.threads, "must be >= 0");
  if (c.max_train < 0) bad("max_train", c.max_train, "must be >= 0");
  if (c.max_test < 0) bad("max_test", c.max_test, "must be >= 0");
  if (c.eval_batch_size < 1) bad("eval_batch_size", c.eval_batch_size, "must be >= 1");
  if (c.log_every < 1) bad("log_every", c.log_every, "must be >= 1");
  if (c.checkpoint_every < 0) bad("checkpoint_every", c.checkpoint_every, "must be >= 0");
  if (c.keep_checkpoints < 1) bad("keep_checkpoints", c.keep_checkpoints, "must be >= 1");
  if (c.watchdog_seconds < 0) bad("watchdog_seconds", c.watchdog_seconds, "must be >= 0");
  if (c.nonfinite != "stop" && c.nonfinite != "skip")
    bad("nonfinite", "'" + c.nonfinite + "'", "must be stop or skip");
}

namespace {

// The shortest of 15 or 17 significant digits that reads back as the same double: a resumed
// run compares its values with the stored ones, and 0.001 should still read 0.001.
std::string num(double v) {
  std::ostringstream os;
  os.precision(15);
  os << v;
  if (std::strtod(os.str().c_str(), nullptr) == v) return os.str();
  os.str("");
  os.precision(17);
  os << v;
  return os.str();
}

}  // namespace

std::string to_ini(const TrainConfig& c) {
  std::ostringstream os;
  os << "data = " << c.data << "\noutput_dir = " << c.output_dir << "\nnum_words = " << c.num_words
     << "\nmaxlen = " << c.maxlen << "\npadding = " << c.padding << "\ncell = " << c.cell
     << "\nembedding_dim = " << c.embedding_dim << "\nunits = " << c.units
     << "\nbidirectional = " << (c.bidirectional ? "true" : "false") << "\nlayers = " << c.layers
     << "\npooling = " << c.pooling << "\ndropout = " << num(c.dropout)
     << "\nword_dropout = " << num(c.word_dropout)
     << "\nembedding_weight_dropout = " << num(c.embedding_weight_dropout)
     << "\nprojection_dropout = " << num(c.projection_dropout) << "\nbatch_size = " << c.batch_size
     << "\nepochs = " << c.epochs << "\noptimizer = " << c.optimizer
     << "\nlearning_rate = " << num(c.learning_rate) << "\nrho = " << num(c.rho)
     << "\nbeta_1 = " << num(c.beta_1) << "\nbeta_2 = " << num(c.beta_2)
     << "\nepsilon = " << num(c.epsilon) << "\nclipnorm = " << num(c.clipnorm)
     << "\nema_momentum = " << num(c.ema_momentum) << "\nwarmup_steps = " << c.warmup_steps
     << "\nlr_scaling = " << c.lr_scaling << "\nlr_base_batch = " << c.lr_base_batch
     << "\nvalidation_split = " << num(c.validation_split) << "\npatience = " << c.patience
     << "\nseed = " << c.seed << "\nthreads = " << c.threads << "\nmax_train = " << c.max_train
     << "\nmax_test = " << c.max_test << "\neval_batch_size = " << c.eval_batch_size
     << "\nlog_every = " << c.log_every << "\ncheckpoint_every = " << c.checkpoint_every
     << "\nkeep_checkpoints = " << c.keep_checkpoints
     << "\nwatchdog_seconds = " << c.watchdog_seconds << "\nnonfinite = " << c.nonfinite << "\n";
  return os.str();
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
