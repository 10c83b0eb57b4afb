// TableProjection and DenseProjection: see the header.
#include "core/input_projection.hpp"

#include <algorithm>

#include "core/gemm.hpp"

namespace rnnsent {
namespace {

void grow(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

}  // namespace

void point_rows(float* base, int T, int n, int width, const int* slots, const TimeSpan* spans,
                std::vector<float*>& out) {
  out.resize(std::size_t(T) * std::size_t(n));
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i) {
      const int s = spans ? reversed_step(spans[i], t) : t;
      const std::size_t at = std::size_t(s) * std::size_t(n) + std::size_t(i);
      const std::size_t row = slots ? std::size_t(slots[at]) : at;
      out[std::size_t(t) * std::size_t(n) + std::size_t(i)] = base + row * std::size_t(width);
    }
}

void TableProjection::forward(const TokenSet& tokens, const float* W, const float* b, int GH,
                              const TimeSpan* spans) {
  GH_ = GH;
  spans_ = spans;
  const int K = tokens.K(), T = tokens.T, n = tokens.n;
  table_.resize((std::size_t(K) + 1) * std::size_t(GH));
  for (int k = 0; k <= K; ++k) std::copy(b, b + GH, table_.begin() + std::ptrdiff_t(k) * GH);
  // Row 0 unscaled when it is padding under word dropout (TokenSet::unscaled_first).
  const int first = tokens.unscaled_first ? 1 : 0, E = tokens.E;
  if (first) sgemm('N', 'N', 1, GH, E, 1.0f, tokens.rows.data(), E, W, GH, 1.0f, table_.data(), GH);
  if (K > first)
    sgemm('N', 'N', K - first, GH, E, tokens.scale, tokens.rows.data() + std::size_t(first) * E, E,
          W, GH, 1.0f, table_.data() + std::size_t(first) * GH, GH);
  // The table row each (step, row) reads, in reading order.
  order_.resize(std::size_t(T) * std::size_t(n));
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i) {
      const int s = spans ? reversed_step(spans[i], t) : t;
      order_[std::size_t(t) * std::size_t(n) + std::size_t(i)] =
          tokens.slot[std::size_t(s) * std::size_t(n) + std::size_t(i)];
    }
  rows_.resize(order_.size());
  for (std::size_t r = 0; r < order_.size(); ++r)
    rows_[r] = table_.data() + std::size_t(order_[r]) * std::size_t(GH);
}

float* const* TableProjection::grad_rows() {
  grow(grad_, order_.size() * std::size_t(GH_));
  grad_rows_.resize(order_.size());
  for (std::size_t r = 0; r < order_.size(); ++r) grad_rows_[r] = grad_.data() + r * GH_;
  return grad_rows_.data();
}

void TableProjection::backward(TokenSet& tokens, const float* dxp, const float* W, float* dW,
                               float* db, const StepPlan* plan) {
  const int K = tokens.K(), GH = GH_;
  dtable_.assign((std::size_t(K) + 1) * std::size_t(GH), 0.0f);
  const auto add = [&](std::size_t r) {
    float* to = dtable_.data() + std::size_t(order_[r]) * std::size_t(GH);
    const float* from = dxp + r * std::size_t(GH);
    for (int j = 0; j < GH; ++j) to[j] += from[j];
  };
  // Sum d(pre) per table row, in reading order (deterministic).
  if (!plan || !plan->packed()) {
    for (std::size_t r = 0; r < order_.size(); ++r) add(r);
  } else {  // the rows past their padding, and the one holding the padding trajectory's
    const int n = tokens.n;
    for (int t = 0; t < tokens.T; ++t) {
      const std::size_t at = std::size_t(t) * std::size_t(n);
      const int pad = plan->padding_row(t);
      if (pad >= 0) add(at + std::size_t(pad));
      for (int k = 1; k < plan->width(t); ++k) add(at + std::size_t(plan->row(k)));
    }
  }
  if (db) add_column_sums(dtable_.data(), K + 1, GH, db);
  // dW += scale E[touched]^T d(table); d(E[touched]) += scale d(table) W^T.
  const int first = tokens.unscaled_first ? 1 : 0, E = tokens.E;
  if (first) {
    sgemm('T', 'N', E, GH, 1, 1.0f, tokens.rows.data(), E, dtable_.data(), GH, 1.0f, dW, GH);
    sgemm('N', 'T', 1, E, GH, 1.0f, dtable_.data(), GH, W, GH, 1.0f, tokens.demb.data(), E);
  }
  if (K > first) {
    const std::size_t r = std::size_t(first);
    sgemm('T', 'N', E, GH, K - first, tokens.scale, tokens.rows.data() + r * E, E,
          dtable_.data() + r * GH, GH, 1.0f, dW, GH);
    sgemm('N', 'T', K - first, E, GH, tokens.scale, dtable_.data() + r * GH, GH, W, GH, 1.0f,
          tokens.demb.data() + r * E, E);
  }
}

void DenseProjection::forward(const float* X, int T, int n, int I, const float* W, const float* b,
                              int GH, const TimeSpan* spans, const StepPlan* plan) {
  T_ = T;
  n_ = n;
  I_ = I;
  GH_ = GH;
  X_ = X;
  spans_ = spans;
  plan_ = plan && plan->packed() ? plan : nullptr;
  if (plan_) {
    forward_packed(W, b);
    return;
  }
  const std::size_t R = std::size_t(T) * std::size_t(n);
  grow(P_, R * std::size_t(GH));
  for (std::size_t r = 0; r < R; ++r) std::copy(b, b + GH, P_.begin() + std::ptrdiff_t(r * GH));
  sgemm('N', 'N', std::int64_t(R), GH, I, X, I, W, GH, 1.0f, P_.data(), GH);
  std::vector<float*>& rows = rows_;
  point_rows(P_.data(), T, n, GH, nullptr, spans, rows);
}

// The rows the plan computes, in its order: at each step the padding trajectory's (one row
// still in padding, when one is) and then the rows past their padding. A reading position
// that is not projected points at its step's padding row: the same input, so the same values.
void DenseProjection::forward_packed(const float* W, const float* b) {
  const StepPlan& P = *plan_;
  const int T = T_, n = n_;
  source_.clear();
  row_of_.assign(std::size_t(T) * std::size_t(n), 0);
  for (int t = 0; t < T; ++t) {
    const std::size_t at = std::size_t(t) * std::size_t(n), first = source_.size();
    const auto project = [&](int i) {
      const int s = spans_ ? reversed_step(spans_[i], t) : t;
      row_of_[at + std::size_t(i)] = source_.size();
      source_.push_back(std::size_t(s) * std::size_t(n) + std::size_t(i));
    };
    const int pad = P.padding_row(t);
    if (pad >= 0) project(pad);
    for (int k = 1; k < P.width(t); ++k) project(P.row(k));
    for (int k = P.width(t) + 1; k < P.slots(); ++k) row_of_[at + std::size_t(P.row(k))] = first;
  }
  const std::size_t R = source_.size(), I = std::size_t(I_), GH = std::size_t(GH_);
  grow(Xp_, R * I);
  for (std::size_t r = 0; r < R; ++r)
    std::copy(X_ + source_[r] * I, X_ + (source_[r] + 1) * I, Xp_.begin() + std::ptrdiff_t(r * I));
  grow(P_, R * GH);
  for (std::size_t r = 0; r < R; ++r) std::copy(b, b + GH, P_.begin() + std::ptrdiff_t(r * GH));
  sgemm('N', 'N', std::int64_t(R), GH_, I_, Xp_.data(), I_, W, GH_, 1.0f, P_.data(), GH_);
  rows_.resize(row_of_.size());
  for (std::size_t q = 0; q < row_of_.size(); ++q) rows_[q] = P_.data() + row_of_[q] * GH;
}

float* const* DenseProjection::grad_rows() {
  if (plan_) {
    grow(grad_, source_.size() * std::size_t(GH_));
    grad_rows_.resize(row_of_.size());
    for (std::size_t q = 0; q < row_of_.size(); ++q)
      grad_rows_[q] = grad_.data() + row_of_[q] * std::size_t(GH_);
    return grad_rows_.data();
  }
  grow(grad_, std::size_t(T_) * std::size_t(n_) * std::size_t(GH_));
  point_rows(grad_.data(), T_, n_, GH_, nullptr, spans_, grad_rows_);
  return grad_rows_.data();
}

void DenseProjection::backward(const float* dP, const float* W, float* dW, float* db, float* dX,
                               bool accumulate) {
  if (plan_) {
    const std::int64_t R = std::int64_t(source_.size());
    const std::size_t I = std::size_t(I_);
    sgemm('T', 'N', I_, GH_, R, Xp_.data(), I_, dP, GH_, 1.0f, dW, GH_);
    if (db) add_column_sums(dP, R, GH_, db);
    grow(dXp_, std::size_t(R) * I);
    sgemm('N', 'T', R, I_, GH_, dP, GH_, W, GH_, 0.0f, dXp_.data(), I_);
    if (!accumulate) std::fill(dX, dX + std::size_t(T_) * std::size_t(n_) * I, 0.0f);
    for (std::size_t r = 0; r < std::size_t(R); ++r) {
      float* to = dX + source_[r] * I;
      const float* from = dXp_.data() + r * I;
      for (std::size_t e = 0; e < I; ++e) to[e] += from[e];
    }
    return;
  }
  const std::int64_t R = std::int64_t(T_) * n_;
  sgemm('T', 'N', I_, GH_, R, X_, I_, dP, GH_, 1.0f, dW, GH_);
  if (db) add_column_sums(dP, R, GH_, db);
  sgemm('N', 'T', R, I_, GH_, dP, GH_, W, GH_, accumulate ? 1.0f : 0.0f, dX, I_);
}

}  // namespace rnnsent
