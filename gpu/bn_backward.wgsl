// bn_backward: BatchNorm's training-mode backward pass, reduction half.
//
//   g, z [n,c,hw]; μ, σ² from bn_stats; x̂ = (z − μ)/sqrt(σ² + 1e-5)
//   sums[ch] = Σ g, sums[c + ch] = Σ g·x̂;  ∂L/∂γ = Σ g·x̂, ∂L/∂β = Σ g  (into the gradient buffer)
// bn_backward_apply.wgsl then writes ∂L/∂z = γ/sqrt(σ²+eps)·(g − Σg/cnt − x̂·Σgx̂/cnt).
//
// One workgroup of 64 threads per channel; strided partial sums and a tree reduction.
//
// Bindings: 0 Step, 1 Params, 2 g, 3 z, 4 stats, 5 sums (out), 6 grads (out).
struct Params {
  c: u32,
  hw: u32,
  gamma_off: u32,
  beta_off: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;
@group(0) @binding(6) var<storage, read_write> grads: array<f32>;

var<workgroup> red: array<vec2<f32>, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ch = wid.x;
  let cnt = st.n * prm.hw;
  let mean = stats[ch];
  let inv = 1.0 / sqrt(stats[prm.c + ch] + 1e-5);
  var s = vec2<f32>(0.0);
  for (var j = lid; j < cnt; j += 64u) {
    let e = ((j / prm.hw) * prm.c + ch) * prm.hw + j % prm.hw;
    let gv = g[e];
    s += vec2<f32>(gv, gv * (z[e] - mean) * inv);
  }
  red[lid] = s;
  workgroupBarrier();
  for (var k = 32u; k > 0u; k >>= 1u) {
    if (lid < k) {
      red[lid] += red[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let r = red[0];
    sums[ch] = r.x;
    sums[prm.c + ch] = r.y;
    grads[prm.gamma_off + ch] = r.y;
    grads[prm.beta_off + ch] = r.x;
  }
}
