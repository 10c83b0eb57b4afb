// MPI start-up, shutdown and the few collectives training needs, over plain float/double
// spans. Works as a singleton (a plain `rnnsent_train` with no mpirun is a 1-rank job) and
// under mpirun or srun. Knows nothing about layers or models.
#pragma once

#include <cstddef>

namespace rnnsent::dist {

class Session {
 public:
  Session(int* argc, char*** argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  // In-place sum over all ranks.
  void allreduce_sum(float* data, std::size_t n) const;
  void allreduce_sum(double* data, std::size_t n) const;
  // Copies root's data to every rank.
  void broadcast(float* data, std::size_t n, int root = 0) const;
  void broadcast(int* data, std::size_t n, int root = 0) const;
  void broadcast(char* data, std::size_t n, int root = 0) const;
  // The smallest of every rank's value.
  int allreduce_min(int value) const;
  void barrier() const;
  // Throws when the launch cannot be what the user meant: srun started several processes
  // without an MPI plugin (each then sees itself as rank 0 of 1 while SLURM_STEP_NUM_TASKS > 1).
  void check_launch() const;
  // Ends every rank of the job with code: used when one rank fails, so no rank hangs.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace rnnsent::dist
