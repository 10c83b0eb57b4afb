// MPI start-up, shutdown and the few collectives training needs, over plain float/double
// spans. Works as a singleton (a plain `rnnsent_train` with no mpirun is a 1-rank job) and
// under mpirun or srun. Knows nothing about layers or models.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

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
  // The sharded exchange (ZeRO stage 1). data is every rank's blocks back to back, block r of
  // counts[r] elements; block `rank()` of their sum over all ranks lands in mine.
  void reduce_scatter_sum(const float* data, float* mine, const std::vector<int>& counts) const;
  // The reverse: every rank's block (this rank's from mine, counts[rank()] elements) back to
  // back in all, on every rank.
  void allgather(const float* mine, float* all, const std::vector<int>& counts) const;
  void allgather(const double* mine, double* all, const std::vector<int>& counts) const;
  // Raw bytes, counts[r] of them from rank r (every rank's buffer may differ in size): the
  // sparse exchange's packed rows. Homogeneous hosts only, as everything else here.
  void allgather_bytes(const void* mine, void* all, const std::vector<int>& counts) const;
  // Every rank's value, in rank order.
  std::vector<int> allgather_int(int value) const;
  // Copies root's data to every rank.
  void broadcast(float* data, std::size_t n, int root = 0) const;
  void broadcast(int* data, std::size_t n, int root = 0) const;
  void broadcast(char* data, std::size_t n, int root = 0) const;
  // The smallest of every rank's value.
  int allreduce_min(int value) const;
  void barrier() const;
  // A barrier inside a training step: waited for within the step's deadline (begin_step), so a
  // silent rank ends it with LostPeer naming `what`.
  void step_barrier(const char* what) const;
  // Throws when the launch cannot be what the user meant: srun started several processes
  // without an MPI plugin (each then sees itself as rank 0 of 1 while SLURM_STEP_NUM_TASKS > 1).
  void check_launch() const;
  // Ends every rank of the job with code: used when one rank fails, so no rank hangs.
  [[noreturn]] void abort(int code) const;

  // A deadline for the allreduces of one training step (0 = none: wait as long as MPI does).
  // Each rank first tells rank 0 that it reached the step (a small message, not a collective),
  // so when an allreduce is not done in time rank 0 can name the ranks it never heard from; the
  // allreduce then throws LostPeer instead of blocking until TCP gives up (many minutes on a
  // cut link). launch/lib/peer_deadline.hpp chooses the seconds from the measured step times.
  void begin_step(long long step, double deadline_seconds) const;
  void end_step() const { deadline_ = 0; }

 private:
  void sum_in_place(void* data, std::size_t n, std::size_t element) const;
  // element: 1 (bytes), sizeof(float) or sizeof(double).
  void gather_blocks(const void* mine, void* all, const std::vector<int>& counts,
                     std::size_t element) const;
  void wait(void* request, const char* what) const;  // MPI_Request*: polls within the deadline
  // allgather_bytes' ring: every rank, grouped by host (the hosts in the order of their lowest
  // rank, rank order within a host), so a block crosses each link between hosts once whatever
  // mapping the launcher chose. Set up by the constructor (a collective) when size_ > 1.
  std::vector<int> ring_;
  void order_ring();
  void poll_presence() const;
  int rank_ = 0;
  int size_ = 1;
  // The step's deadline state: mutable, as the collectives that read it are const.
  mutable long long step_ = 0;
  mutable double deadline_ = 0, step_start_ = 0;
  struct Presence;
  mutable Presence* presence_ = nullptr;  // rank 0's view of who reached which step
};

// An allreduce missed its deadline: a rank or its host went silent.
class LostPeer : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rnnsent::dist
