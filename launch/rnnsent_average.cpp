// rnnsent_average: checkpoint averaging. Writes the element-wise mean of the weights of
// several models of one run (for example its last epochs' models/epoch_NNN.h5, kept with
// average_last_epochs or epoch_models) as a new model that rnnsent_eval and rnnsent_predict
// read like any other.
//   rnnsent_average --output OUT.h5 [--overwrite] MODEL.h5 MODEL.h5 ...
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/model_average.hpp"
#include "io/model_file.hpp"
#include "launch/lib/stdout_check.hpp"

namespace {

constexpr const char* kUsage =
    "usage: rnnsent_average --output OUT.h5 [--overwrite] MODEL.h5 MODEL.h5 ...\n"
    "  writes the mean of the models' weights (checkpoint averaging; the models must share\n"
    "  architecture, vocabulary and tokenizer, e.g. the last epochs of one run)\n";

struct Options {
  std::string output;
  bool overwrite = false;
  std::vector<std::string> models;
};

// Returns false (usage printed) when the arguments are not a complete command line.
bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--output" && i + 1 < argc) {
      o.output = argv[++i];
    } else if (a == "--overwrite") {
      o.overwrite = true;
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "rnnsent_average: error: unknown option '%s'\n%s", a.c_str(), kUsage);
      return false;
    } else {
      o.models.push_back(a);
    }
  }
  if (o.output.empty() || o.models.size() < 2) {
    std::fprintf(stderr, "rnnsent_average: error: %s\n%s",
                 o.output.empty() ? "--output is required" : "give at least two models", kUsage);
    return false;
  }
  return true;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf("%s", kUsage);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  Options o;
  if (!parse(argc, argv, o)) return 2;
  try {
    struct stat st {};
    for (const std::string& m : o.models)
      if (same_file(m, o.output))
        throw std::runtime_error(o.output + ": is one of the models averaged; write elsewhere");
    if (::stat(o.output.c_str(), &st) == 0 && !o.overwrite)
      throw std::runtime_error(o.output + ": already exists; pass --overwrite to replace it");
    std::vector<rnnsent::ModelFile> models;
    for (const std::string& m : o.models) models.push_back(rnnsent::read_model(m));
    const rnnsent::ModelFile mean = rnnsent::average_models(models, o.models);
    rnnsent::write_model(o.output, mean);
    std::printf("rnnsent_average: wrote %s, the mean of %zu models (newest epoch %d)\n",
                o.output.c_str(), models.size(), mean.epoch);
    rnnsent::check_stdout();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnnsent_average: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
