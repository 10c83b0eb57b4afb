// TokenTableRnn: see the header for why. Per call: the distinct tokens (in order of first
// appearance, so results do not depend on hashing), their table rows E[v] W + b by one sgemm,
// then per step: gather each row's table row into the step's state slot and run
// h_t = tanh(h_{t-1} U + slot) as one matmul with a sum and a tanh post-op.
// Backward walks the steps back with d(pre)_t = g_t (1 - h_t^2) and g_{t-1} = d(pre)_t U^T,
// then does the weight products once over all steps and all distinct tokens.
#include "core/token_table_rnn.hpp"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>

#include "core/onednn_memory.hpp"

namespace rnnsent {
namespace {

using dnnl::memory;

// Row-major C = alpha op(A) op(B) + beta C on oneDNN's JIT sgemm (single-threaded inside the
// caller's OpenMP region, as nested parallelism is off).
void sgemm(char ta, char tb, std::int64_t M, std::int64_t N, std::int64_t K, const float* A,
           std::int64_t lda, const float* B, std::int64_t ldb, float beta, float* C,
           std::int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (dnnl_sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc) != dnnl_success)
    throw std::runtime_error("TokenTableRnn: dnnl_sgemm failed (M " + std::to_string(M) + ", N " +
                             std::to_string(N) + ", K " + std::to_string(K) + ")");
}

// dst = tanh(src U + dst) for n rows: one matmul primitive per batch size, built once.
struct StepMatmul {
  dnnl::matmul primitive;
  memory src, weights, dst, scratch;
};

}  // namespace

struct TokenTableRnn::Impl {
  int V, E, H;
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  std::map<int, StepMatmul> steps;  // by n

  std::vector<int> slot_of;            // [V]: token -> its row in table, -1 when absent
  std::vector<std::int32_t> touched;   // distinct tokens, first appearance first
  std::vector<int> slots;              // [T, n] each step's table row (time-major)
  std::vector<float> rows;             // E[touched] [K, E]
  std::vector<float> table;            // E[touched] W + b [K, H]
  std::vector<float> h;                // [T + 1, n, H]: the zero state, then every step
  std::vector<float> dpre, g, dtable;  // [T, n, H], [n, H], [K, H]
  std::vector<float> demb;             // [K, E]
  int T = 0, n = 0;
  const float* W = nullptr;
  const float* U = nullptr;

  Impl(int vocabulary, int embedding_dim, int units)
      : V(vocabulary), E(embedding_dim), H(units), slot_of(std::size_t(vocabulary), -1) {}

  StepMatmul& step_for(int rows_n) {
    auto it = steps.find(rows_n);
    if (it != steps.end()) return it->second;
    const memory::dims a{rows_n, H}, w{H, H};
    const memory::desc src_md(a, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc w_md(w, memory::data_type::f32, memory::format_tag::ab);
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
    dnnl::primitive_attr attr = onednn::own_scratchpad();
    attr.set_post_ops(ops);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, w_md, src_md), attr, eng);
    StepMatmul s;
    s.primitive = dnnl::matmul(pd);
    s.src = memory(src_md, eng, DNNL_MEMORY_NONE);
    s.weights = memory(w_md, eng, DNNL_MEMORY_NONE);
    s.dst = memory(src_md, eng, DNNL_MEMORY_NONE);
    s.scratch = memory(pd.scratchpad_desc(), eng);
    return steps.emplace(rows_n, std::move(s)).first->second;
  }

  // The distinct tokens of ids [n, T], their time-major slots, and their table rows.
  void build_table(const std::int32_t* ids, const float* embedding, const float* Wk,
                   const float* b) {
    touched.clear();
    slots.resize(std::size_t(T) * std::size_t(n));
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < n; ++i) {
        const std::int32_t v = ids[std::size_t(i) * std::size_t(T) + std::size_t(t)];
        if (v < 0 || v >= V)
          throw std::runtime_error("TokenTableRnn: token id " + std::to_string(v) +
                                   " outside [0, " + std::to_string(V) + ")");
        int& s = slot_of[std::size_t(v)];
        if (s < 0) {
          s = int(touched.size());
          touched.push_back(v);
        }
        slots[std::size_t(t) * std::size_t(n) + std::size_t(i)] = s;
      }
    for (std::int32_t v : touched) slot_of[std::size_t(v)] = -1;  // ready for the next call
    const std::size_t K = touched.size();
    rows.resize(K * std::size_t(E));
    for (std::size_t k = 0; k < K; ++k)
      std::copy(embedding + std::size_t(touched[k]) * std::size_t(E),
                embedding + std::size_t(touched[k] + 1) * std::size_t(E),
                rows.begin() + std::ptrdiff_t(k * std::size_t(E)));
    table.resize(K * std::size_t(H));
    for (std::size_t k = 0; k < K; ++k)
      std::copy(b, b + H, table.begin() + std::ptrdiff_t(k * std::size_t(H)));
    sgemm('N', 'N', std::int64_t(K), H, E, rows.data(), E, Wk, H, 1.0f, table.data(), H);
  }

  // One step: to = tanh(from U + table rows of step t).
  void step(int t, const float* from, float* to, const float* Uk) {
    const int* s = slots.data() + std::size_t(t) * std::size_t(n);
    for (int i = 0; i < n; ++i)
      std::copy(table.begin() + std::ptrdiff_t(std::size_t(s[i]) * std::size_t(H)),
                table.begin() + std::ptrdiff_t(std::size_t(s[i] + 1) * std::size_t(H)),
                to + std::size_t(i) * std::size_t(H));
    StepMatmul& m = step_for(n);
    m.src.set_data_handle(const_cast<float*>(from));
    m.weights.set_data_handle(const_cast<float*>(Uk));
    m.dst.set_data_handle(to);
    m.primitive.execute(strm, {{DNNL_ARG_SRC, m.src},
                               {DNNL_ARG_WEIGHTS, m.weights},
                               {DNNL_ARG_DST, m.dst},
                               {DNNL_ARG_SCRATCHPAD, m.scratch}});
  }
};

TokenTableRnn::TokenTableRnn(int vocabulary, int embedding_dim, int units)
    : impl_(std::make_unique<Impl>(vocabulary, embedding_dim, units)) {}

TokenTableRnn::~TokenTableRnn() = default;

void TokenTableRnn::forward_training(int T, int n, const std::int32_t* ids, const float* embedding,
                                     const float* W, const float* U, const float* b,
                                     float* h_last) {
  Impl& m = *impl_;
  m.T = T;
  m.n = n;
  m.W = W;
  m.U = U;
  m.build_table(ids, embedding, W, b);
  const std::size_t nh = std::size_t(n) * std::size_t(m.H);
  m.h.resize((std::size_t(T) + 1) * nh);
  std::fill(m.h.begin(), m.h.begin() + std::ptrdiff_t(nh), 0.0f);
  for (int t = 0; t < T; ++t)
    m.step(t, m.h.data() + std::size_t(t) * nh, m.h.data() + (std::size_t(t) + 1) * nh, U);
  std::copy(m.h.begin() + std::ptrdiff_t(std::size_t(T) * nh),
            m.h.begin() + std::ptrdiff_t((std::size_t(T) + 1) * nh), h_last);
}

const float* TokenTableRnn::states() const {
  return impl_->h.data() + std::size_t(impl_->n) * std::size_t(impl_->H);
}

void TokenTableRnn::backward(const float* dh_last, const float* dstates, float* dW, float* dU,
                             float* db) {
  Impl& m = *impl_;
  const int T = m.T, n = m.n, H = m.H, E = m.E;
  const std::size_t nh = std::size_t(n) * std::size_t(H);
  m.dpre.resize(std::size_t(T) * nh);
  m.g.resize(nh);
  if (dh_last)
    std::copy(dh_last, dh_last + nh, m.g.begin());
  else
    std::fill(m.g.begin(), m.g.end(), 0.0f);
  for (int t = T - 1; t >= 0; --t) {
    const float* ht = m.h.data() + (std::size_t(t) + 1) * nh;
    const float* ds = dstates ? dstates + std::size_t(t) * nh : nullptr;
    float* dp = m.dpre.data() + std::size_t(t) * nh;
    for (std::size_t k = 0; k < nh; ++k) {
      const float gk = ds ? m.g[k] + ds[k] : m.g[k];
      dp[k] = gk * (1.0f - ht[k] * ht[k]);
    }
    // g_{t-1} = d(pre)_t U^T; not needed before the zero initial state.
    if (t > 0) sgemm('N', 'T', n, H, H, dp, H, m.U, H, 0.0f, m.g.data(), H);
  }
  // dU += sum_t h_{t-1}^T d(pre)_t: one product over all T n rows.
  sgemm('T', 'N', H, H, std::int64_t(T) * n, m.h.data(), H, m.dpre.data(), H, 1.0f, dU, H);
  // d(table) per distinct token; the bias gradient is its column sum.
  const std::size_t K = m.touched.size();
  m.dtable.assign(K * std::size_t(H), 0.0f);
  for (std::size_t r = 0, rows = std::size_t(T) * std::size_t(n); r < rows; ++r) {
    float* to = m.dtable.data() + std::size_t(m.slots[r]) * std::size_t(H);
    const float* from = m.dpre.data() + r * std::size_t(H);
    for (int j = 0; j < H; ++j) to[j] += from[j];
  }
  for (std::size_t k = 0; k < K; ++k)
    for (int j = 0; j < H; ++j) db[j] += m.dtable[k * std::size_t(H) + std::size_t(j)];
  // dW += E[touched]^T d(table); d(E[touched]) = d(table) W^T.
  sgemm('T', 'N', E, H, std::int64_t(K), m.rows.data(), E, m.dtable.data(), H, 1.0f, dW, H);
  m.demb.resize(K * std::size_t(E));
  sgemm('N', 'T', std::int64_t(K), E, H, m.dtable.data(), H, m.W, H, 0.0f, m.demb.data(), E);
}

const std::vector<std::int32_t>& TokenTableRnn::touched() const { return impl_->touched; }

const float* TokenTableRnn::embedding_grad() const { return impl_->demb.data(); }

void TokenTableRnn::forward_inference(int T, int n, const std::int32_t* ids, const float* embedding,
                                      const float* W, const float* U, const float* b, float* h_last,
                                      const float* h0, float* states) {
  Impl& m = *impl_;
  m.T = T;
  m.n = n;
  m.build_table(ids, embedding, W, b);
  const std::size_t nh = std::size_t(n) * std::size_t(m.H);
  // Two state buffers in turn, or the caller's [T, n, H].
  m.h.resize(2 * nh);
  float* prev = m.h.data();
  for (int i = 0; i < n; ++i) {
    float* row = prev + std::size_t(i) * std::size_t(m.H);
    if (h0)
      std::copy(h0, h0 + m.H, row);
    else
      std::fill(row, row + m.H, 0.0f);
  }
  const float* from = prev;
  for (int t = 0; t < T; ++t) {
    float* to = states ? states + std::size_t(t) * nh : m.h.data() + std::size_t((t + 1) % 2) * nh;
    m.step(t, from, to, U);
    from = to;
  }
  std::copy(from, from + nh, h_last);
}

}  // namespace rnnsent
