// Small oneDNN memory helpers shared by the recurrent layer's plans: per-primitive scratchpads,
// zeroed buffers, and weight / weight-gradient bindings that reorder only when the layout a
// primitive asks for differs from the caller's.
#pragma once

#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>

namespace rnnsent::onednn {

using dnnl::memory;

// Every primitive gets its own scratchpad (user mode) instead of oneDNN's default global one:
// that one is reference-counted per thread, and our primitives are created on the OpenMP
// worker that runs their chunk but may be destroyed on another thread (release_inference),
// which freed a scratchpad other primitives still used (a crash seen in the end-to-end test).
inline dnnl::primitive_attr own_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// A buffer owned by oneDNN, cleared once: oneDNN does not promise zeroed allocations.
inline memory zeroed_memory(const memory::desc& md, const dnnl::engine& eng) {
  memory m(md, eng);
  std::memset(m.get_data_handle(), 0, md.get_size());
  return m;
}

// A reorder between two layouts with its own scratchpad (see own_scratchpad), built once.
struct Reorder {
  dnnl::reorder primitive;
  memory scratch;
  void init(const memory::desc& from, const memory::desc& to, const dnnl::engine& eng) {
    const dnnl::reorder::primitive_desc pd(eng, from, eng, to, own_scratchpad());
    primitive = dnnl::reorder(pd);
    scratch = memory(pd.scratchpad_desc(), eng);
  }
  void run(dnnl::stream& s, const memory& from, const memory& to) {
    primitive.execute(s,
                      {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}, {DNNL_ARG_SCRATCHPAD, scratch}});
  }
};

// Shows the caller's weights (user layout) to a primitive in the layout it asked for. When
// they agree the primitive reads the caller's bytes directly; otherwise a reorder primitive
// and its destination buffer are built once and the reorder runs on each bind().
struct WeightInput {
  memory user;  // handle set to the caller's pointer on every bind()
  memory inner;
  Reorder to_inner;
  bool needs_reorder = false;

  void init(const memory::desc& user_md, const memory::desc& wanted, const dnnl::engine& eng) {
    user = memory(user_md, eng, DNNL_MEMORY_NONE);
    needs_reorder = !(user_md == wanted);
    if (needs_reorder) {
      inner = memory(wanted, eng);
      to_inner.init(user_md, wanted, eng);
    } else {
      inner = user;
    }
  }
  void bind(const float* p, dnnl::stream& s) {
    user.set_data_handle(const_cast<float*>(p));
    if (needs_reorder) to_inner.run(s, user, inner);
  }
};

// The gradient side of WeightInput. oneDNN adds into diff weights, as our contract does, so
// when the primitive's layout is the user's it accumulates straight into the caller's gradient.
// Otherwise it accumulates into a zeroed scratch that is reordered to the user layout and added.
struct WeightGrad {
  memory user;      // caller's gradient
  memory inner;     // what the primitive writes: user, or scratch in the primitive's layout
  memory unpacked;  // scratch reordered back to the user layout (only when reordering)
  Reorder to_user;
  bool needs_reorder = false;

  void init(const memory::desc& user_md, const memory::desc& wanted, const dnnl::engine& eng) {
    user = memory(user_md, eng, DNNL_MEMORY_NONE);
    needs_reorder = !(user_md == wanted);
    if (needs_reorder) {
      inner = memory(wanted, eng);
      unpacked = memory(user_md, eng);
      to_user.init(wanted, user_md, eng);
    } else {
      inner = user;
    }
  }
  void before(float* p) {
    user.set_data_handle(p);
    if (needs_reorder) std::memset(inner.get_data_handle(), 0, inner.get_desc().get_size());
  }
  void after(float* p, dnnl::stream& s) {
    if (!needs_reorder) return;
    to_user.run(s, inner, unpacked);
    s.wait();
    const float* g = static_cast<const float*>(unpacked.get_data_handle());
    const std::size_t n = user.get_desc().get_size() / sizeof(float);
    for (std::size_t i = 0; i < n; ++i) p[i] += g[i];
  }
};

}  // namespace rnnsent::onednn
