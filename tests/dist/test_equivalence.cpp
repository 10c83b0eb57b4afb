// Data-parallel training equals single-rank training: after K steps on the same global
// batches, the parameters at P ranks match a plain one-process run of the whole batches, and
// every rank holds bit-identical parameters. Run under mpirun with P = 1, 2, 4 (ctest).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/adam.hpp"
#include "core/grad_clip.hpp"
#include "core/init.hpp"
#include "core/rmsprop.hpp"
#include "core/sentiment_model.hpp"
#include "launch/lib/data_parallel.hpp"
#include "tests/dist/mpi_session.hpp"

namespace rnnsent {
namespace {

using testing_support::mpi;

struct Batch {
  std::vector<std::int32_t> ids;  // [n, T]
  std::vector<float> labels;      // [n]
};

// The same K global batches on every rank, drawn from a fixed seed.
std::vector<Batch> make_batches(int K, int n, int T, int V) {
  std::mt19937 rng(2024);
  std::vector<Batch> out(static_cast<std::size_t>(K));
  for (Batch& b : out) {
    for (int i = 0; i < n * T; ++i) b.ids.push_back(std::int32_t(rng() % std::uint32_t(V)));
    for (int i = 0; i < n; ++i) b.labels.push_back(float(rng() % 2));
  }
  return out;
}

struct Scenario {
  ModelShape shape;
  int T = 12;
  int global_n = 10;  // splits unevenly over 4 ranks: 3, 3, 2, 2
  int steps = 6;
  RmspropSettings rms;
  Scenario() {
    shape.num_words = 60;
    shape.embedding_dim = 16;
    shape.units = 8;
  }
};

// The single-process reference: whole global batches, no MPI (dropout: the rate, with the
// streams the trainer's seed 1 gives step 1, 2, ...).
std::vector<float> single_process(const Scenario& s, const std::vector<Batch>& batches,
                                  float dropout = 0, float word_dropout = 0,
                                  float projection_dropout = 0,
                                  float embedding_weight_dropout = 0) {
  SentimentModel model(s.shape);
  const std::size_t n = model.layout().total();
  std::vector<float> params(n), grads(n), accum(n, 0.0f);
  keras_initialize(s.shape, model.layout(), 7, params.data());
  std::int64_t step = 0;
  for (const Batch& b : batches) {
    std::fill(grads.begin(), grads.end(), 0.0f);
    model.forward_backward(
        params.data(), b.ids.data(), b.labels.data(), s.global_n, s.T, 1.0f / float(s.global_n),
        grads.data(), nullptr,
        step_dropout(dropout, 1, ++step, std::size_t(s.global_n), 0, 1, word_dropout,
                     projection_dropout, embedding_weight_dropout));
    rmsprop_step(s.rms, n, grads.data(), accum.data(), params.data());
  }
  return params;
}

// Adam with clipping by global norm and a warm-up, written out for whole batches: the norm of
// the full gradient, the clip, the scheduled rate. Returns the parameters and counts the steps
// that were clipped.
std::vector<float> single_process_adam(const Scenario& s, const StepOptions& o,
                                       const std::vector<Batch>& batches, int* clipped) {
  SentimentModel model(s.shape);
  const std::size_t n = model.layout().total();
  std::vector<float> params(n), grads(n), m(n, 0.0f), v(n, 0.0f);
  keras_initialize(s.shape, model.layout(), 7, params.data());
  std::int64_t t = 0;
  for (const Batch& b : batches) {
    std::fill(grads.begin(), grads.end(), 0.0f);
    model.forward_backward(params.data(), b.ids.data(), b.labels.data(), s.global_n, s.T,
                           1.0f / float(s.global_n), grads.data(), nullptr);
    const double scale = clip_scale(std::sqrt(sum_of_squares(grads.data(), n)), o.clipnorm);
    *clipped += scale < 1.0;
    scale_values(grads.data(), n, float(scale));
    ++t;
    const AdamSettings adam{float(o.learning_rate.at(t)), o.optimizer.beta_1, o.optimizer.beta_2,
                            o.optimizer.epsilon};
    adam_step(adam, t, n, grads.data(), m.data(), v.data(), params.data());
  }
  return params;
}

StepOptions rmsprop_options(const Scenario& s) {
  StepOptions options;
  options.optimizer.rho = s.rms.rho;
  options.optimizer.epsilon = s.rms.epsilon;
  options.learning_rate.target = s.rms.learning_rate;
  return options;
}

// Adam, a clip threshold some steps exceed and some do not, a 3-update warm-up.
StepOptions adam_options() {
  StepOptions options;
  options.optimizer.kind = OptimizerKind::adam;
  options.learning_rate = {2e-3, 3};
  options.clipnorm = 0.75;  // the norms of these batches are 0.67-0.88
  return options;
}

// The same steps with this rank's share of each batch and an allreduce.
std::vector<float> data_parallel(const Scenario& s, const std::vector<Batch>& batches,
                                 const StepOptions& options) {
  SentimentModel model(s.shape);
  const std::size_t n = model.layout().total();
  std::vector<float> params(n);
  OptimizerState state = make_optimizer_state(options.optimizer.kind, n);
  if (mpi().is_root()) keras_initialize(s.shape, model.layout(), 7, params.data());
  mpi().broadcast(params.data(), n);
  DataParallelStep step(model, mpi(), options);
  std::int64_t global_step = 0;
  for (const Batch& b : batches) {
    const auto [begin, end] = rank_share(std::size_t(s.global_n), mpi().rank(), mpi().size());
    step.run(b.ids.data() + begin * std::size_t(s.T), b.labels.data() + begin, end - begin,
             std::size_t(s.global_n), s.T, ++global_step, params.data(), state);
  }
  return params;
}

TEST(DataParallelTest, RankSharesCoverTheBatchOnce) {
  for (int ranks : {1, 2, 3, 4, 8}) {
    std::size_t expected_begin = 0;
    for (int r = 0; r < ranks; ++r) {
      const auto [b, e] = rank_share(10, r, ranks);
      EXPECT_EQ(b, expected_begin);
      EXPECT_LE(e - b, std::size_t(10 / ranks + 1));
      EXPECT_GE(e - b, std::size_t(10 / ranks));
      expected_begin = e;
    }
    EXPECT_EQ(expected_begin, 10u);
  }
}

TEST(DataParallelTest, MatchesSingleProcessTraining) {
  // One thread per rank (ctest sets OMP_NUM_THREADS=1): the reference then runs the whole
  // batch as one chunk, the P ranks as P chunks, so the two differ only in the order the
  // per-review gradient terms are summed (float rounding, about 1e-7 relative per step).
  // Through RMSprop a gradient entry moves its weight by at most lr / sqrt(1 - rho) = 3.2e-3
  // per step whatever its size, and rounding can only flip an entry's sign when it is at
  // rounding level, where the step is lr * g / eps, tiny. Six steps of such drift stay far
  // below 1e-5 (measured: 3e-7 at 2 and 4 ranks); a wrong split, scale or missing allreduce moves
  // weights by about lr = 1e-3 in one step.
  const Scenario s;
  const std::vector<Batch> batches = make_batches(s.steps, s.global_n, s.T, s.shape.num_words);
  const std::vector<float> ref = single_process(s, batches);
  const std::vector<float> got = data_parallel(s, batches, rmsprop_options(s));
  ASSERT_EQ(ref.size(), got.size());
  double worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i)
    worst = std::max(worst, double(std::abs(ref[i] - got[i])));
  if (mpi().is_root()) std::printf("ranks %d: max abs difference %.3g\n", mpi().size(), worst);
  EXPECT_LT(worst, 1e-5) << "ranks " << mpi().size();
  // The parameters moved (the test is not comparing two untouched initialisations).
  SentimentModel model(s.shape);
  std::vector<float> init(ref.size());
  keras_initialize(s.shape, model.layout(), 7, init.data());
  double moved = 0;
  for (std::size_t i = 0; i < ref.size(); ++i)
    moved = std::max(moved, double(std::abs(ref[i] - init[i])));
  EXPECT_GT(moved, 1e-3);
}

TEST(DataParallelTest, AdamWithClippingAndWarmupMatchesSingleProcessTraining) {
  // The same comparison for Adam: the norm is summed in another order at P ranks (over the
  // packed rows) and the gradients differ by rounding, so the clip factor differs by about
  // 1e-7 relative too. Adam moves a weight by about lr per step whatever the gradient's size;
  // rounding changes that move only in proportion (1e-7 relative), except where a gradient
  // entry is at rounding level, where the step is lr_t * m / eps, tiny. Measured: 3e-8 at 2 and
  // 4 ranks; leaving out the clip moves weights by 5e-4, the warm-up by about lr = 2e-3.
  // Through the allreduce of the union and through the sparse allgather (which Adam's dense
  // update can use as well: an untouched row's gradient is zero on every rank either way).
  const Scenario s;
  StepOptions o = adam_options();
  const std::vector<Batch> batches = make_batches(s.steps, s.global_n, s.T, s.shape.num_words);
  int clipped = 0;
  const std::vector<float> ref = single_process_adam(s, o, batches, &clipped);
  EXPECT_GE(clipped, 1) << "the threshold never bit: the test would not see clipping";
  EXPECT_LT(clipped, s.steps) << "every step clipped: the test would not see the threshold";
  for (bool sparse : {false, true}) {
    o.sparse_exchange = sparse;
    const std::vector<float> got = data_parallel(s, batches, o);
    ASSERT_EQ(ref.size(), got.size());
    double worst = 0;
    for (std::size_t i = 0; i < ref.size(); ++i)
      worst = std::max(worst, double(std::abs(ref[i] - got[i])));
    if (mpi().is_root())
      std::printf("adam, ranks %d%s: max abs difference %.3g (%d of %d steps clipped)\n",
                  mpi().size(), sparse ? ", sparse" : "", worst, clipped, s.steps);
    EXPECT_LT(worst, 1e-5) << "ranks " << mpi().size() << (sparse ? ", sparse" : "");
    // And every rank holds the same bits.
    std::vector<float> roots = got;
    mpi().broadcast(roots.data(), roots.size());
    double mismatches = 0;
    for (std::size_t i = 0; i < got.size(); ++i) mismatches += got[i] != roots[i];
    mpi().allreduce_sum(&mismatches, 1);
    EXPECT_EQ(mismatches, 0.0) << "parameters differ between ranks";
  }
}

// Every cell, direction and depth, with dropout: P ranks equal one (the dropout mask of a
// review depends on its global row, not on the rank that computes it).
TEST(DataParallelTest, LstmGruBidirectionalStackedWithDropoutMatchSingleProcess) {
  struct Variant {
    CellKind cell;
    bool bidirectional;
    int layers;
    float dropout;
    float projection = 0;  // projection dropout (with word dropout: the token-table path)
    float weights = 0;     // embedding weight dropout (likewise)
    int bigrams = 0;       // bigram buckets: rows no id names, touched through the hash
    int negation = 0;      // negation scope: more such rows, after the negator ids 3-9
  };
  for (const Variant v :
       {Variant{CellKind::lstm, true, 2, 0.3f}, Variant{CellKind::gru, false, 1, 0},
        Variant{CellKind::gru, true, 1, 0.5f}, Variant{CellKind::gru, true, 1, 0, 0.5f},
        Variant{CellKind::gru, true, 1, 0, 0, 0.5f},
        Variant{CellKind::gru, true, 1, 0.3f, 0, 0, 97},
        Variant{CellKind::gru, true, 1, 0.3f, 0, 0, 97, 3}}) {
    Scenario s;
    s.shape.bigram_buckets = v.bigrams;
    s.shape.negation_scope = v.negation;
    if (v.negation > 0) s.shape.negators = {3, 4, 5, 6, 7, 8, 9};
    s.shape.cell = v.cell;
    s.shape.bidirectional = v.bidirectional;
    s.shape.layers = v.layers;
    const std::vector<Batch> batches = make_batches(s.steps, s.global_n, s.T, s.shape.num_words);
    // Whole-token dropout rides along with the element dropout (same hash, global rows).
    const float word = v.dropout > 0 || v.projection > 0 || v.weights > 0 ? 0.2f : 0.0f;
    const std::vector<float> ref =
        single_process(s, batches, v.dropout, word, v.projection, v.weights);
    StepOptions o = rmsprop_options(s);
    o.dropout = v.dropout;
    o.word_dropout = word;
    o.projection_dropout = v.projection;
    o.embedding_weight_dropout = v.weights;
    const std::vector<float> got = data_parallel(s, batches, o);
    ASSERT_EQ(ref.size(), got.size());
    double worst = 0;
    for (std::size_t i = 0; i < ref.size(); ++i)
      worst = std::max(worst, double(std::abs(ref[i] - got[i])));
    const std::string name = cell_name(v.cell) + (v.bidirectional ? " bidirectional" : "") + " x" +
                             std::to_string(v.layers) +
                             (v.bigrams > 0 ? ", " + std::to_string(v.bigrams) + " bigrams" : "") +
                             (v.negation > 0 ? ", negation " + std::to_string(v.negation) : "");
    if (mpi().is_root())
      std::printf("%s, dropout %.1f, projection dropout %.1f, ranks %d: max abs difference %.3g\n",
                  name.c_str(), double(v.dropout), double(v.projection), mpi().size(), worst);
    // Same bound and reasoning as for the SimpleRNN above.
    EXPECT_LT(worst, 1e-5) << name << ", ranks " << mpi().size();
    // Dropout really acted: without it the single process ends elsewhere.
    if (v.dropout > 0 || v.projection > 0 || v.weights > 0) {
      const std::vector<float> plain = single_process(s, batches, 0);
      double moved = 0;
      for (std::size_t i = 0; i < ref.size(); ++i)
        moved = std::max(moved, double(std::abs(ref[i] - plain[i])));
      EXPECT_GT(moved, 1e-4) << name;
    }
  }
}

// The sharded update (ZeRO stage 1), over MPI and through the shared-memory window, against
// every rank updating every row: the same parameters, norms and (after the gather a
// checkpoint does) RMSprop accumulators; bit for bit at P <= 2, where a reduce-scatter adds the
// same two terms as the allreduce, to rounding beyond. Clipping and a warm-up are on, so the
// norm and the scaled rows are compared too. The sparse allgather of each rank's own rows
// (replicated update, the rows summed in rank order) is held to the same bar.
enum class Exchange { replicated, sharded, shared_memory, sparse };

void expect_update_equals_the_replicated_one(Exchange exchange, int bigram_buckets = 0) {
  Scenario s;
  s.shape.bigram_buckets = bigram_buckets;
  const std::vector<Batch> batches = make_batches(s.steps, s.global_n, s.T, s.shape.num_words);
  StepOptions o = rmsprop_options(s);
  o.clipnorm = 0.5;
  o.learning_rate.warmup_steps = 3;
  struct Outcome {
    std::vector<float> params, accumulators;
    std::vector<double> norms;
  };
  auto train = [&](Exchange e) {
    o.shard_optimizer = e == Exchange::sharded;
    o.shared_memory_exchange = e == Exchange::shared_memory;
    o.sparse_exchange = e == Exchange::sparse;
    SentimentModel model(s.shape);
    const std::size_t n = model.layout().total();
    Outcome out;
    out.params.assign(n, 0);
    OptimizerState state = make_optimizer_state(o.optimizer.kind, n);
    keras_initialize(s.shape, model.layout(), 7, out.params.data());
    DataParallelStep step(model, mpi(), o);
    // Every rank of these tests is on one host, so the window must open there.
    if (e == Exchange::shared_memory && mpi().size() > 1) {
      EXPECT_EQ(step.exchange_name(), "shared memory (one host)");
    }
    if (e == Exchange::sparse && mpi().size() > 1) {
      EXPECT_EQ(step.exchange_name(), "sparse allgather over MPI");
    }
    std::int64_t global_step = 0;
    for (const Batch& b : batches) {
      const auto [begin, end] = rank_share(std::size_t(s.global_n), mpi().rank(), mpi().size());
      out.norms.push_back(step.run(b.ids.data() + begin * std::size_t(s.T), b.labels.data() + begin,
                                   end - begin, std::size_t(s.global_n), s.T, ++global_step,
                                   out.params.data(), state)
                              .grad_norm);
    }
    step.flush_optimizer(state);
    out.accumulators = state.accumulators;
    return out;
  };
  const Outcome replicated = train(Exchange::replicated), sharded = train(exchange);
  const double tolerance = mpi().size() <= 2 ? 0.0 : 1e-6;
  auto worst = [](const auto& a, const auto& b) {
    double w = 0;
    for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, double(std::abs(a[i] - b[i])));
    return w;
  };
  ASSERT_EQ(replicated.params.size(), sharded.params.size());
  EXPECT_LE(worst(replicated.params, sharded.params), tolerance) << "ranks " << mpi().size();
  EXPECT_LE(worst(replicated.accumulators, sharded.accumulators), tolerance);
  EXPECT_LE(worst(replicated.norms, sharded.norms), tolerance * 10);
  int clipped = 0;
  for (double norm : replicated.norms) clipped += norm > o.clipnorm;
  EXPECT_GE(clipped, 1) << "clipping never bit: the test would not see the scaled rows";
  // Every rank holds the same parameters and, after the gather, the same accumulators.
  std::vector<float> roots = sharded.params, root_acc = sharded.accumulators;
  mpi().broadcast(roots.data(), roots.size());
  mpi().broadcast(root_acc.data(), root_acc.size());
  double mismatches = 0;
  for (std::size_t i = 0; i < roots.size(); ++i) mismatches += roots[i] != sharded.params[i];
  for (std::size_t i = 0; i < root_acc.size(); ++i)
    mismatches += root_acc[i] != sharded.accumulators[i];
  mpi().allreduce_sum(&mismatches, 1);
  EXPECT_EQ(mismatches, 0.0);
}

TEST(DataParallelTest, ShardedUpdateEqualsTheReplicatedOne) {
  expect_update_equals_the_replicated_one(Exchange::sharded);
}

TEST(DataParallelTest, SharedMemoryExchangeEqualsTheReplicatedOne) {
  expect_update_equals_the_replicated_one(Exchange::shared_memory);
}

TEST(DataParallelTest, SparseExchangeEqualsTheReplicatedOne) {
  expect_update_equals_the_replicated_one(Exchange::sparse);
}

TEST(DataParallelTest, ShardedAndSharedMemoryExchangesWithBigramsEqualTheReplicatedOne) {
  expect_update_equals_the_replicated_one(Exchange::sharded, 97);
  expect_update_equals_the_replicated_one(Exchange::shared_memory, 97);
  expect_update_equals_the_replicated_one(Exchange::sparse, 97);
}

// A step that goes non-finite on one rank only is skipped by every rank alike, and an update
// that overflows the parameters is reported by every rank, through the window or the sparse
// allgather as through the allreduce.
void expect_exchange_agrees_on_non_finite_steps(Exchange exchange) {
  const Scenario s;
  const std::vector<Batch> batches = make_batches(4, s.global_n, s.T, s.shape.num_words);
  auto train = [&](bool other) {
    StepOptions o = rmsprop_options(s);
    o.shared_memory_exchange = other && exchange == Exchange::shared_memory;
    o.sparse_exchange = other && exchange == Exchange::sparse;
    SentimentModel model(s.shape);
    const std::size_t n = model.layout().total();
    std::vector<float> params(n, 0);
    OptimizerState state = make_optimizer_state(o.optimizer.kind, n);
    keras_initialize(s.shape, model.layout(), 7, params.data());
    DataParallelStep step(model, mpi(), o);
    std::vector<StepStats> stats;
    std::vector<float> before_overflow;
    for (std::size_t k = 0; k < batches.size(); ++k) {
      const Batch& b = batches[k];
      if (k == 1 && mpi().rank() == mpi().size() - 1) step.poison_next_gradient();
      if (k == 3) {
        before_overflow = params;
        step.set_learning_rate(3e38);  // overflows the updated rows
      }
      const auto [begin, end] = rank_share(std::size_t(s.global_n), mpi().rank(), mpi().size());
      stats.push_back(step.run(b.ids.data() + begin * std::size_t(s.T), b.labels.data() + begin,
                               end - begin, std::size_t(s.global_n), s.T, std::int64_t(k + 1),
                               params.data(), state));
    }
    return std::make_pair(before_overflow, stats);
  };
  const auto [plain, plain_stats] = train(false);
  const auto [shared, shared_stats] = train(true);
  for (std::size_t k = 0; k < plain_stats.size(); ++k) {
    EXPECT_EQ(shared_stats[k].finite, plain_stats[k].finite) << "step " << k + 1;
    EXPECT_EQ(shared_stats[k].params_finite, plain_stats[k].params_finite) << "step " << k + 1;
  }
  EXPECT_FALSE(shared_stats[1].finite) << "the poisoned step was applied";
  EXPECT_TRUE(shared_stats[2].finite && shared_stats[2].params_finite);
  EXPECT_FALSE(shared_stats[3].params_finite) << "the overflow went unseen";
  // Up to the overflow the two exchanges hold the same parameters (bit for bit at P <= 2).
  double worst = 0;
  for (std::size_t i = 0; i < plain.size(); ++i)
    worst = std::max(worst, double(std::abs(plain[i] - shared[i])));
  EXPECT_LE(worst, mpi().size() <= 2 ? 0.0 : 1e-6);
}

TEST(DataParallelTest, SharedMemoryExchangeAgreesOnNonFiniteSteps) {
  expect_exchange_agrees_on_non_finite_steps(Exchange::shared_memory);
}

TEST(DataParallelTest, SparseExchangeAgreesOnNonFiniteSteps) {
  expect_exchange_agrees_on_non_finite_steps(Exchange::sparse);
}

TEST(DataParallelTest, EveryRankHoldsIdenticalParameters) {
  const Scenario s;
  const std::vector<Batch> batches = make_batches(s.steps, s.global_n, s.T, s.shape.num_words);
  const std::vector<float> mine = data_parallel(s, batches, rmsprop_options(s));
  std::vector<float> roots = mine;
  mpi().broadcast(roots.data(), roots.size());
  double mismatches = 0;
  for (std::size_t i = 0; i < mine.size(); ++i) mismatches += mine[i] != roots[i];  // bitwise
  mpi().allreduce_sum(&mismatches, 1);
  EXPECT_EQ(mismatches, 0.0) << "parameters differ between ranks";
}

}  // namespace
}  // namespace rnnsent
