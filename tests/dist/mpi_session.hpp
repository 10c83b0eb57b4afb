// The MPI session of a test binary run under mpirun (set up by mpi_main.cpp).
#pragma once

#include "dist/session.hpp"

namespace rnnsent::testing_support {

extern dist::Session* global_session;
inline const dist::Session& mpi() { return *global_session; }

}  // namespace rnnsent::testing_support
