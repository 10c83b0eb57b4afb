// Training-step throughput of the course model on real batches, through the trainer's own step
// (batch assembly, gather, forward, backward, scatter-add, lazy RMSprop) on one rank: 3 warm-up
// steps, then `repeats` timed runs of `batches` steps, printing each run's samples/s and the
// median, in the same form as the PyTorch peer's --bench-batches.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/cpu_isa.hpp"
#include "core/init.hpp"
#include "core/sentiment_model.hpp"
#include "dist/session.hpp"
#include "io/dataset_file.hpp"
#include "launch/lib/data_parallel.hpp"
#include "launch/lib/padded_set.hpp"
#include "launch/lib/shuffle.hpp"

int main(int argc, char** argv) {
  rnnsent::dist::Session session(&argc, &argv);  // a 1-rank job: the step's allreduce is a no-op
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: bench_train_step DATA.h5 [batches=20] [repeats=3] [maxlen=500] [batch=128] "
        "[cell=rnn] [path=table|onednn]\n");
    return 2;
  }
  try {
    std::printf("instruction set: %s (CPU %s)\n", rnnsent::cpu_isa_name(rnnsent::usable_cpu_isa()),
                rnnsent::cpu_isa_name(rnnsent::hardware_cpu_isa()));
    const std::string data_path = argv[1];
    const int batches = argc > 2 ? std::atoi(argv[2]) : 20;
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
    const int maxlen = argc > 4 ? std::atoi(argv[4]) : 500;
    const int bs = argc > 5 ? std::atoi(argv[5]) : 128;
    const std::string cell = argc > 6 ? argv[6] : "rnn";
    // The SimpleRNN's table path (default where it applies) or oneDNN's RNN primitive.
    const std::string path = argc > 7 ? argv[7] : "table";
    if (path != "table" && path != "dense" && path != "onednn") {
      std::fprintf(stderr, "bench_train_step: path must be table, dense or onednn, got '%s'\n",
                   path.c_str());
      return 2;
    }
    const int warmup = 3;
    const rnnsent::PreparedDataset data = rnnsent::read_dataset(data_path);
    const auto order = rnnsent::seeded_permutation(data.train.size(), 1, 0);
    const rnnsent::PaddedSet set =
        rnnsent::make_padded_set(data.train, order, maxlen, rnnsent::Padding::pre, 30000);
    rnnsent::ModelShape shape;
    shape.cell = rnnsent::parse_cell(cell);
    rnnsent::SentimentModel model(shape);
    model.set_token_table(path == "table");
    if (path == "onednn") model.set_engine(rnnsent::RecurrentEngine::onednn);
    const std::size_t n = model.layout().total();
    std::vector<float> params(n);
    rnnsent::OptimizerState optimizer =
        rnnsent::make_optimizer_state(rnnsent::OptimizerKind::rmsprop, n);
    rnnsent::keras_initialize(shape, model.layout(), 1, params.data());
    rnnsent::DataParallelStep stepper(model, session, {});
    std::vector<std::int32_t> ids(std::size_t(bs) * std::size_t(maxlen));
    std::vector<float> labels(static_cast<std::size_t>(bs));
    std::vector<std::uint32_t> rows(set.rows());
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::uint32_t(i);
    std::size_t next = 0;
    auto step = [&] {
      if (next + std::size_t(bs) > rows.size()) next = 0;
      rnnsent::gather_batch(set, rows.data() + next, std::size_t(bs), ids.data(), labels.data());
      next += std::size_t(bs);
      stepper.run(ids.data(), labels.data(), std::size_t(bs), std::size_t(bs), maxlen,
                  optimizer.updates + 1, params.data(), optimizer);
    };
    for (int i = 0; i < warmup; ++i) step();
    std::vector<double> rates;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < batches; ++i) step();
      const double dt =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      rates.push_back(double(batches) * bs / dt);
      std::printf(
          "bench train repeat %d: %d batches x %d in %.3fs -> %.1f samples/s (%.1f ms/batch)\n", r,
          batches, bs, dt, rates.back(), dt / batches * 1e3);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("RESULT rnnsent %s T=%d batch=%d threads=%d train median samples/s = %.1f\n",
                cell.c_str(), maxlen, bs, omp_get_max_threads(), rates[rates.size() / 2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train_step: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
