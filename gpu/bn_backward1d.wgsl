// bn_backward1d: bn_backward for BatchNorm1d (hw = 1; modes 0 and 2, no pool): the same sums and
// γ/β gradients, one thread per channel looping over the batch instead of a workgroup per channel.
//
//   g = gin (mode 0), or gin·scale where out > 0 and 0 elsewhere (mode 2: ReLU and dropout)
//   sums[ch] = Σ g, sums[c + ch] = Σ g·x̂;  ∂L/∂γ = Σ g·x̂, ∂L/∂β = Σ g  (into the gradient buffer)
//
// Bindings: 0 Step, 1 Params (bn_backward's), 2 gin, 3 out, 4 argmax (unused), 5 z, 6 stats,
// 7 sums (out), 8 grads (out).
struct Params {
  c: u32,
  h: u32,
  w: u32,
  gamma_off: u32,
  beta_off: u32,
  mode: u32,
  scale: f32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> gin: array<f32>;
@group(0) @binding(3) var<storage, read> out: array<f32>;
@group(0) @binding(5) var<storage, read> z: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;
@group(0) @binding(8) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let ch = flat_id(wid, nwg, lid, 64u);
  if (ch >= prm.c) {
    return;
  }
  let mean = stats[ch];
  let inv = 1.0 / sqrt(stats[prm.c + ch] + 1e-5);
  var sg: f32 = 0.0;
  var sgx: f32 = 0.0;
  for (var n = 0u; n < st.n; n++) {
    let e = n * prm.c + ch;
    var gv = gin[e];
    if (prm.mode == 2u) {
      gv = select(0.0, gv * prm.scale, out[e] > 0.0);
    }
    sg += gv;
    sgx += gv * (z[e] - mean) * inv;
  }
  sums[ch] = sg;
  sums[prm.c + ch] = sgx;
  grads[prm.gamma_off + ch] = sgx;
  grads[prm.beta_off + ch] = sg;
}
