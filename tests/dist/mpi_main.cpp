// gtest main for tests run under mpirun: one MPI session for the process, and only rank 0
// prints results (other ranks' failures still fail the job through their exit code).
#include <gtest/gtest.h>

#include "tests/dist/mpi_session.hpp"

namespace rnnsent::testing_support {

dist::Session* global_session = nullptr;

}  // namespace rnnsent::testing_support

int main(int argc, char** argv) {
  rnnsent::dist::Session session(&argc, &argv);
  rnnsent::testing_support::global_session = &session;
  testing::InitGoogleTest(&argc, argv);
  if (!session.is_root()) {
    testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS();
  // Every rank must agree the run passed: a failure on any rank fails all.
  double any_failed = failed ? 1.0 : 0.0;
  session.allreduce_sum(&any_failed, 1);
  if (session.is_root() && any_failed > 0 && !failed)
    std::fprintf(stderr, "a test failed on another rank\n");
  return any_failed > 0 ? 1 : 0;
}
