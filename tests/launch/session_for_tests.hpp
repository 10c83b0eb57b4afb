// One MPI session per test process (MPI may be initialised only once): a 1-rank job.
#pragma once

#include "dist/session.hpp"

namespace rnnsent::testing_support {

inline const dist::Session& session() {
  static int argc = 1;
  static char name[] = "rnnsent_tests";
  static char* args[] = {name, nullptr};
  static char** argv = args;
  static dist::Session s(&argc, &argv);
  return s;
}

}  // namespace rnnsent::testing_support
