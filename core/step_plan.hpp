// Which rows the recurrent engine computes at each step. With 'pre' padding a review of L real
// tokens spends its first T - L steps reading padding from the initial state, and while it does
// its state is the same as every other row's still in padding: the padding trajectory. When
// every row's input at a padding step is the same (no per-row dropout there), the engine
// computes that trajectory once, as one extra row (slot 0), and each review only from its first
// real token on. IMDB's training reviews average 220 of 500 tokens, so a batch's steps then
// touch about 45% of the rows they would otherwise.
//
// Slots are the rows of the engine's blocks: slot 0 the padding trajectory, slots 1..n the
// caller's rows sorted by lead (their count of padding steps), so the rows computed at step t
// are always the first width(t) slots, a block that only grows with t. Block t of the states
// (h_t, the input of step t) sits at packed row offset(t); the states are stored packed, so
// dU is still one GEMM over every computed row. Without a lead the plan is the plain one: n
// slots, every one computed at every step, block t at t * n.
#pragma once

#include <cstddef>
#include <vector>

namespace rnnsent {

class StepPlan {
 public:
  // lead [n] or null (the plain plan, also for n = 0): row i reads padding at steps
  // t < lead[i], lead in [0, T].
  void build(int T, int n, const int* lead);

  bool packed() const { return packed_; }
  int slots() const { return slots_; }  // n, or n + 1 with the padding slot
  // Slots computed at step t, t in [0, T]; width(T) = slots() (the final states).
  int width(int t) const { return width_[std::size_t(t)]; }
  std::size_t offset(int t) const {
    return offset_[std::size_t(t)];
  }                                                    // first packed row of block t
  std::size_t rows() const { return offset_.back(); }  // packed rows of blocks 0..T-1
  // The caller's row in slot k (k >= 1 when packed; slot 0 is the padding trajectory).
  int row(int k) const { return row_[std::size_t(k)]; }
  int slot_of(int i) const { return slot_of_[std::size_t(i)]; }
  // A caller row still in padding at step t, or -1 when none is: its input is the padding
  // trajectory's at that step, and its d(input) slot takes the trajectory's gradient.
  int padding_row(int t) const {
    const int k = width(t);
    return k < slots_ ? row(k) : -1;
  }

 private:
  bool packed_ = false;
  int slots_ = 0;
  std::vector<int> width_, row_, slot_of_;
  std::vector<std::size_t> offset_;  // [T + 1]: offset(T) = rows()
};

}  // namespace rnnsent
