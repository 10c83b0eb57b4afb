// Keras GRU with reset_after=True (PyTorch's GRU, oneDNN's linear-before-reset GRU), gates
// z, r, n, an input bias and a recurrent bias ([2, 3H]):
//   z = sigmoid(xW_z + hU_z + br_z); r likewise; hn = hU_n + br_n; n = tanh(xW_n + r hn);
//   h = z h_{t-1} + (1 - z) n.
// The reset gate scales the recurrent part of n only, so d(xW_n) = dn but d(hU_n) = dn r, and
// h_{t-1} reaches h_t directly through z as well as through U. The tape keeps z, r, n, hn.
#include <cstddef>

#include "core/cell.hpp"
#include "core/fast_math.hpp"
#include "core/isa_clones.hpp"

namespace rnnsent {
namespace {

__attribute__((always_inline)) inline void forward_body(const CellForward& s) {
  const int H = s.H;
  const float* __restrict rb = s.rb;
  for (int r = 0; r < s.n; ++r) {
    const float* __restrict x = s.x[r];
    const float* __restrict hu = s.hu + std::size_t(r) * 3 * H;
    const float* __restrict hp = s.h_prev + std::size_t(r) * H;
    float* __restrict h = s.h + std::size_t(r) * H;
    float* __restrict tape = s.tape + std::size_t(r) * 4 * H;
    #pragma omp simd
    for (int j = 0; j < H; ++j) {
      const float z = fast::sigmoid(x[j] + hu[j] + rb[j]);
      const float rr = fast::sigmoid(x[H + j] + hu[H + j] + rb[H + j]);
      const float hn = hu[2 * H + j] + rb[2 * H + j];
      const float nn = fast::tanh(x[2 * H + j] + rr * hn);
      h[j] = z * hp[j] + (1.0f - z) * nn;
      tape[j] = z;
      tape[H + j] = rr;
      tape[2 * H + j] = nn;
      tape[3 * H + j] = hn;
    }
  }
}

__attribute__((always_inline)) inline void backward_body(const CellBackward& s) {
  const int H = s.H;
  for (int r = 0; r < s.n; ++r) {
    const float* __restrict tape = s.tape + std::size_t(r) * 4 * H;
    const float* __restrict hp = s.h_prev + std::size_t(r) * H;
    const float* __restrict dh = s.dh + std::size_t(r) * H;
    float* __restrict dx = s.dx[r];
    float* __restrict du = s.dhu + std::size_t(r) * 3 * H;
    float* __restrict dhp = s.dh_prev + std::size_t(r) * H;
    #pragma omp simd
    for (int j = 0; j < H; ++j) {
      const float z = tape[j], rr = tape[H + j], nn = tape[2 * H + j], hn = tape[3 * H + j];
      const float dn = dh[j] * (1.0f - z) * (1.0f - nn * nn);
      const float dz = dh[j] * (hp[j] - nn) * z * (1.0f - z);
      const float dr = dn * hn * rr * (1.0f - rr);
      dx[j] = du[j] = dz;
      dx[H + j] = du[H + j] = dr;
      dx[2 * H + j] = dn;
      du[2 * H + j] = dn * rr;
      dhp[j] = dh[j] * z;
    }
  }
}

RNNSENT_ISA_CLONES(forward_rows, forward_body, CellForward)
RNNSENT_ISA_CLONES(backward_rows, backward_body, CellBackward)

class GruCell final : public Cell {
 public:
  int gates() const override { return 3; }
  int tape_width(int H) const override { return 4 * H; }
  bool recurrent_bias() const override { return true; }
  bool input_grad_is_recurrent_grad() const override { return false; }
  bool direct_state_grad() const override { return true; }
  void forward(const CellForward& s) const override { forward_rows(s); }
  void backward(const CellBackward& s) const override { backward_rows(s); }
};

}  // namespace

const Cell& gru_cell() {
  static const GruCell cell;
  return cell;
}

}  // namespace rnnsent
