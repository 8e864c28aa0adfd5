// bn_backward_apply: BatchNorm's training-mode backward pass, elementwise half, in place:
//
//   g ← γ/sqrt(σ²+1e-5) · (g − Σg/cnt − x̂·Σgx̂/cnt),  x̂ = (z − μ)/sqrt(σ²+1e-5), cnt = n·hw
//
// with the sums from bn_backward.wgsl. One thread per element, barrier-free.
//
// Bindings: 0 Step, 1 Params, 2 g (in/out), 3 z, 4 stats, 5 sums, 6 p (parameters, γ at gamma_off).
struct Params {
  c: u32,
  hw: u32,
  gamma_off: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read_write> g: array<f32>;
@group(0) @binding(3) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read> sums: array<f32>;
@group(0) @binding(6) var<storage, read> p: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = flat_id(wid, nwg, lid, 64u);
  let cnt = st.n * prm.hw;
  if (e >= cnt * prm.c) {
    return;
  }
  let ch = (e / prm.hw) % prm.c;
  let mean = stats[ch];
  let inv = 1.0 / sqrt(stats[prm.c + ch] + 1e-5);
  let k = p[prm.gamma_off + ch] * inv;
  let mg = sums[ch] / f32(cnt);
  let mgx = sums[prm.c + ch] / f32(cnt);
  g[e] = k * (g[e] - mg - (z[e] - mean) * inv * mgx);
}
