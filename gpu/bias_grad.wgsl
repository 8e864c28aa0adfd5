// bias_grad: g[off + j] = Σ_i dz[i·c + j] over the n rows of the batch — a linear layer's ∂L/∂bias.
//
// One thread per column, barrier-free; four partial sums keep the rounding error low.
//
// Bindings: 0 Step, 1 Params, 2 dz [n,c], 3 g (out: the packed gradient buffer).
struct Params {
  c: u32,
  off: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> dz: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = flat_id(wid, nwg, lid, 64u);
  if (j >= prm.c) {
    return;
  }
  var acc = vec4<f32>(0.0);
  var i = 0u;
  for (; i + 4u <= st.n; i += 4u) {
    acc += vec4<f32>(dz[i * prm.c + j], dz[(i + 1u) * prm.c + j], dz[(i + 2u) * prm.c + j], dz[(i + 3u) * prm.c + j]);
  }
  for (; i < st.n; i++) {
    acc.x += dz[i * prm.c + j];
  }
  g[prm.off + j] = (acc.x + acc.y) + (acc.z + acc.w);
}
