// A recurrent cell: the gate arithmetic of one time step for a block of rows, forward and
// backward, plus what the rest of the model needs to know about it (gate count, bias layout,
// Keras's bias initialiser). The matrix products around it (x W and h U) are the recurrent
// engine's (core/recurrent_direction.hpp), so a cell is only element-wise work; each cell lives
// in one file, core/cell_<name>.cpp. Pre-activations are a = (x W + b_in) + (h U [+ b_rec]) per
// gate block of H, in Keras's gate order; layouts are row-major [rows, ...].
#pragma once

#include "core/model_shape.hpp"

namespace rnnsent {

struct CellForward {
  int n = 0, H = 0;
  const float* const* x = nullptr;  // n row pointers: each row's input projection [G*H]
  const float* hu = nullptr;        // [n, G*H] h_{t-1} U
  const float* rb = nullptr;        // [G*H] recurrent bias (recurrent_bias() cells), else null
  const float* h_prev = nullptr;    // [n, H]
  const float* c_prev = nullptr;    // [n, H] (has_cell_state() cells)
  float* h = nullptr;               // [n, H] out
  float* c = nullptr;               // [n, H] out (has_cell_state() cells)
  float* tape = nullptr;            // [n, tape_width(H)] out: what backward reads
};

struct CellBackward {
  int n = 0, H = 0;
  const float* tape = nullptr;  // the step's forward tape
  const float* h_prev = nullptr;
  const float* h = nullptr;
  const float* c_prev = nullptr;
  const float* c = nullptr;
  const float* dh = nullptr;  // [n, H] dL/dh_t, everything that reaches the step's output
  float* dc = nullptr;        // [n, H] in: dL/dc_t from step t + 1; out: dL/dc_{t-1}
  float* const* dx = nullptr;  // n row pointers for d(input projection) [G*H], or null when
                               // input_grad_is_recurrent_grad() and the caller reads dhu
  float* dhu = nullptr;        // [n, G*H] out: d(h_{t-1} U [+ b_rec])
  float* dh_prev = nullptr;    // [n, H] out (direct_state_grad() cells): dL/dh_{t-1} not via U
};

class Cell {
 public:
  virtual ~Cell() = default;
  virtual int gates() const = 0;
  virtual bool has_cell_state() const { return false; }  // LSTM's c beside h
  virtual int tape_width(int H) const = 0;
  virtual bool recurrent_bias() const { return false; }  // bias [2, G*H]: input, then recurrent
  virtual bool input_grad_is_recurrent_grad() const { return true; }  // d(xW) == d(hU)
  virtual bool direct_state_grad() const { return false; }  // h_{t-1} reaches h_t not only via U
  virtual void init_bias(int H, float* bias) const;          // Keras's default: zeros
  virtual void forward(const CellForward& s) const = 0;
  virtual void backward(const CellBackward& s) const = 0;
};

// The cell of a kind; one static object per kind, shared by every layer.
const Cell& cell_for(CellKind kind);

const Cell& simple_rnn_cell();
const Cell& lstm_cell();
const Cell& gru_cell();

}  // namespace rnnsent
